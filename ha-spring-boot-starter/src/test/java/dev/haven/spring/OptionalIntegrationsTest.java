package dev.haven.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.actuate.HavenEndpoint;
import dev.haven.spring.actuate.HavenHealthIndicator;
import dev.haven.spring.autoconfigure.HavenActuatorAutoConfiguration;
import dev.haven.spring.autoconfigure.HavenAutoConfiguration;
import dev.haven.spring.autoconfigure.HavenMetricsAutoConfiguration;
import dev.haven.spring.internal.HavenDataSourceMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Actuator and Micrometer are optional: each part appears when its classes (and, for metrics, a registry) are there,
 * and the data source works without them. The URL points at a closed port: no server, so no primary.
 */
class OptionalIntegrationsTest {

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HavenAutoConfiguration.class, DataSourceAutoConfiguration.class,
                    HavenActuatorAutoConfiguration.class, HavenMetricsAutoConfiguration.class,
                    MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=" + HavenAutoConfigurationTest.HAVEN_URL,
                    "spring.datasource.username=app", "spring.datasource.password=app-secret-77",
                    "haven.initial-grace=0s");

    @Test
    void everythingThereGivesHealthMetricsAndNoEndpointUntilExposed() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(HaDataSource.class);
            assertThat(context).hasBean("havenHealthIndicator");
            assertThat(context).hasSingleBean(HavenDataSourceMetrics.class);
            assertThat(context).doesNotHaveBean(HavenEndpoint.class);
        });
    }

    @Test
    void withoutAPrimaryHealthIsDownAndSaysWhy() {
        runner.run(context -> {
            Health health = context.getBean("havenHealthIndicator", HealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("state", HavenHealthIndicator.NO_PRIMARY)
                    .containsEntry("readableReplicas", 0).doesNotContainKey("primary");
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> nodes = (Map<String, Map<String, Object>>) health.getDetails().get("nodes");
            assertThat(nodes).containsOnlyKeys("127.0.0.1:9");
            assertThat(nodes.get("127.0.0.1:9")).containsKeys("role", "health", "readable");
            assertThat(health.toString()).doesNotContain("app-secret-77");
        });
    }

    @Test
    void theHealthContributorCanBeTurnedOff() {
        runner.withPropertyValues("management.health.haven.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("havenHealthIndicator"));
    }

    @Test
    void theEndpointExistsOnceExposed() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=haven")
                .run(context -> {
                    assertThat(context).hasSingleBean(HavenEndpoint.class);
                    Map<String, Object> view = context.getBean(HavenEndpoint.class).haven();
                    assertThat(view).containsKeys("epoch", "primary", "readableReplicas", "nodes", "configuration", "events");
                    assertThat(view.toString()).doesNotContain("app-secret-77");
                });
    }

    @Test
    void withoutActuatorTheDataSourceStillWorks() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health", "org.springframework.boot.actuate"))
                .withPropertyValues("management.endpoints.web.exposure.include=haven")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(HaDataSource.class);
                    assertThat(context).doesNotHaveBean("havenHealthIndicator");
                    assertThat(context).doesNotHaveBean("havenEndpoint");
                });
    }

    @Test
    void withoutMicrometerTheDataSourceStillWorks() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(HavenAutoConfiguration.class, DataSourceAutoConfiguration.class,
                        HavenActuatorAutoConfiguration.class, HavenMetricsAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("io.micrometer", "org.springframework.boot.micrometer"))
                .withPropertyValues("spring.datasource.url=" + HavenAutoConfigurationTest.HAVEN_URL)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(HaDataSource.class);
                    assertThat(context).doesNotHaveBean("havenMetrics");
                    assertThat(context).hasBean("havenHealthIndicator");
                });
    }

    @Test
    void withoutARegistryThereAreNoMetrics() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(HavenAutoConfiguration.class, DataSourceAutoConfiguration.class,
                        HavenMetricsAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + HavenAutoConfigurationTest.HAVEN_URL)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(HavenDataSourceMetrics.class);
                });
    }

    @Test
    void theRegistryShowsTheClusterAndTheNodes() {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("haven.cluster.primary").gauge().value()).isZero();
            assertThat(registry.get("haven.cluster.readable.replicas").gauge().value()).isZero();
            assertThat(registry.get("haven.node.health").tag("node", "127.0.0.1:9").gauges()).hasSize(3);
            assertThat(registry.get("haven.node.role").tag("node", "127.0.0.1:9").tag("role", "unknown").gauge().value())
                    .isEqualTo(1);
            assertThat(registry.get("haven.node.readable").tag("node", "127.0.0.1:9").gauge().value()).isZero();
            assertThat(registry.get("haven.failover.duration").functionTimer().count()).isZero();
        });
    }
}
