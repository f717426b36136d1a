package dev.haven.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.internal.discovery.AutoDiscovery;
import dev.haven.core.internal.discovery.GroupReplicationDiscovery;
import dev.haven.core.internal.discovery.ReplicationDiscovery;
import dev.haven.testkit.mysql.MySqlGroupReplicationCluster;
import dev.haven.testkit.mysql.MySqlReplicationCluster;
import dev.haven.testkit.mysql.RequiresDocker;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Discovery on real MySQL 8.4 (replication with {@code SHOW REPLICA STATUS}, and a Group Replication group).
 * Needs Docker; skipped with the stated reason where there is none.
 */
@RequiresDocker
class MySqlDiscoveryIT {

    private static NodeAddress address(String jdbcUrl) {
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        return NodeAddress.of(uri.getHost(), uri.getPort());
    }

    private static NodeConnector connector(List<String> urls, String user, String password) {
        return (node, connectTimeout, socketTimeout) -> {
            for (String url : urls) {
                if (address(url).equals(node)) {
                    String sep = url.contains("?") ? "&" : "?";
                    return DriverManager.getConnection(url + sep + "connectTimeout=" + connectTimeout.toMillis()
                            + "&socketTimeout=" + socketTimeout.toMillis(), user, password);
                }
            }
            throw new java.sql.SQLException("not a member reachable from the host: " + node, "08001");
        };
    }

    @Test
    void replicationWithTheMysql8ColumnNames() throws Exception {
        try (MySqlReplicationCluster mysql = MySqlReplicationCluster.builder().replicas(2).start()) {
            List<String> urls = mysql.jdbcUrls();
            try (Connection c = DriverManager.getConnection(urls.get(0), mysql.appUser(), mysql.appPassword())) {
                ServerState primary = new ReplicationDiscovery().probe(c, address(urls.get(0)));
                assertThat(primary.flavor()).isEqualTo(ServerState.Flavor.MYSQL);
                assertThat(primary.role()).isEqualTo(Role.PRIMARY);
            }
            try (Connection c = DriverManager.getConnection(urls.get(1), mysql.appUser(), mysql.appPassword())) {
                ServerState replica = new ReplicationDiscovery().probe(c, address(urls.get(1)));
                assertThat(replica.role()).isEqualTo(Role.REPLICA);
                assertThat(replica.readOnly()).isTrue();
                assertThat(replica.replication().isReplicating()).isTrue();
                assertThat(replica.replication().heartbeatsReceived()).isGreaterThanOrEqualTo(0);
            }
        }
    }

    @Test
    void groupReplicationMembersAndTheirRoles() throws Exception {
        try (MySqlGroupReplicationCluster group = MySqlGroupReplicationCluster.builder().start()) {
            List<String> urls = group.jdbcUrls();
            int primaryIndex = group.primaryIndex();
            List<NodeAddress> seeds = new ArrayList<>();
            for (String url : urls) {
                seeds.add(address(url));
            }
            try (Connection c = DriverManager.getConnection(urls.get(primaryIndex), group.appUser(), group.appPassword())) {
                ServerState state = new GroupReplicationDiscovery().probe(c, seeds.get(primaryIndex));
                assertThat(state.role()).isEqualTo(Role.PRIMARY);
                assertThat(state.routable()).isTrue();
                assertThat(state.peers()).hasSize(urls.size());
            }
            HavenConfig config = HavenConfig.builder().seeds(seeds).probeInterval(Duration.ofMillis(200))
                    .suspectAfter(Duration.ofMillis(400)).deadAfter(Duration.ofSeconds(2)).build();
            AutoDiscovery auto = new AutoDiscovery();
            try (Connection c = DriverManager.getConnection(urls.get(0), group.appUser(), group.appPassword())) {
                auto.probe(c, seeds.get(0));
                assertThat(auto.detectedKind(seeds.get(0))).isEqualTo("group-replication");
            }
            try (HavenCluster haven = HavenCluster.start(config,
                    connector(urls, group.appUser(), group.appPassword()))) {
                assertThat(haven.topology().primary().address()).isEqualTo(seeds.get(primaryIndex));
                assertThat(haven.topology().readReplicas()).hasSize(urls.size() - 1);
            }
        }
    }
}
