package dev.haven.spring.autoconfigure;

import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.actuate.HavenEndpoint;
import dev.haven.spring.actuate.HavenHealthIndicator;
import dev.haven.spring.internal.EventLog;
import dev.haven.spring.internal.HavenDataSources;
import java.sql.SQLException;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator support, each part only when its classes are there: the {@code haven} health contributor
 * ({@code spring-boot-health}; off with {@code management.health.haven.enabled=false}) and the {@code haven}
 * endpoint ({@code spring-boot-actuator-autoconfigure}; created only when exposed or otherwise available, as every
 * endpoint). For every Haven data source: the auto-configured one, the application's own, several, or one
 * behind a proxy ({@link HavenDataSources}).
 */
@AutoConfiguration(after = HavenAutoConfiguration.class)
@ConditionalOnClass(HaDataSource.class)
@Conditional(OnHavenDataSourceCondition.class)
public class HavenActuatorAutoConfiguration {

    // The class conditions sit on an outer class of their own: the inner annotations name condition classes of
    // the optional modules, which must not even be looked at when those modules are absent.

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class HealthConfiguration {

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnEnabledHealthIndicator("haven")
        static class Enabled {

            /**
             * {@code haven}: one data source's indicator, or a composite of one per Haven data source, keyed by
             * bean name (as Spring Boot's own {@code db} contributor).
             */
            @Bean
            @ConditionalOnMissingBean(name = "havenHealthIndicator")
            HealthContributor havenHealthIndicator(ListableBeanFactory beans) {
                Map<String, HaDataSource> dataSources = HavenDataSources.find(beans);
                if (dataSources.size() == 1) {
                    return new HavenHealthIndicator(dataSources.values().iterator().next());
                }
                return CompositeHealthContributor.fromMap(dataSources, HavenHealthIndicator::new);
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.boot.actuate.endpoint.annotation.Endpoint",
            "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint"})
    static class EndpointConfiguration {

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnAvailableEndpoint(HavenEndpoint.class)
        static class Available {

            @Bean
            @ConditionalOnMissingBean
            EventLog havenEventLog() {
                return new EventLog();
            }

            @Bean
            @ConditionalOnMissingBean
            HavenEndpoint havenEndpoint(ListableBeanFactory beans, EventLog events) throws SQLException {
                return new HavenEndpoint(HavenDataSources.find(beans), events);
            }
        }
    }
}
