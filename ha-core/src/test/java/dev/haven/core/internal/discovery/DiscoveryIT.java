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

/** Each discovery reads a real cluster (each server the build runs it on) correctly, through both vendor drivers, as the application user. */
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

        assertThat(primary.flavor()).isEqualTo(cluster.server().isMySql() ? ServerState.Flavor.MYSQL
                : ServerState.Flavor.MARIADB);
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
        // MySQL counts the lag in whole seconds from the last event's timestamp: a replica that has just applied it
        // may still say 1 for a moment.
        assertThat(replica.replication().secondsBehind()).isBetween(0L, cluster.server().isMySql() ? 1L : 0L);
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

    /** Statements this session sent so far ({@code Questions} counts the asking statement too). */
    private static long questions(Connection c) throws SQLException {
        try (java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Questions'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "mysql"})
    void aSteadyServerIsProbedInOneStatementThatSeesWhatAFullProbeSees(String driver) throws Exception {
        LocalCluster cluster = CLUSTER.cluster();
        for (LocalNode node : List.of(cluster.primary(), cluster.replica(0))) {
            String url = driver.equals("mysql") ? node.mysqlUrl() : node.mariadbUrl();
            NodeAddress address = NodeAddress.of(node.host(), node.port());
            ReplicationDiscovery discovery = new ReplicationDiscovery();
            try (Connection c = DriverManager.getConnection(url, cluster.appUser(), cluster.appPassword())) {
                ServerState full = discovery.probe(c, address);
                long before = questions(c);
                ServerState steady = discovery.probe(c, address);
                assertThat(questions(c) - before - 1).as("statements of a steady probe of %s", node.name())
                        .isEqualTo(1);
                assertThat(steady.serverId()).isEqualTo(full.serverId());
                assertThat(steady.role()).isEqualTo(full.role());
                assertThat(steady.readOnly()).isEqualTo(full.readOnly());
                assertThat(steady.peers()).isEqualTo(full.peers());
                assertThat(steady.gtidPosition()).isEqualTo(full.gtidPosition());
                assertThat(steady.replication() == null).isEqualTo(full.replication() == null);
                if (full.replication() != null) {
                    assertThat(steady.replication().isReplicating()).isTrue();
                    assertThat(steady.replication().sourceServerId()).isEqualTo(full.replication().sourceServerId());
                    assertThat(steady.replication().sourceHost()).isEqualTo(full.replication().sourceHost());
                    assertThat(steady.replication().sourcePort()).isEqualTo(full.replication().sourcePort());
                    assertThat(steady.replication().secondsBehind()).isBetween(0L, 1L);
                    assertThat(steady.replication().receivedGtid()).isEqualTo(full.replication().receivedGtid());
                    assertThat(steady.replication().heartbeatsReceived())
                            .isGreaterThanOrEqualTo(full.replication().heartbeatsReceived());
                    assertThat(steady.replication().heartbeatPeriodMillis())
                            .isEqualTo(full.replication().heartbeatPeriodMillis());
                }
            }
        }
        // A change the steady probe cannot follow is seen at once: replication stopped on a replica.
        LocalNode replica = cluster.replica(1);
        awaitReplicating(replica, driver);
        String url = driver.equals("mysql") ? replica.mysqlUrl() : replica.mariadbUrl();
        ReplicationDiscovery discovery = new ReplicationDiscovery();
        NodeAddress address = NodeAddress.of(replica.host(), replica.port());
        try (Connection c = DriverManager.getConnection(url, cluster.appUser(), cluster.appPassword())) {
            assertThat(discovery.probe(c, address).replication().isReplicating()).isTrue();
            assertThat(discovery.probe(c, address).replication().isReplicating()).isTrue();
            cluster.stopReplication(replica);
            try {
                ServerState stopped = discovery.probe(c, address);
                assertThat(stopped.replication().ioState()).isEqualTo(IoState.STOPPED);
                assertThat(stopped.role()).isEqualTo(Role.REPLICA);
            } finally {
                cluster.startReplication(replica);
                awaitReplicating(replica, driver);
            }
        }
    }

    /**
     * A steady replica costs one statement per probe, its periodic check included: on MariaDB one {@code SELECT} of
     * what {@code SHOW ALL SLAVES STATUS} does not tell (it keeps the replication status of the probe before, the
     * same object), on MySQL nothing but the steady probe (its one statement reads {@code read_only} too). Before,
     * every 60th probe was a full one of 4 (MariaDB) or 5 (MySQL) statements. And the check does read
     * {@code read_only}: a replica made writable is seen within one period.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "mysql"})
    void aSteadyReplicaCostsOneStatementPerProbeItsPeriodicCheckIncluded(String driver) throws Exception {
        LocalCluster cluster = CLUSTER.cluster();
        LocalNode replica = cluster.replica(0);
        awaitReplicating(replica, driver);
        cluster.awaitReplicationCaughtUp(java.time.Duration.ofSeconds(20));
        boolean mariaDb = !cluster.server().isMySql();
        int period = mariaDb ? MariaDbLightProbe.FULL_EVERY : MySqlLightProbe.FULL_EVERY;
        NodeAddress address = NodeAddress.of(replica.host(), replica.port());
        String url = driver.equals("mysql") ? replica.mysqlUrl() : replica.mariadbUrl();
        ReplicationDiscovery discovery = new ReplicationDiscovery();
        try (Connection c = DriverManager.getConnection(url, cluster.appUser(), cluster.appPassword())) {
            ServerState previous = discovery.probe(c, address); // the connection's first probe: a full one
            int checkTurns = 0;
            for (int i = 1; i <= period + 5; i++) {
                long before = questions(c);
                ServerState steady = discovery.probe(c, address);
                assertThat(questions(c) - before - 1).as("statements of probe %d", i).isEqualTo(1);
                assertThat(steady.readOnly()).isTrue();
                assertThat(steady.replication().isReplicating()).isTrue();
                if (steady.replication() == previous.replication()) {
                    checkTurns++;
                }
                previous = steady;
            }
            assertThat(checkTurns).as("probes that kept the replication status of the one before")
                    .isEqualTo(mariaDb ? 1 : 0);

            cluster.makeWritable(replica);
            try {
                int seenAt = -1;
                for (int i = 1; i <= period + 1 && seenAt < 0; i++) {
                    if (!discovery.probe(c, address).readOnly()) {
                        seenAt = i;
                    }
                }
                assertThat(seenAt).as("the probe that saw the replica writable").isBetween(1, period + 1);
            } finally {
                cluster.makeReadOnly(replica);
            }
        }
    }

    /**
     * A replica applying with a delay: the steady probe reports the lag a full probe reads from the server's own
     * replica status (MySQL's steady probe computes it from {@code performance_schema}), within the second both
     * round to.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "mysql"})
    void aDelayedReplicasSteadyProbeReportsTheLagTheFullProbeReports(String driver) throws Exception {
        LocalCluster cluster = CLUSTER.cluster();
        LocalNode replica = cluster.replica(0);
        NodeAddress address = NodeAddress.of(replica.host(), replica.port());
        String url = driver.equals("mysql") ? replica.mysqlUrl() : replica.mariadbUrl();
        // A delay far longer than the wait below: on a loaded machine the restarted receiver may take seconds to bring
        // the write, and the lag must still be growing when it does.
        cluster.delayReplication(replica, 20);
        try {
            awaitReplicating(replica, driver);
            try (Connection p = cluster.appConnection(cluster.primary())) {
                p.createStatement().execute("CREATE TABLE IF NOT EXISTS d (id INT PRIMARY KEY)");
                p.createStatement().execute("REPLACE INTO d VALUES (2)");
            }
            ReplicationDiscovery discovery = new ReplicationDiscovery();
            try (Connection c = DriverManager.getConnection(url, cluster.appUser(), cluster.appPassword())) {
                // While the write waits out the delay (20 s), from the moment the replica reports it lagging.
                long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
                long fullLag;
                ServerState steady;
                long statements;
                do {
                    Thread.sleep(200);
                    discovery = new ReplicationDiscovery(); // its first probe of the connection is a full one
                    fullLag = discovery.probe(c, address).replication().secondsBehind();
                    long before = questions(c);
                    steady = discovery.probe(c, address);
                    statements = questions(c) - before - 1;
                } while (fullLag < 1 && System.nanoTime() < deadline);
                assertThat(statements).as("a steady probe, not a full one").isEqualTo(1);
                long steadyLag = steady.replication().secondsBehind();
                assertThat(fullLag).as("the full probe sees the delay").isBetween(1L, 20L);
                assertThat(steadyLag).as("steady %s, full %s", steadyLag, fullLag).isBetween(fullLag - 1, fullLag + 1);
            }
        } finally {
            cluster.delayReplication(replica, 0);
            awaitReplicating(replica, driver);
            cluster.awaitReplicationCaughtUp(java.time.Duration.ofSeconds(20));
            // MySQL's Seconds_Behind_Source compares relay-log positions and may say a few seconds for a moment
            // after the applier has every transaction: the next tests expect a replica with no lag.
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
            while (probe(new ReplicationDiscovery(), replica, driver).replication().secondsBehind() > 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
    }

    /** A replica whose replication was just started connects to its source within a moment, not at once. */
    private static void awaitReplicating(LocalNode replica, String driver) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (!probe(new ReplicationDiscovery(), replica, driver).replication().isReplicating()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(replica.name() + " does not replicate again");
            }
            Thread.sleep(50);
        }
    }
}
