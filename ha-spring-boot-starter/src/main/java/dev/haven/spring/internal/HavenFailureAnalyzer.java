package dev.haven.spring.internal;

import dev.haven.core.HavenConfig;
import java.time.Duration;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Explains an invalid Haven configuration when start-up fails: the property, its value and where it was written,
 * what is wrong and what is allowed. Two causes: a {@link HavenConfigurationException} (Haven refused a value, the
 * URL or a combination), and a {@code haven.*} value Spring Boot could not even convert to the property's type
 * ({@code haven.max-replica-lag=soon}), which Spring Boot's own analysis would report without saying what Haven
 * allows. Ordered first, so that it answers before Spring Boot's analyzer of binding failures; registered in
 * {@code META-INF/spring.factories}.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public final class HavenFailureAnalyzer implements FailureAnalyzer {

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        HavenConfigurationException haven = find(failure, HavenConfigurationException.class);
        if (haven != null) {
            return analysis(haven);
        }
        BindException bind = find(failure, BindException.class);
        if (bind != null && bind.getName() != null) {
            String property = bind.getName().toString();
            String key = PropertyNames.keyOf(property);
            if (key != null) {
                return analysis(bindFailure(property, key, bind));
            }
        }
        return null;
    }

    private static HavenConfigurationException bindFailure(String property, String key, BindException bind) {
        HavenConfig.Setting setting = PropertyNames.setting(key);
        ConfigurationProperty written = bind.getProperty();
        String value = written == null || written.getValue() == null ? null : written.getValue().toString();
        if (setting.secret()) {
            value = "****";
        }
        String origin = written == null || written.getOrigin() == null ? null : written.getOrigin().toString();
        String formats = setting.valueType() == Duration.class
                ? " (Spring Boot's formats are accepted too: PT2S, or a number of milliseconds such as 2000)" : "";
        String reason = "is not a valid " + setting.type() + "; allowed: " + setting.allowedValues() + formats;
        String fallback = setting.defaultValue() == null || setting.defaultValue().isEmpty()
                ? "" : ", or remove it for the default (" + setting.defaultValue() + ")";
        return new HavenConfigurationException(property, value, origin, reason,
                "Update " + property + " in your configuration; allowed: " + setting.allowedValues() + fallback + ".",
                bind);
    }

    private static FailureAnalysis analysis(HavenConfigurationException cause) {
        StringBuilder description = new StringBuilder("Haven's configuration is not valid.\n\n");
        if (cause.property() != null) {
            description.append("    Property: ").append(cause.property()).append('\n');
        }
        if (cause.value() != null) {
            description.append("    Value: \"").append(cause.value()).append("\"\n");
        }
        if (cause.origin() != null) {
            description.append("    Origin: ").append(cause.origin()).append('\n');
        }
        description.append("    Reason: ").append(cause.reason());
        return new FailureAnalysis(description.toString(), cause.action(), cause);
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
