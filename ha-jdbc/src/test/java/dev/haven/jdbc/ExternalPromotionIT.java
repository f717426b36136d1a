package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.haven.core.NoPrimaryException;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Observe mode: a promotion made by someone else moves Haven's writes; what was in flight is reported honestly. */
class ExternalPromotionIT {

    static String url(LocalCluster cluster, String vendor, String settings) {
        String vendorParams = cluster.driverParameters(vendor);
        return "jdbc:ha:" + vendor + "://" + cluster.hostList() + "/app?" + vendorParams + settings;
    }

    static long serverId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@server_id")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void insert(Connection c, long id) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO t VALUES (" + id + ")");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "mysql"})
    void writesMoveToTheNewPrimaryAndAnOpenTransactionLearnsItsFateIsUnknown(String vendor) throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
            String settings = "ha.probeInterval=200ms&ha.suspectAfter=400ms&ha.deadAfter=1500ms"
                    + "&ha.connectTimeout=500ms&ha.probeTimeout=500ms&ha.initialGrace=500ms&ha.failover.timeout=10s";
            try (HaDataSource ds = HaDataSource.builder().url(url(cluster, vendor, settings))
                    .user(cluster.appUser()).password(cluster.appPassword()).build();
                 Connection tx = ds.getConnection()) {
                tx.setAutoCommit(false);
                insert(tx, 1); // a transaction open on the old primary

                LocalNode oldPrimary = cluster.primary();
                LocalNode chosen = cluster.replica(0);
                cluster.kill(oldPrimary);
                cluster.promote(chosen);
                long promoted = System.nanoTime();

                // Haven sees the new primary within one probe interval (200 ms; 2 s of slack for this machine)...
                RoutingContractTests.awaitTopology(ds.cluster(),
                        t -> t.primary() != null && t.primary().serverId() == chosen.serverId(), "the new primary");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - promoted))
                        .as("the promotion is visible").isLessThan(2200);
                // ...and a new write lands there.
                try (Connection c = ds.getConnection()) {
                    insert(c, 2);
                    assertThat(serverId(c)).isEqualTo(chosen.serverId());
                }
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - promoted);
                System.out.printf("%s: first write on the new primary %d ms after the promotion%n", vendor, tookMillis);

                // The transaction's node is gone: its outcome is unknown, and the application is told so.
                assertThatThrownBy(() -> insert(tx, 3))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08007"))
                        .hasMessageContaining("unknown");
                tx.rollback();
                // The logical connection stays usable; its next transaction goes to the current primary.
                insert(tx, 4);
                assertThat(serverId(tx)).isEqualTo(chosen.serverId());
                tx.commit();
            }
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT GROUP_CONCAT(id ORDER BY id) FROM t")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("2,4");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "mysql"})
    void aWriteRefusedByADemotedPrimaryIsRetriedOnTheNewOneTransparently(String vendor) throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
            // Probes 10 s apart: Haven cannot have noticed the switch by itself when the write arrives.
            String settings = "ha.probeInterval=10s&ha.suspectAfter=10s&ha.deadAfter=30s&ha.initialGrace=30s"
                    + "&ha.connectTimeout=1s&ha.probeTimeout=1s&ha.failover.timeout=10s";
            try (HaDataSource ds = HaDataSource.builder().url(url(cluster, vendor, settings))
                    .user(cluster.appUser()).password(cluster.appPassword()).build()) {
                try (Connection c = ds.getConnection()) {
                    insert(c, 1);
                }
                LocalNode oldPrimary = cluster.primary();
                LocalNode chosen = cluster.replica(1);
                try (Connection admin = cluster.adminConnection(oldPrimary); Statement s = admin.createStatement()) {
                    s.execute("SET GLOBAL read_only = ON"); // what a careful orchestrator does first
                }
                cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
                cluster.promote(chosen);

                try (Connection c = ds.getConnection()) {
                    insert(c, 2); // goes to the old primary, is refused (1290), and is retried on the new one
                    assertThat(serverId(c)).isEqualTo(chosen.serverId());
                }
            }
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT GROUP_CONCAT(id ORDER BY id) FROM t")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("1,2");
            }
        }
    }

    /**
     * Found by the campaign (seed 21110): a write refused as read-only waited {@code ha.failover.timeout} for
     * another primary, then, retried, waited for one again: 30 s with a 15 s timeout, past the bound of any
     * operation. Nothing of it ran, so once the timeout is spent it fails with {@code NoPrimaryException}.
     */
    @Test
    void aWriteRefusedByADemotedPrimaryWithNoOtherPrimaryWaitsTheFailoverTimeoutOnce() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(1).start()) {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
            }
            // Probes 10 s apart: the write reaches the demoted primary before Haven notices by itself.
            String settings = "ha.probeInterval=10s&ha.suspectAfter=10s&ha.deadAfter=30s&ha.initialGrace=30s"
                    + "&ha.connectTimeout=1s&ha.probeTimeout=1s&ha.failover.timeout=3s";
            try (HaDataSource ds = HaDataSource.builder().url(url(cluster, "mariadb", settings))
                    .user(cluster.appUser()).password(cluster.appPassword()).build()) {
                try (Connection c = ds.getConnection()) {
                    insert(c, 1);
                }
                try (Connection admin = cluster.adminConnection(cluster.primary());
                     Statement s = admin.createStatement()) {
                    s.execute("SET GLOBAL read_only = ON"); // demoted, and nobody promoted
                }
                long started = System.nanoTime();
                try (Connection c = ds.getConnection()) {
                    assertThatThrownBy(() -> insert(c, 2)).isInstanceOf(NoPrimaryException.class)
                            .hasMessageContaining("3000 ms");
                }
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                // Once (3 s) plus a refresh's probe, not twice (6 s and more).
                assertThat(tookMillis).as("how long the refused write took, ms").isLessThan(5000);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "mysql"})
    void aConnectionHeldOnADemotedPrimaryNeverWritesThereAgain(String vendor) throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
            String settings = "ha.probeInterval=200ms&ha.suspectAfter=400ms&ha.deadAfter=1500ms"
                    + "&ha.connectTimeout=500ms&ha.probeTimeout=500ms&ha.initialGrace=500ms";
            try (HaDataSource ds = HaDataSource.builder().url(url(cluster, vendor, settings))
                    .user(cluster.appUser()).password(cluster.appPassword()).build();
                 Connection autoCommit = ds.getConnection();
                 Connection tx = ds.getConnection()) {
                insert(autoCommit, 1); // both hold a physical connection to the primary
                tx.setAutoCommit(false);
                insert(tx, 2);

                // An orchestrator demotes the primary, which stays up and writable for its admin, and promotes.
                LocalNode oldPrimary = cluster.primary();
                LocalNode chosen = cluster.replica(0);
                try (Connection admin = cluster.adminConnection(oldPrimary); Statement s = admin.createStatement()) {
                    s.execute("SET GLOBAL read_only = ON");
                }
                cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
                cluster.promote(chosen);
                RoutingContractTests.awaitTopology(ds.cluster(),
                        t -> t.primary() != null && t.primary().serverId() == chosen.serverId(), "the new primary");

                // The auto-commit connection moves to the new primary by itself.
                insert(autoCommit, 3);
                assertThat(serverId(autoCommit)).isEqualTo(chosen.serverId());
                // The transaction's node lost the primary role: its next statement is refused with 08007,
                // without reaching the old primary.
                assertThatThrownBy(() -> insert(tx, 4))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08007"))
                        .hasMessageContaining("no longer the primary");
                tx.rollback();
            }
            try (Connection c = cluster.adminConnection(cluster.nodes().get(0)); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT GROUP_CONCAT(id ORDER BY id) FROM app.t")) {
                rs.next();
                assertThat(rs.getString(1)).as("rows on the old primary").isEqualTo("1");
            }
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT GROUP_CONCAT(id ORDER BY id) FROM t")) {
                rs.next();
                assertThat(rs.getString(1)).as("rows on the new primary").isEqualTo("1,3");
            }
        }
    }
}
