package dev.haven.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each fault of {@link LocalCluster} does what it says, on real servers (the build runs it on every server). */
class LocalClusterIT {

    @RegisterExtension
    static final LocalClusterExtension CLUSTER = new LocalClusterExtension();

    static LocalCluster cluster;

    @BeforeAll
    static void createTable() throws SQLException {
        cluster = CLUSTER.cluster();
        try (Connection c = cluster.appConnection(cluster.primary())) {
            Sql.execute(c, "CREATE TABLE IF NOT EXISTS items (id BIGINT PRIMARY KEY, name VARCHAR(64))");
        }
    }

    /** A MariaDB Connector/J URL to the node's proxy with extra driver parameters. */
    private static String url(LocalNode node, String parameters) {
        String base = node.mariadbUrl();
        return base + (base.contains("?") ? "&" : "?") + parameters;
    }

    private static long nextId = System.nanoTime() % 1_000_000_000L;

    private static synchronized long insertOnPrimary(String name) throws SQLException {
        long id = ++nextId;
        try (Connection c = cluster.appConnection(cluster.primary())) {
            Sql.execute(c, "INSERT INTO items VALUES (" + id + ", '" + name + "')");
        }
        return id;
    }

    private static long countOf(LocalNode node, long id) throws SQLException {
        try (Connection c = cluster.appConnection(node)) {
            return Sql.queryLong(c, "SELECT COUNT(*) FROM items WHERE id = " + id);
        }
    }

    @Test
    void startsAPrimaryAndTwoReplicasWithDistinctServerIds() throws SQLException {
        assertThat(cluster.nodes()).hasSize(3);
        assertThat(cluster.replicas()).hasSize(2);
        Set<Long> serverIds = new HashSet<>();
        for (LocalNode node : cluster.nodes()) {
            try (Connection c = cluster.appConnection(node)) {
                serverIds.add(Sql.queryLong(c, "SELECT @@server_id"));
                assertThat(Sql.queryLong(c, "SELECT @@server_id")).isEqualTo(node.serverId());
                assertThat(Sql.queryString(c, "SELECT @@binlog_format")).isEqualTo("ROW");
                assertThat(Sql.queryLong(c, "SELECT @@log_slave_updates")).isEqualTo(1);
            }
        }
        assertThat(serverIds).hasSize(3);
        boolean mysql = cluster.server().isMySql();
        assertThat(cluster.semiSync()).isEqualTo(!mysql);
        try (Connection c = cluster.adminConnection(cluster.primary())) {
            if (!mysql) {
                assertThat(Sql.queryString(c, "SELECT @@rpl_semi_sync_master_enabled")).isEqualTo("1");
            }
            assertThat(Sql.queryString(c, "SELECT @@version")).startsWith(cluster.server().version());
            assertThat(Sql.slaveStatus(c, "Slave_IO_Running")).isNull();
            assertThat(Sql.queryLong(c, "SELECT @@read_only")).as("the primary, made writable").isZero();
        }
        for (LocalNode replica : cluster.replicas()) {
            try (Connection c = cluster.adminConnection(replica)) {
                if (mysql) {
                    assertThat(Sql.slaveStatus(c, "Auto_Position")).isEqualTo("1");
                    assertThat(Sql.slaveStatus(c, "Get_master_public_key")).isEqualTo("1");
                    assertThat(Sql.queryLong(c, "SELECT @@super_read_only")).isEqualTo(1);
                    assertThat(Sql.queryLong(c, "SELECT @@gtid_mode = 'ON'")).isEqualTo(1);
                } else {
                    assertThat(Sql.queryString(c, "SELECT @@rpl_semi_sync_master_enabled")).isEqualTo("0");
                    assertThat(Sql.slaveStatus(c, "Using_Gtid")).isEqualTo("Slave_Pos");
                }
                assertThat(Sql.slaveStatus(c, "Master_Port")).isEqualTo(String.valueOf(cluster.primary().serverPort()));
            }
        }
    }

