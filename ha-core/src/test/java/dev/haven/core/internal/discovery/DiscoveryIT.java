package dev.haven.core.internal.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.NodeAddress;
import dev.haven.core.Role;
import dev.haven.core.ServerState;
import dev.haven.core.ServerState.IoState;
import dev.haven.core.ServerState.Peer;
import dev.haven.core.TopologyDiscovery;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalClusterExtension;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each discovery reads a real MariaDB cluster correctly, through both vendor drivers, as the application user. */
class DiscoveryIT {

    @RegisterExtension
    static final LocalClusterExtension CLUSTER = new LocalClusterExtension();

    private static ServerState probe(TopologyDiscovery discovery, LocalNode node, String driver) throws SQLException {
        LocalCluster cluster = CLUSTER.cluster();
        String url = driver.equals("mysql") ? node.mysqlUrl() : node.mariadbUrl();
        try (Connection c = DriverManager.getConnection(url, cluster.appUser(), cluster.appPassword())) {
            return discovery.probe(c, NodeAddress.of(node.host(), node.port()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "mysql"})
    void thePrimaryKnowsItselfAndListsItsReplicasAtTheirClientAddresses(String driver) throws SQLException {
        LocalCluster cluster = CLUSTER.cluster();
        ServerState primary = probe(new ReplicationDiscovery(), cluster.primary(), driver);

        assertThat(primary.flavor()).isEqualTo(ServerState.Flavor.MARIADB);
        assertThat(primary.serverId()).isEqualTo(cluster.primary().serverId());
        assertThat(primary.role()).isEqualTo(Role.PRIMARY);
        assertThat(primary.readOnly()).isFalse();
        assertThat(primary.replication()).isNull();
        List<Peer> expected = new ArrayList<>();
        for (LocalNode replica : cluster.replicas()) {
            expected.add(new Peer(NodeAddress.of(replica.host(), replica.port()), replica.serverId(), Role.REPLICA, true));
        }
        assertThat(primary.peers()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "mysql"})
    void aReplicaNamesItsSourceAndReportsItsReplication(String driver) throws Exception {
        LocalCluster cluster = CLUSTER.cluster();
        try (Connection c = cluster.appConnection(cluster.primary())) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS d (id INT PRIMARY KEY)");
            c.createStatement().execute("REPLACE INTO d VALUES (1)");
        }
        cluster.awaitReplicationCaughtUp(java.time.Duration.ofSeconds(10));
        String primaryPosition = probe(new ReplicationDiscovery(), cluster.primary(), driver).gtidPosition();

        ServerState replica = probe(new ReplicationDiscovery(), cluster.replica(0), driver);

        assertThat(replica.role()).isEqualTo(Role.REPLICA);
        assertThat(replica.readOnly()).isTrue();
        assertThat(replica.replication().sourceHost()).isEqualTo("127.0.0.1");
        assertThat(replica.replication().sourcePort()).isEqualTo(cluster.primary().serverPort());
        assertThat(replica.replication().sourceServerId()).isEqualTo(cluster.primary().serverId());
        assertThat(replica.replication().ioState()).isEqualTo(IoState.RUNNING);
        assertThat(replica.replication().sqlRunning()).isTrue();
        assertThat(replica.replication().secondsBehind()).isZero();
        assertThat(replica.replication().heartbeatsReceived()).isGreaterThanOrEqualTo(0);
        assertThat(replica.replication().isReplicating()).isTrue();
        assertThat(primaryPosition).isNotEmpty();
        assertThat(replica.gtidPosition()).isEqualTo(primaryPosition);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "mysql"})
    void aStoppedReplicaIsNotReplicating(String driver) throws SQLException {
        LocalCluster cluster = CLUSTER.cluster();
        LocalNode node = cluster.replica(1);
        cluster.stopReplication(node);

        ServerState replica = probe(new ReplicationDiscovery(), node, driver);

        assertThat(replica.role()).isEqualTo(Role.REPLICA);
        assertThat(replica.replication().ioState()).isEqualTo(IoState.STOPPED);
        assertThat(replica.replication().sqlRunning()).isFalse();
        assertThat(replica.replication().secondsBehind()).as("NULL, not 0").isEqualTo(-1);
        assertThat(replica.replication().isReplicating()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "mysql"})
    void autoDetectsReplicationAndStaticTrustsReadOnly(String driver) throws SQLException {
        LocalCluster cluster = CLUSTER.cluster();
        AutoDiscovery auto = new AutoDiscovery();
        ServerState viaAuto = probe(auto, cluster.replica(0), driver);
        assertThat(auto.detectedKind(NodeAddress.of(cluster.replica(0).host(), cluster.replica(0).port())))
                .isEqualTo("replication");
        assertThat(viaAuto.role()).isEqualTo(Role.REPLICA);

        ServerState primary = probe(new StaticDiscovery(), cluster.primary(), driver);
        ServerState replica = probe(new StaticDiscovery(), cluster.replica(0), driver);
        assertThat(primary.role()).isEqualTo(Role.PRIMARY);
        assertThat(primary.peers()).as("static adds no host").isEmpty();
        assertThat(replica.role()).isEqualTo(Role.REPLICA);
        assertThat(replica.replication().isReplicating()).isTrue();
    }
}
