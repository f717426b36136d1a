package dev.haven.spring.autoconfigure;

import dev.haven.jdbc.HaDataSource;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Conditional;

/**
 * Matches when the context has, or will have, a Haven data source: a bean defined as an {@link HaDataSource}
 * (the auto-configured one, or the application's, possibly wrapped by a bean post-processor later), or a
 * {@code jdbc:ha:} {@code spring.datasource.url} (an application's own {@code DataSource} bean that wraps Haven's).
 * Which data sources are Haven's is decided when health, metrics and the endpoint start, by unwrapping.
 */
class OnHavenDataSourceCondition extends AnyNestedCondition {

    OnHavenDataSourceCondition() {
        super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnBean(HaDataSource.class)
    static class HavenBean {
    }

    @Conditional(OnHavenUrlCondition.class)
    static class HavenUrl {
    }
}
