package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.HavenEvent;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ha.commitOutcome=marker} against real servers (semi-synchronous MariaDB). A commit is held in flight by
 * the semi-sync wait, with both replicas' receivers stopped so that no acknowledgement comes:
 *
 * <ul>
 *   <li>the client gives up on it ({@code socketTimeout}) while the primary lives and completes it: the marker is
 *       found, {@code commit()} returns normally;</li>
 *   <li>the primary is killed during the wait and a replica that never received it is promoted: the marker is not
 *       found, so the transaction did not commit in the surviving history; with replay it is replayed and
 *       committed there once, without replay the application gets {@code 40001} and nothing was applied.</li>
 * </ul>
 */
class CommitOutcomeIT {

    private static final String SETTINGS = "socketTimeout=2000&ha.probeInterval=200ms&ha.suspectAfter=400ms"
            + "&ha.deadAfter=1500ms&ha.connectTimeout=500ms&ha.probeTimeout=500ms&ha.initialGrace=500ms"
            + "&ha.failover.timeout=20s&ha.commitOutcome=marker";

    private static LocalCluster cluster() throws SQLException {
        LocalCluster cluster = LocalCluster.builder().replicas(2).semiSync(true)
                .semiSyncTimeout(Duration.ofSeconds(6)).start();
        try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
        }
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
        return cluster;
    }

    private static HaDataSource dataSource(LocalCluster cluster, String extra, List<HavenEvent> events)
            throws SQLException {
        return HaDataSource.builder().url(ExternalPromotionIT.url(cluster, "mariadb", SETTINGS + extra))
                .user(cluster.appUser()).password(cluster.appPassword()).listener(events::add).build();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"transaction", "auto-commit"})
    void aCommitWhoseAnswerNeverCameIsFoundCommittedByItsMarker(String mode) throws Exception {
        try (LocalCluster cluster = cluster()) {
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            LocalNode primary = cluster.primary();
            try (HaDataSource ds = dataSource(cluster, "", events); Connection c = ds.getConnection()) {
                assertThat(tableExists(cluster, primary)).as("the marker table, before the first write").isFalse();
                createMarkerTable(c);
                assertThat(tableExists(cluster, primary)).as("the marker table, after the first write").isTrue();
                cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
                for (LocalNode replica : cluster.replicas()) {
                    cluster.stopReplication(replica); // no acknowledgement: the commit waits 6 s, the client 2 s
                }
                long started = System.nanoTime();
                if (mode.equals("transaction")) {
                    c.setAutoCommit(false);
                    ExternalPromotionIT.insert(c, 1);
                    c.commit();
                } else {
                    ExternalPromotionIT.insert(c, 1); // an auto-commit write, wrapped with a marker
                }
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertThat(tookMillis).as("the client gave up on the commit's answer first").isGreaterThan(1900);
                assertThat(resolved(events)).containsExactly("committed");
                assertThat(PromoteFailoverIT.rows(cluster, primary)).containsExactly(1L);
                System.out.printf("%s: resolved as committed after %d ms%n", mode, tookMillis);
            } finally {
                for (LocalNode replica : cluster.replicas()) {
                    cluster.startReplication(replica);
                }
            }
        }
    }

    @ParameterizedTest(name = "replay {0}")
    @ValueSource(strings = {"on", "off"})
    void aCommitLostWithItsPrimaryIsFoundNotCommittedThenReplayedOrReportedSafeToRetry(String replay)
            throws Exception {
        try (LocalCluster cluster = cluster()) {
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            LocalNode oldPrimary = cluster.primary();
            LocalNode chosen = cluster.replica(0);
            try (HaDataSource ds = dataSource(cluster, "&ha.replay=" + replay, events);
                 Connection c = ds.getConnection()) {
                createMarkerTable(c);
                // The marker table's first row reached the replicas' relay logs (semi-sync) but perhaps not their
                // tables: stopped now, the promoted replica would apply it only at promotion.
                cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
                c.setAutoCommit(false);
                ExternalPromotionIT.insert(c, 1);
                ExternalPromotionIT.insert(c, 2);
                for (LocalNode replica : cluster.replicas()) {
                    cluster.stopReplication(replica);
                }
                CompletableFuture<String> commit = heldInCommit(c::commit);
                cluster.kill(oldPrimary);
                cluster.promote(chosen); // it never received the transaction

                String outcome = commit.get(40, TimeUnit.SECONDS);
                assertThat(resolved(events)).containsExactly("not-committed");
                LocalNode newPrimary = cluster.adoptRoles();
                assertThat(newPrimary.serverId()).isEqualTo(chosen.serverId());
                if (replay.equals("on")) {
                    assertThat(outcome).as("commit() with replay").isEqualTo("ok");
                    assertThat(PromoteFailoverIT.count(events, HavenEvent.Type.REPLAY_SUCCEEDED)).isEqualTo(1);
                    assertThat(PromoteFailoverIT.rows(cluster, newPrimary)).containsExactly(1L, 2L);
                } else {
                    assertThat(outcome).as("commit() without replay: not committed, retry").isEqualTo("40001");
                    assertThat(PromoteFailoverIT.rows(cluster, newPrimary)).isEmpty();
                    // Safe to retry: the retried transaction applies once.
                    c.rollback();
                    ExternalPromotionIT.insert(c, 1);
                    ExternalPromotionIT.insert(c, 2);
                    c.commit();
                    assertThat(PromoteFailoverIT.rows(cluster, newPrimary)).containsExactly(1L, 2L);
                }
                assertThat(cluster.writableNodes()).isEqualTo(1);
            }
        }
    }

    /**
     * The fence is a write too. Here the new primary has no replica left to acknowledge it (semi-sync waits 6 s),
     * so the fence's own commit outlasts the socket timeout and is applied later, while its retry waits on its
     * lock. Before, the retry found the id there and took the fence's own row for the transaction's: "committed",
     * and an acknowledged auto-commit write that is on no node (found by the fault campaign in observe mode, seed
     * 16003). Now each fence leaves its own id beside the one it takes, and the retry looks for it. (The lookup is
     * the same for a transaction's commit; before the fix, that case failed the same way.)
     */
    @Test
    void aFenceWhoseOwnCommitOutlastedTheSocketTimeoutIsNotTakenForTheTransaction() throws Exception {
        try (LocalCluster cluster = cluster()) {
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            LocalNode oldPrimary = cluster.primary();
            LocalNode chosen = cluster.replica(0);
            try (HaDataSource ds = dataSource(cluster, "&ha.replay=on", events); Connection c = ds.getConnection()) {
                createMarkerTable(c);
                cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
                for (LocalNode replica : cluster.replicas()) {
                    cluster.stopReplication(replica);
                }
                // an auto-commit write, wrapped with a marker: its commit is the wait
                CompletableFuture<String> write = heldInCommit(() -> ExternalPromotionIT.insert(c, 1));
                cluster.kill(oldPrimary);
                cluster.kill(cluster.replica(1)); // the new primary will have no semi-sync replica
                cluster.promote(chosen); // it never received the transaction

                String outcome = write.get(60, TimeUnit.SECONDS);
                assertThat(resolved(events)).as("what the fences found").containsExactly("not-committed");
                assertThat(outcome).isEqualTo("ok");
                assertThat(PromoteFailoverIT.rows(cluster, chosen)).as("the write, run again once")
                        .containsExactly(1L);
            }
        }
    }

    /** Without a database in the URL there is nowhere for the marker table: refused at start, naming the key. */
    @Test
    void markersNeedADatabase() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(1).start()) {
            String url = "jdbc:ha:mariadb://" + cluster.hostList() + "?" + cluster.driverParameters("mariadb")
                    + SETTINGS;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> HaDataSource.builder().url(url)
                            .user(cluster.appUser()).password(cluster.appPassword()).build().getConnection().close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("ha.commitOutcome=marker");
        }
    }

    /** A unit of work that may fail with a {@link SQLException}. */
    private interface SqlWork {
        void run() throws SQLException;
    }

    /**
     * Runs {@code work} on another thread and returns once it is held in its commit: the semi-sync wait, with no
     * replica receiving. The future's value is "ok" or the SQLState the application got.
     */
    private static CompletableFuture<String> heldInCommit(SqlWork work) throws InterruptedException {
        CompletableFuture<String> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                work.run();
                return "ok";
            } catch (SQLException e) {
                return e.getSQLState();
            }
        });
        Thread.sleep(700); // the commit waits for an acknowledgement that never comes
        assertThat(outcome).isNotDone();
        return outcome;
    }

    private static List<String> resolved(List<HavenEvent> events) {
        return events.stream().filter(e -> e.type() == HavenEvent.Type.COMMIT_OUTCOME_RESOLVED)
                .map(HavenEvent::newValue).toList();
    }

    /**
     * The data source's first marked write creates the marker table (after a migration tool's start-up checks);
     * done here while replication runs, as the tests stop it afterwards. It changes no row.
     */
    static void createMarkerTable(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM t WHERE id = -1");
        }
    }

    private static boolean tableExists(LocalCluster cluster, LocalNode node) throws SQLException {
        try (Connection c = cluster.adminConnection(node); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'app'"
                     + " AND table_name = 'haven_commit_marker'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }
}
