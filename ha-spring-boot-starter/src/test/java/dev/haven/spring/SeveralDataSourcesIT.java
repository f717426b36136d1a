package dev.haven.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.actuate.HavenEndpoint;
import dev.haven.spring.actuate.HavenHealthIndicator;
import dev.haven.spring.autoconfigure.HavenActuatorAutoConfiguration;
import dev.haven.spring.autoconfigure.HavenAutoConfiguration;
import dev.haven.spring.autoconfigure.HavenMetricsAutoConfiguration;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalClusterExtension;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * On a real cluster: two Haven data sources (health a composite keyed by bean name, metrics tagged by data source,
 * the endpoint per bean), one auto-configured Haven data source behind a proxy bean (reached by {@code unwrap}),
 * and the node pools under {@code spring.datasource.hikari.*} with {@code register-mbeans=true} (JMX names without
 * {@code :}, the template's values in every node's pool).
 */
class SeveralDataSourcesIT {

    @RegisterExtension
    static final LocalClusterExtension CLUSTER = new LocalClusterExtension();

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HavenAutoConfiguration.class, DataSourceAutoConfiguration.class,
                    HavenActuatorAutoConfiguration.class, HavenMetricsAutoConfiguration.class,
                    MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class));

    static HaDataSource haven(LocalCluster cluster) {
        HaDataSource ds = new HaDataSource();
        ds.setUrl("jdbc:ha:mariadb://" + cluster.hostList() + "/app?ha.probeInterval=200ms&ha.suspectAfter=1500ms"
                + "&ha.deadAfter=2500ms&ha.initialGrace=500ms");
        ds.setUser(cluster.appUser());
        ds.setPassword(cluster.appPassword());
        return ds;
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoDataSources {
        @Bean(destroyMethod = "close")
        HaDataSource orders() {
            return haven(CLUSTER.cluster());
        }

        @Bean(destroyMethod = "close")
        HaDataSource billing() {
            return haven(CLUSTER.cluster());
        }
    }

    @Test
    void twoHavenDataSourcesEachHaveHealthMetricsAndTheEndpoint() {
        runner.withUserConfiguration(TwoDataSources.class)
                .withPropertyValues("management.endpoints.web.exposure.include=haven",
                        "management.endpoint.haven.access=UNRESTRICTED")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    for (HaDataSource ds : context.getBeansOfType(HaDataSource.class).values()) {
                        ClusterSupport.awaitTopology(ds.cluster(), t -> t.primary() != null && t.readReplicas().size() == 2,
                                "primary and replicas");
                    }
                    HealthContributor health = context.getBean("havenHealthIndicator", HealthContributor.class);
                    assertThat(health).isInstanceOf(CompositeHealthContributor.class);
                    CompositeHealthContributor composite = (CompositeHealthContributor) health;
                    for (String name : new String[] {"orders", "billing"}) {
                        HealthIndicator one = (HealthIndicator) composite.getContributor(name);
                        assertThat(one).as(name).isNotNull();
                        assertThat(one.health().getStatus()).isEqualTo(Status.UP);
                        assertThat(one.health().getDetails()).containsEntry("state", HavenHealthIndicator.HEALTHY);
                    }

                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    for (String name : new String[] {"orders", "billing"}) {
                        assertThat(registry.get("haven.cluster.primary").tag("datasource", name).gauge().value())
                                .as(name).isEqualTo(1);
                        assertThat(registry.get("haven.cluster.readable.replicas").tag("datasource", name).gauge().value())
                                .as(name).isEqualTo(2);
                    }

                    HavenEndpoint endpoint = context.getBean(HavenEndpoint.class);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> all = (Map<String, Object>) endpoint.haven().get("dataSources");
                    assertThat(all).containsOnlyKeys("orders", "billing");
                    assertThat(endpoint.dataSource("billing")).containsEntry("primary",
                            CLUSTER.cluster().primary().hostAndPort());
                    assertThat(endpoint.dataSource("nope")).isNull();
                    var ambiguous = endpoint.operation("refresh", null, null);
                    assertThat(ambiguous.getStatus()).isEqualTo(400);
                    assertThat(ambiguous.getBody().get("error").toString()).contains("orders").contains("billing");
                    assertThat(endpoint.operation("refresh", null, "billing").getStatus()).isEqualTo(200);
                });
    }

    /** Wraps every DataSource bean in a JDK proxy, as tracing libraries do; unwrap reaches the target. */
    @Configuration(proxyBeanMethods = false)
    static class Wrapping {
        @Bean
        static BeanPostProcessor tracingProxy() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String beanName) {
                    if (!(bean instanceof DataSource)) {
                        return bean;
                    }
                    DataSource target = (DataSource) bean;
                    return Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                            (proxy, method, args) -> {
                                if (method.getName().equals("isWrapperFor")) {
                                    return ((Class<?>) args[0]).isInstance(target) || target.isWrapperFor((Class<?>) args[0]);
                                }
                                if (method.getName().equals("unwrap") && ((Class<?>) args[0]).isInstance(target)) {
                                    return target;
                                }
                                try {
                                    return method.invoke(target, args);
                                } catch (InvocationTargetException e) {
                                    throw e.getCause();
                                }
                            });
                }
            };
        }
    }

    @Test
    void aHavenDataSourceBehindAProxyKeepsHealthMetricsAndTheEndpoint() {
        runner.withUserConfiguration(Wrapping.class)
                .withPropertyValues(ClusterSupport.properties(CLUSTER.cluster(),
                        "management.endpoints.web.exposure.include=haven"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    DataSource bean = context.getBean(DataSource.class);
                    assertThat(bean).isNotInstanceOf(HaDataSource.class);
                    HaDataSource haven = bean.unwrap(HaDataSource.class);
                    ClusterSupport.awaitTopology(haven.cluster(), t -> t.primary() != null && t.readReplicas().size() == 2,
                            "primary and replicas");
                    try (Connection c = bean.getConnection(); Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("SELECT 1")) {
                        assertThat(rs.next()).isTrue();
                    }
                    HealthIndicator health = context.getBean("havenHealthIndicator", HavenHealthIndicator.class);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.get("haven.cluster.primary").tag("datasource", "dataSource").gauge().value())
                            .isEqualTo(1);
                    String primary = CLUSTER.cluster().primary().hostAndPort();
                    assertThat(registry.get("haven.statements").tag("datasource", "dataSource").tag("node", primary)
                            .tag("intent", "write").functionCounter().count()).isPositive();
                    assertThat(registry.get("hikaricp.connections.max").tag("node", primary).gauge().value()).isEqualTo(5);
                    assertThat(context.getBean(HavenEndpoint.class).haven()).containsEntry("dataSource", "dataSource")
                            .containsEntry("primary", primary);
                });
    }

    @Test
    void thePoolsTakeSpringDatasourceHikariAndRegisterWithJmx() {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        String primary = CLUSTER.cluster().primary().hostAndPort();
        ObjectName config = objectName("com.zaxxer.hikari:type=PoolConfig (haven-" + primary.replace(':', '-') + ")");
        runner.withPropertyValues(ClusterSupport.properties(CLUSTER.cluster(),
                        "spring.datasource.hikari.register-mbeans=true",
                        "spring.datasource.hikari.maximum-pool-size=3",
                        "spring.datasource.hikari.connection-timeout=4321",
                        "spring.datasource.hikari.pool-name=ignored",
                        "spring.datasource.hikari.data-source-properties.sessionVariables=wait_timeout=1234"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    HaDataSource haven = context.getBean(HaDataSource.class);
                    try (Connection c = haven.getConnection(); Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("SELECT @@session.wait_timeout")) {
                        rs.next();
                        assertThat(rs.getLong(1)).as("a vendor driver property from the template").isEqualTo(1234);
                    }
                    assertThat(jmx.isRegistered(config)).as("registered as " + config).isTrue();
                    assertThat(jmx.getAttribute(config, "MaximumPoolSize")).isEqualTo(3);
                    assertThat(jmx.getAttribute(config, "ConnectionTimeout")).isEqualTo(4321L);
                });
        assertThat(jmx.isRegistered(config)).as("unregistered when the context closes").isFalse();
    }

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
