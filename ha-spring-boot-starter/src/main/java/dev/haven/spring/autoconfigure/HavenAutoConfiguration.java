package dev.haven.spring.autoconfigure;

import dev.haven.core.HavenEventListener;
import dev.haven.core.PrimaryFencer;
import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.HavenDataSourceCustomizer;
import dev.haven.spring.HavenProperties;
import dev.haven.spring.internal.ConnectionSettings;
import dev.haven.spring.internal.DataSourceFactory;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;

/**
 * Haven's {@link HaDataSource} as the application's {@code DataSource}, when {@code spring.datasource.url} starts
 * with {@code jdbc:ha:} or a {@link JdbcConnectionDetails} bean names a MySQL or MariaDB server (a
 * {@code @ServiceConnection} container: see {@code ConnectionSettings}). Credentials come from
 * {@code spring.datasource.username} and {@code password} (or the connection details), Haven's
 * settings from {@code haven.*} (over the URL's {@code ha.*} parameters), and every node's HikariCP pool takes
 * {@code spring.datasource.hikari.*}. Backs off when the application defines its own {@code DataSource}; runs
 * before Spring Boot's own {@code DataSourceAutoConfiguration}, which then backs off in turn.
 *
 * <p>The data source starts while the context starts: a bad setting stops start-up with a failure analysis, and
 * the first topology is known before the first query. Beans of type {@link HavenEventListener} are registered as
 * listeners and beans of type {@link HavenDataSourceCustomizer} applied, both before it starts. A bean of type
 * {@link PrimaryFencer} isolates the old primary before each promotion ({@code haven.failover.mode=promote}), in
 * place of {@code haven.failover.fencer}'s class.
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class,
        afterName = "org.springframework.boot.testcontainers.service.connection.ServiceConnectionAutoConfiguration")
@ConditionalOnClass({DataSource.class, HaDataSource.class})
@Conditional(OnHavenActivationCondition.class)
@EnableConfigurationProperties({HavenProperties.class, DataSourceProperties.class})
public class HavenAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(DataSource.class)
    public HaDataSource dataSource(DataSourceProperties dataSource, ObjectProvider<JdbcConnectionDetails> details,
            HavenProperties haven, Environment environment, ObjectProvider<HavenEventListener> listeners,
            ObjectProvider<HavenDataSourceCustomizer> customizers, ObjectProvider<PrimaryFencer> fencer) {
        ConnectionSettings connection = ConnectionSettings.of(dataSource, details.getIfUnique());
        return DataSourceFactory.create(connection.url(), connection.username(), connection.password(), haven,
                environment,
                listeners.orderedStream().collect(Collectors.toList()),
                customizers.orderedStream().collect(Collectors.toList()),
                fencer.getIfAvailable()); // two fencer beans: Spring's own error names both
    }
}
