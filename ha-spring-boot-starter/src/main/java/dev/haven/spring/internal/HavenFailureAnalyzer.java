package dev.haven.spring.internal;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link HavenConfigurationException} when start-up fails: the property, its value and where it was
 * written, what is wrong and what is allowed. Registered in {@code META-INF/spring.factories}.
 */
public final class HavenFailureAnalyzer extends AbstractFailureAnalyzer<HavenConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, HavenConfigurationException cause) {
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
}
