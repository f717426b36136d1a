package dev.haven.spring.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code spring.datasource.url} is a Haven URL: it starts with {@code jdbc:ha:}. */
class OnHavenUrlCondition extends SpringBootCondition {

    static final String PREFIX = "jdbc:ha:";

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        ConditionMessage.Builder message = ConditionMessage.forCondition("Haven URL");
        String url = context.getEnvironment().getProperty("spring.datasource.url");
        if (url == null) {
            return ConditionOutcome.noMatch(message.didNotFind("property").items("spring.datasource.url"));
        }
        if (!url.trim().startsWith(PREFIX)) {
            // never quote the URL: its query may hold a password
            return ConditionOutcome.noMatch(message.because("spring.datasource.url does not start with " + PREFIX));
        }
        return ConditionOutcome.match(message.because("spring.datasource.url starts with " + PREFIX));
    }
}
