package dev.haven.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.actuate.HavenEndpoint;
import dev.haven.spring.autoconfigure.HavenActuatorAutoConfiguration;
import dev.haven.spring.autoconfigure.HavenAutoConfiguration;
import dev.haven.spring.autoconfigure.HavenMetricsAutoConfiguration;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The {@code haven} endpoint on a real cluster: the topology, a planned switchover and a refresh as write
 * operations, and the events they cause. Its own cluster, since the switchover moves the primary.
 */
class HavenEndpointIT {

    @Test
    void showsTheTopologySwitchesOverAndRefreshes() {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(HavenAutoConfiguration.class,
                            DataSourceAutoConfiguration.class, HavenActuatorAutoConfiguration.class,
                            HavenMetricsAutoConfiguration.class, MetricsAutoConfiguration.class,
                            CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                    .withPropertyValues(ClusterSupport.properties(cluster,
                            "haven.admin.user=" + cluster.adminUser(),
                            "haven.admin.password=" + cluster.adminPassword(),
                            "management.endpoints.web.exposure.include=health,haven",
                            "management.endpoint.haven.access=UNRESTRICTED"))
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        HaDataSource ds = context.getBean(HaDataSource.class);
                        HavenEndpoint endpoint = context.getBean(HavenEndpoint.class);
                        ClusterSupport.awaitTopology(ds.cluster(), t -> t.readReplicas().size() == 2, "replicas readable");
                        LocalNode oldPrimary = cluster.primary();
                        LocalNode target = cluster.replica(0);

                        Map<String, Object> view = endpoint.haven();
                        assertThat(view).containsEntry("primary", oldPrimary.hostAndPort()).containsEntry("dataSource", "dataSource");
                        assertThat((List<?>) view.get("readableReplicas")).hasSize(2);
                        List<Map<String, Object>> nodes = list(view.get("nodes"));
                        assertThat(nodes).extracting(n -> n.get("address"))
                                .containsExactlyInAnyOrder(cluster.nodes().stream().map(LocalNode::hostAndPort).toArray());
                        assertThat(nodes).filteredOn(n -> n.get("address").equals(oldPrimary.hostAndPort()))
                                .singleElement().satisfies(n -> {
                                    assertThat(n).containsEntry("role", "PRIMARY").containsEntry("health", "UP")
                                            .containsEntry("serverId", (long) oldPrimary.serverId());
                                });
                        assertThat(list(view.get("events"))).extracting(e -> e.get("type")).contains("NODE_UP");
                        assertThat(view.toString()).doesNotContain(cluster.adminPassword())
                                .doesNotContain(cluster.appPassword());

                        var response = endpoint.operation("switchover", target.hostAndPort(), null);
                        assertThat(response.getStatus()).as(String.valueOf(response.getBody())).isEqualTo(200);
                        Map<String, Object> switched = response.getBody();
                        assertThat(switched).containsEntry("target", target.hostAndPort())
                                .containsEntry("primary", target.hostAndPort()).containsKey("writePauseMillis");
                        try (var c = ds.getConnection(); var s = c.createStatement();
                             var rs = s.executeQuery("SELECT @@server_id")) {
                            rs.next();
                            assertThat(rs.getLong(1)).as("writes go to the new primary").isEqualTo(target.serverId());
                        }
                        ClusterSupport.await(() -> {
                            try {
                                return list(endpoint.haven().get("events")).stream().anyMatch(e ->
                                        "ROLE_CHANGED".equals(e.get("type")) && target.hostAndPort().equals(e.get("node"))
                                                && "PRIMARY".equals(e.get("to")));
                            } catch (Exception e) {
                                throw new AssertionError(e);
                            }
                        }, "the role change in the endpoint's events");
                        MeterRegistry registry = context.getBean(MeterRegistry.class);
                        assertThat(registry.get("haven.events").tag("type", "role-changed")
                                .tag("node", target.hostAndPort()).functionCounter().count()).isGreaterThanOrEqualTo(1);
                        // a switchover is a failover Haven ran: counted and timed
                        assertThat(registry.get("haven.failover.duration").functionTimer().count()).isEqualTo(1);
                        assertThat(registry.get("haven.failover.duration").functionTimer()
                                .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
                        // every node's event kinds are counted from 0 (so that Prometheus sees the first): sum them
                        assertThat(registry.find("haven.events").tag("type", "failover-finished").functionCounters()
                                .stream().mapToDouble(io.micrometer.core.instrument.FunctionCounter::count).sum())
                                .isEqualTo(1);

                        Map<String, Object> refreshed = endpoint.operation("refresh", null, null).getBody();
                        assertThat(refreshed).containsEntry("operation", "refresh").containsKey("epoch");
                        assertThat(endpoint.operation("switchover", null, null).getStatus()).isEqualTo(400);
                        var unknown = endpoint.operation("failback", null, null);
                        assertThat(unknown.getStatus()).isEqualTo(400);
                        assertThat(unknown.getBody().get("error").toString()).contains("switchover and refresh");
                        // the old primary is fenced (read-only), not a replica: Haven refuses, and says why
                        var refused = endpoint.operation("switchover", oldPrimary.hostAndPort(), null);
                        assertThat(refused.getStatus()).isEqualTo(409);
                        assertThat(refused.getBody().get("error").toString()).contains("refused")
                                .doesNotContain(cluster.adminPassword()).doesNotContain(cluster.appPassword());
                    });
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }
}
