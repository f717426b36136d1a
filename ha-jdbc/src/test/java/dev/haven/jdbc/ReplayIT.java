package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.haven.core.HavenEvent;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ha.replay=on} against real servers: a transaction interrupted by a failover before its commit was sent is
 * replayed on the new primary and goes on without an error when everything it saw matches, and fails with
 * {@code 40001}, with nothing of it applied, when something differs. What matters is checked on the servers: the
 * rows the new primary holds, each exactly once.
 */
class ReplayIT {

    /** For faults the cluster's own orchestration handles (an external promotion): Haven only follows. */
    private static final String OBSERVE = "socketTimeout=3000&ha.probeInterval=200ms&ha.suspectAfter=400ms"
            + "&ha.deadAfter=1500ms&ha.connectTimeout=500ms&ha.probeTimeout=500ms&ha.initialGrace=500ms"
            + "&ha.failover.timeout=15s";

    static LocalCluster cluster() throws SQLException {
        LocalCluster cluster = PromoteFailoverIT.cluster();
        try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE counter (k INT PRIMARY KEY, n BIGINT NOT NULL)");
            s.execute("INSERT INTO counter VALUES (0, 0)");
        }
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
        return cluster;
    }

    /**
     * {@code kill}: the primary dies; {@code freeze}: it hangs and is replaced; {@code demote}: an orchestrator makes
     * it read-only and promotes a replica (a switchover Haven did not run), so the next statement is refused.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kill", "freeze", "demote"})
    void aTransactionInterruptedBeforeItsCommitIsReplayedWithoutAnErrorAndAppliedOnce(String fault)
            throws Exception {
        try (LocalCluster cluster = cluster()) {
            LocalNode oldPrimary = cluster.primary();
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            String url = fault.equals("demote")
                    ? ExternalPromotionIT.url(cluster, "mariadb", OBSERVE + "&ha.replay=on")
                    : PromoteFailoverIT.promoteUrl(cluster, "&ha.replay=on");
            try (HaDataSource ds = HaDataSource.builder().url(url).user(cluster.appUser())
                    .password(cluster.appPassword()).listener(events::add).build();
                 Connection tx = ds.getConnection()) {
                tx.setAutoCommit(false);
                PreparedStatement insert = tx.prepareStatement("INSERT INTO t VALUES (?)");
                insert.setLong(1, 1);
                assertThat(insert.executeUpdate()).isEqualTo(1);
                Statement s = tx.createStatement();
                assertThat(s.executeUpdate("INSERT INTO t VALUES (2)")).isEqualTo(1);
                assertThat(s.executeUpdate("UPDATE counter SET n = n + 1 WHERE k = 0")).isEqualTo(1);
                try (ResultSet rs = s.executeQuery("SELECT n FROM counter WHERE k = 0 FOR UPDATE")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(1);
                }
                // An open result set read halfway: handed over to the replayed one.
                ResultSet open = tx.createStatement().executeQuery("SELECT id FROM t ORDER BY id");
                assertThat(open.next()).isTrue();
                assertThat(open.getLong(1)).isEqualTo(1);

                switch (fault) {
                    case "kill" -> cluster.kill(oldPrimary);
                    case "freeze" -> cluster.freeze(oldPrimary);
                    default -> {
                        try (Connection admin = cluster.adminConnection(oldPrimary);
                             Statement a = admin.createStatement()) {
                            a.execute("SET GLOBAL read_only = ON");
                        }
                        cluster.promote(cluster.replica(0));
                    }
                }

                // The application goes on as if nothing happened.
                insert.setLong(1, 3);
                assertThat(insert.executeUpdate()).isEqualTo(1);
                assertThat(open.next()).as("the open result set goes on where it was").isTrue();
                assertThat(open.getLong(1)).isEqualTo(2);
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(3);
                }
                tx.commit();

                LocalNode newPrimary = cluster.adoptRoles();
                assertThat(newPrimary.serverId()).isNotEqualTo(oldPrimary.serverId());
                assertThat(PromoteFailoverIT.rows(cluster, newPrimary)).containsExactly(1L, 2L, 3L);
                assertThat(counter(cluster, newPrimary)).isEqualTo(1);
                assertThat(cluster.writableNodes()).as("writable nodes").isEqualTo(1);
                assertThat(PromoteFailoverIT.count(events, HavenEvent.Type.REPLAY_SUCCEEDED)).isGreaterThanOrEqualTo(1);
                assertThat(PromoteFailoverIT.count(events, HavenEvent.Type.REPLAY_MISMATCH)).isZero();
            } finally {
                cluster.thaw(oldPrimary);
            }
        }
    }

    /**
     * {@code changed-row}: another writer changed a row the transaction had read; {@code now}: the transaction read
     * {@code NOW(6)}. The replay sees something else, so the transaction is rolled back and the application gets
     * {@code 40001}; nothing of it is applied, on any attempt.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"changed-row", "now"})
    void aReplayThatSeesSomethingElseFailsWith40001AndAppliesNothing(String what) throws Exception {
        try (LocalCluster cluster = cluster()) {
            LocalNode oldPrimary = cluster.primary();
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            try (HaDataSource ds = HaDataSource.builder().url(PromoteFailoverIT.promoteUrl(cluster, "&ha.replay=on"))
                    .user(cluster.appUser()).password(cluster.appPassword()).listener(events::add).build();
                 Connection tx = ds.getConnection()) {
                tx.setAutoCommit(false);
                Statement s = tx.createStatement();
                try (ResultSet rs = s.executeQuery(what.equals("now") ? "SELECT NOW(6)"
                        : "SELECT n FROM counter WHERE k = 0")) {
                    assertThat(rs.next()).isTrue();
                    rs.getString(1);
                }
                if (what.equals("changed-row")) {
                    try (Connection other = cluster.appConnection(oldPrimary); Statement o = other.createStatement()) {
                        o.executeUpdate("UPDATE counter SET n = n + 100 WHERE k = 0");
                    }
                    cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
                }
                assertThat(s.executeUpdate("INSERT INTO t VALUES (10)")).isEqualTo(1);
                assertThat(s.executeUpdate("UPDATE counter SET n = n + 1 WHERE k = 0")).isEqualTo(1);
                Thread.sleep(20); // NOW(6) moves on
                cluster.kill(oldPrimary);

                assertThatThrownBy(() -> s.executeUpdate("INSERT INTO t VALUES (11)"))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("40001"))
                        .hasMessageContaining("retry the whole transaction");
                tx.rollback();
                assertThat(PromoteFailoverIT.count(events, HavenEvent.Type.REPLAY_MISMATCH)).isEqualTo(1);
                assertThat(PromoteFailoverIT.count(events, HavenEvent.Type.REPLAY_SUCCEEDED)).isZero();

                // The connection stays usable, and the retried transaction applies once.
                tx.setAutoCommit(true);
                assertThat(tx.createStatement().executeUpdate("INSERT INTO t VALUES (12)")).isEqualTo(1);

                LocalNode newPrimary = cluster.adoptRoles();
                assertThat(PromoteFailoverIT.rows(cluster, newPrimary)).containsExactly(12L);
                assertThat(counter(cluster, newPrimary)).isEqualTo(what.equals("changed-row") ? 100 : 0);
                assertThat(cluster.writableNodes()).isEqualTo(1);
            }
        }
    }

    static long counter(LocalCluster cluster, LocalNode node) throws SQLException {
        try (Connection c = cluster.adminConnection(node); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT n FROM app.counter WHERE k = 0")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
