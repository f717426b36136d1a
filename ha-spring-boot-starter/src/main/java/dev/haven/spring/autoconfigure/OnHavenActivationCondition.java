package dev.haven.spring.autoconfigure;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Conditional;

/**
 * When the starter makes Haven's data source: {@code spring.datasource.url} is a {@code jdbc:ha:} URL, or the
 * application has a {@code JdbcConnectionDetails} bean (a {@code @ServiceConnection} container, Docker Compose, or
 * its own), whose MySQL or MariaDB server becomes Haven's seed.
 */
class OnHavenActivationCondition extends AnyNestedCondition {

    OnHavenActivationCondition() {
        super(ConfigurationPhase.REGISTER_BEAN);
    }

    @Conditional(OnHavenUrlCondition.class)
    static class HavenUrl {
    }

    @ConditionalOnBean(type = "org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails")
    static class ConnectionDetails {
    }
}