    @Test
    void thePrimaryListsItsReplicasAtTheAddressesClientsUse() throws SQLException {
        Set<String> reported = new HashSet<>();
        try (Connection c = cluster.adminConnection(cluster.primary());
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SHOW SLAVE HOSTS")) {
            while (rs.next()) {
                reported.add(rs.getLong("Server_id") + "@" + rs.getString("Host") + ":" + rs.getInt("Port"));
            }
        }
        Set<String> expected = new HashSet<>();
        for (LocalNode replica : cluster.replicas()) {
            expected.add(replica.serverId() + "@" + replica.hostAndPort());
        }
        assertThat(reported).isEqualTo(expected);
    }

    @Test
    void aWriteOnThePrimaryAppearsOnEveryReplica() throws SQLException {
        long id = insertOnPrimary("replicated");
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
        for (LocalNode replica : cluster.replicas()) {
            assertThat(countOf(replica, id)).as(replica.name()).isEqualTo(1);
        }
    }

    @Test
    void replicasAreReadOnlyForTheApplication() throws SQLException {
        for (LocalNode replica : cluster.replicas()) {
            try (Connection c = cluster.appConnection(replica)) {
                assertThat(Sql.queryLong(c, "SELECT @@read_only")).isEqualTo(1);
                assertThatThrownBy(() -> Sql.execute(c, "INSERT INTO items VALUES (-1, 'nope')"))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1290));
            }
        }
    }

    @Test
    void theMysqlDriverWorksToo() throws SQLException {
        long id = insertOnPrimary("mysql-driver");
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
        for (LocalNode node : cluster.nodes()) {
            try (Connection c = DriverManager.getConnection(node.mysqlUrl(), cluster.appUser(), cluster.appPassword())) {
                assertThat(Sql.queryLong(c, "SELECT COUNT(*) FROM items WHERE id = " + id)).isEqualTo(1);
            }
        }
        try (Connection c = DriverManager.getConnection(cluster.mysqlUrl(), cluster.appUser(), cluster.appPassword())) {
            assertThat(Sql.queryLong(c, "SELECT @@server_id")).isEqualTo(cluster.primary().serverId());
        }
    }

    @Test
    void killRefusesConnectionsAndRestartBringsTheDataBack() throws Exception {
        LocalNode replica = cluster.replica(0);
        long id = insertOnPrimary("before-kill");
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
        long oldPid = replica.pid();

        cluster.kill(replica);

        assertThat(ProcessHandle.of(oldPid)).isEmpty();
        assertThatThrownBy(() -> new Socket("127.0.0.1", replica.serverPort()).close())
                .isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> DriverManager.getConnection(url(replica, "connectTimeout=2000"),
                cluster.appUser(), cluster.appPassword())).isInstanceOf(SQLException.class);

        long whileDown = insertOnPrimary("while-down");
        cluster.restart(replica);

        assertThat(replica.pid()).isNotEqualTo(oldPid);
        assertThat(countOf(replica, id)).isEqualTo(1);
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
        assertThat(countOf(replica, whileDown)).isEqualTo(1);
    }

    @Test
    void freezeMakesConnectsAndQueriesTimeOutAndThawRecovers() throws Exception {
        LocalNode replica = cluster.replica(1);
        String url = url(replica, "connectTimeout=1000&socketTimeout=1000");
        try (Connection open = DriverManager.getConnection(url, cluster.appUser(), cluster.appPassword())) {
            cluster.freeze(replica);
            assertThat(replica.isRunning()).isTrue();

            long start = System.nanoTime();
            assertThatThrownBy(() -> Sql.queryLong(open, "SELECT 1")).isInstanceOf(SQLException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));

            start = System.nanoTime();
            assertThatThrownBy(() -> DriverManager.getConnection(url, cluster.appUser(), cluster.appPassword()))
                    .isInstanceOf(SQLException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }

        cluster.thaw(replica);
        try (Connection c = DriverManager.getConnection(url, cluster.appUser(), cluster.appPassword())) {
            assertThat(Sql.queryLong(c, "SELECT 1")).isEqualTo(1);
        }
    }

    @Test
    void partitionHangsClientsUntilTheirTimeoutWhileReplicationContinues() throws Exception {
        LocalNode primary = cluster.primary();
        String url = url(primary, "connectTimeout=1000&socketTimeout=1000");
        try (Connection open = DriverManager.getConnection(url, cluster.appUser(), cluster.appPassword())) {
            cluster.partition(primary);

            long start = System.nanoTime();
            assertThatThrownBy(() -> Sql.queryLong(open, "SELECT 1")).isInstanceOf(SQLException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThatThrownBy(() -> DriverManager.getConnection(url, cluster.appUser(), cluster.appPassword()))
                    .isInstanceOf(SQLException.class);

            // The servers still see each other: a write made behind the proxy replicates.
            long id = ++nextId;
            try (Connection direct = cluster.adminConnection(primary)) {
                Sql.execute(direct, "INSERT INTO app.items VALUES (" + id + ", 'behind-the-partition')");
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
            for (LocalNode replica : cluster.replicas()) {
                assertThat(countOf(replica, id)).isEqualTo(1);
            }
        }
        cluster.heal(primary);
        try (Connection c = DriverManager.getConnection(url, cluster.appUser(), cluster.appPassword())) {
            assertThat(Sql.queryLong(c, "SELECT 1")).isEqualTo(1);
        }
    }

    @Test
    void resetClosesOpenConnections() throws Exception {
        LocalNode replica = cluster.replica(0);
        try (Connection open = cluster.appConnection(replica)) {
            assertThat(Sql.queryLong(open, "SELECT 1")).isEqualTo(1);
            cluster.reset(replica);
            assertThatThrownBy(() -> Sql.queryLong(open, "SELECT 1")).isInstanceOf(SQLException.class);
        }
        try (Connection fresh = cluster.appConnection(replica)) {
            assertThat(Sql.queryLong(fresh, "SELECT 1")).isEqualTo(1);
        }
    }

    @Test
    void latencySlowsEveryRoundTrip() throws Exception {
        LocalNode replica = cluster.replica(0);
        try (Connection c = cluster.appConnection(replica)) {
            cluster.latency(replica, 300);
            long start = System.nanoTime();
            Sql.queryLong(c, "SELECT 1");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }

    @Test
    void delayedReplicationProducesMeasurableLag() throws Exception {
        LocalNode replica = cluster.replica(1);
        cluster.delayReplication(replica, 3);
        long id = insertOnPrimary("delayed");

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long lag = 0;
        try (Connection c = cluster.adminConnection(replica)) {
            assertThat(countOf(replica, id)).isZero();
            while (lag < 1 && System.nanoTime() < deadline) {
                String behind = Sql.slaveStatus(c, "Seconds_Behind_Master");
                lag = behind == null ? 0 : Long.parseLong(behind);
                Thread.sleep(50);
            }
        }
        assertThat(lag).as("Seconds_Behind_Master").isGreaterThanOrEqualTo(1);

        cluster.delayReplication(replica, 0);
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
        assertThat(countOf(replica, id)).isEqualTo(1);
    }

    @Test
    void stopReplicationFreezesTheReplicaAndStartResumesIt() throws Exception {
        LocalNode replica = cluster.replica(0);
        cluster.stopReplication(replica);
        long id = insertOnPrimary("while-stopped");
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10)); // skips the stopped replica
        assertThat(countOf(cluster.replica(1), id)).isEqualTo(1);
        assertThat(countOf(replica, id)).isZero();
        try (Connection c = cluster.adminConnection(replica)) {
            assertThat(Sql.slaveStatus(c, "Slave_SQL_Running")).isEqualTo("No");
        }

        cluster.startReplication(replica);
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
        assertThat(countOf(replica, id)).isEqualTo(1);
    }
}
