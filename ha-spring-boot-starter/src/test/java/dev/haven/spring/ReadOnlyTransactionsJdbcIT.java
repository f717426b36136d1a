package dev.haven.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.autoconfigure.HavenActuatorAutoConfiguration;
import dev.haven.spring.autoconfigure.HavenAutoConfiguration;
import dev.haven.spring.autoconfigure.HavenMetricsAutoConfiguration;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalClusterExtension;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;

/**
 * On a real cluster, with Spring Boot's JDBC auto-configuration ({@link DataSourceTransactionManager},
 * {@link JdbcTemplate}, {@link JdbcClient}): {@code @Transactional(readOnly = true)} runs on a replica, read-write
 * transactions on the primary, as {@code @@server_id} shows; the metrics count them per node; the health
 * contributor follows replicas and the primary going away.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadOnlyTransactionsJdbcIT {

    @RegisterExtension
    static final LocalClusterExtension CLUSTER = new LocalClusterExtension();

    static LocalCluster cluster;

    @BeforeAll
    static void schema() throws Exception {
        cluster = CLUSTER.cluster();
        try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS notes (id BIGINT PRIMARY KEY, text VARCHAR(64))");
        }
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
    }

    ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(HavenAutoConfiguration.class, DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
                        JdbcClientAutoConfiguration.class, TransactionAutoConfiguration.class,
                        HavenActuatorAutoConfiguration.class, HavenMetricsAutoConfiguration.class,
                        MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class))
                .withUserConfiguration(WorkConfiguration.class)
                .withPropertyValues(ClusterSupport.properties(cluster));
    }

    @Test
    @Order(1)
    void readOnlyTransactionsRunOnReplicasAndReadWriteOnesOnThePrimary() {
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(PlatformTransactionManager.class)).isInstanceOf(DataSourceTransactionManager.class);
            HaDataSource ds = context.getBean(HaDataSource.class);
            ClusterSupport.awaitTopology(ds.cluster(), t -> t.readReplicas().size() == 2, "both replicas readable");
            Work work = context.getBean(Work.class);
            long primary = cluster.primary().serverId();
            List<Long> replicas = ClusterSupport.replicaIds(cluster);

            Set<Long> readOnly = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                long[] both = work.readOnlyWithJdbcTemplate();
                assertThat(both[1]).as("one transaction, one node").isEqualTo(both[0]);
                readOnly.add(both[0]);
                readOnly.add(work.readOnlyWithJdbcClient());
            }
            assertThat(readOnly).as("read-only transactions ran on replicas only").isSubsetOf(replicas);
            assertThat(readOnly).as("round robin reached both replicas").hasSize(2);

            for (int i = 0; i < 3; i++) {
                assertThat(work.readWrite(100 + i)).as("read-write transaction").isEqualTo(primary);
                assertThat(work.withoutTransaction()).as("no transaction: a read-write connection").isEqualTo(primary);
            }
            // the same thread, alternating: the flag does not stick to the connection
            assertThat(work.readOnlyWithJdbcClient()).isIn(replicas);
            assertThat(work.readWrite(200)).isEqualTo(primary);

            MeterRegistry registry = context.getBean(MeterRegistry.class);
            String primaryNode = cluster.primary().hostAndPort();
            double reads = 0;
            for (var replica : cluster.replicas()) {
                reads += registry.get("haven.statements").tag("node", replica.hostAndPort()).tag("intent", "read")
                        .functionCounter().count();
            }
            assertThat(reads).as("read statements counted on the replicas").isGreaterThanOrEqualTo(19);
            assertThat(registry.get("haven.statements").tag("node", primaryNode).tag("intent", "write")
                    .functionCounter().count()).as("write statements counted on the primary").isGreaterThanOrEqualTo(8);
            assertThat(registry.find("haven.statements").tag("node", primaryNode).tag("intent", "read")
                    .functionCounters()).as("no read on the primary").allSatisfy(c -> assertThat(c.count()).isZero());
            // HikariCP's own metrics, per node pool, with the pool size from spring.datasource.hikari.*
            assertThat(registry.get("hikaricp.connections.max").tag("node", primaryNode).tag("pool", "haven-" + primaryNode.replace(':', '-'))
                    .gauge().value()).isEqualTo(5);
            assertThat(registry.get("hikaricp.connections.acquire").tag("node", primaryNode).timer().count()).isPositive();
            assertThat(registry.get("haven.node.role").tag("node", primaryNode).tag("role", "primary").gauge().value())
                    .isEqualTo(1);
            assertThat(registry.get("haven.cluster.readable.replicas").gauge().value()).isEqualTo(2);
        });
    }

    @Test
    @Order(2)
    void healthFollowsReplicasAndThePrimary() {
        runner().run(context -> {
            HaDataSource ds = context.getBean(HaDataSource.class);
            HealthIndicator indicator = context.getBean("havenHealthIndicator", HealthIndicator.class);
            ClusterSupport.awaitTopology(ds.cluster(), t -> t.readReplicas().size() == 2, "both replicas readable");
            Health health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("state", "HEALTHY")
                    .containsEntry("primary", cluster.primary().hostAndPort()).containsEntry("readableReplicas", 2);
            assertThat(nodes(health)).hasSize(3);
            assertThat(nodes(health).get(cluster.primary().hostAndPort())).containsEntry("role", "PRIMARY")
                    .containsEntry("health", "UP");
            assertThat(nodes(health).get(cluster.replica(0).hostAndPort())).containsEntry("role", "REPLICA")
                    .containsEntry("readable", true).containsKey("lagMillis");
            assertThat(health.toString()).doesNotContain(cluster.appPassword());

            cluster.kill(cluster.replica(0));
            ClusterSupport.awaitTopology(ds.cluster(), t -> t.readReplicas().size() == 1, "one replica readable");
            health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("state", "HEALTHY").containsEntry("readableReplicas", 1);
            assertThat(nodes(health).get(cluster.replica(0).hostAndPort())).containsEntry("readable", false)
                    .hasEntrySatisfying("health", h -> assertThat(h).isNotEqualTo("UP"));

            cluster.stopReplication(cluster.replica(1));
            ClusterSupport.awaitTopology(ds.cluster(), t -> t.readReplicas().isEmpty(), "no replica readable");
            health = indicator.health();
            assertThat(health.getStatus()).as("degraded is still UP").isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("state", "DEGRADED").containsEntry("readableReplicas", 0);
            assertThat((String) health.getDetails().get("reason")).contains("reads go to the primary");
            assertThat(context.getBean(Work.class).readOnlyWithJdbcClient()).as("reads fall back to the primary")
                    .isEqualTo(cluster.primary().serverId());

            cluster.kill(cluster.primary());
            ClusterSupport.awaitTopology(ds.cluster(), t -> t.primary() == null, "no primary");
            health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("state", "NO_PRIMARY").doesNotContainKey("primary");

            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("haven.cluster.primary").gauge().value()).isZero();
            String primaryNode = cluster.primary().hostAndPort();
            // the primary is missing as soon as it is suspect and unreachable; DOWN follows at ha.deadAfter
            ClusterSupport.await(() -> {
                var downs = registry.find("haven.events").tag("type", "node-down").tag("node", primaryNode)
                        .functionCounter();
                return downs != null && downs.count() == 1;
            }, "the primary's node-down event counted");
            assertThat(registry.get("haven.node.health").tag("node", primaryNode).tag("state", "down").gauge().value())
                    .isEqualTo(1);
            assertThat(registry.get("haven.events").tag("type", "node-down").tag("node", cluster.replica(0).hostAndPort())
                    .functionCounter().count()).isEqualTo(1);
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> nodes(Health health) {
        return (Map<String, Map<String, Object>>) health.getDetails().get("nodes");
    }

    @Configuration(proxyBeanMethods = false)
    static class WorkConfiguration {
        @Bean
        Work work(JdbcTemplate jdbc, JdbcClient client) {
            return new Work(jdbc, client);
        }
    }

    /** Transactions as an application writes them. */
    public static class Work {
        private final JdbcTemplate jdbc;
        private final JdbcClient client;

        public Work(JdbcTemplate jdbc, JdbcClient client) {
            this.jdbc = jdbc;
            this.client = client;
        }

        /** Two statements of one read-only transaction: the server of each. */
        @Transactional(readOnly = true)
        public long[] readOnlyWithJdbcTemplate() {
            long first = jdbc.queryForObject("SELECT @@server_id", Long.class);
            jdbc.queryForList("SELECT id FROM notes");
            long second = jdbc.queryForObject("SELECT @@server_id", Long.class);
            return new long[] {first, second};
        }

        @Transactional(readOnly = true)
        public long readOnlyWithJdbcClient() {
            return client.sql("SELECT @@server_id").query(Long.class).single();
        }

        @Transactional
        public long readWrite(long id) {
            client.sql("REPLACE INTO notes VALUES (?, ?)").params(id, "note " + id).update();
            return client.sql("SELECT @@server_id").query(Long.class).single();
        }

        public long withoutTransaction() {
            return jdbc.queryForObject("SELECT @@server_id", Long.class);
        }

    }
}
