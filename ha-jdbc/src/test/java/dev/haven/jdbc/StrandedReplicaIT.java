package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.Health;
import dev.haven.core.HavenEvent;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A replica left following a replaced primary: its re-pointing by the promotion failed, or it was away while the
 * promotion ran. Found by the fault campaign (seed 13171: a replica restarted while the promotion re-pointed it,
 * then the new primary restarted too). Two defects: nothing re-pointed it later, so the new primary, back read-only,
 * was never made writable again (its rule wants every other node following it); and it served reads that missed
 * everything the new primary had acknowledged, its lag being measured against the replaced primary.
 *
 * <p>Four nodes, so that a promotion can lock a majority of the replicas with one of them away.
 */
class StrandedReplicaIT {

    private static final String SETTINGS = "&ha.maxReplicaLag=2s&ha.failover.minInterval=60s";

    @Test
    void aReplicaAwayDuringThePromotionIsRePointedToTheNewPrimaryWhenItReturns() throws Exception {
        try (LocalCluster cluster = ReturningReplicaReadIT.withTable(3)) {
            LocalNode away = cluster.replica(2);
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            try (HaDataSource ds = HaDataSource.builder().url(PromoteFailoverIT.promoteUrl(cluster, SETTINGS))
                    .user(cluster.appUser()).password(cluster.appPassword()).listener(events::add).build()) {
                LocalNode newPrimary = promoteWithReplicaAway(cluster, ds, away);
                insert(ds, 1, 50);
                cluster.restart(away); // it comes back replicating from the dead old primary
                PromoteFailoverIT.await(() -> PromoteFailoverIT.replicatesFrom(cluster, away, newPrimary),
                        "the returned replica re-pointed to the new primary");
                PromoteFailoverIT.await(() -> rowsOn(cluster, away) == 50, "the returned replica caught up");
                // the event follows the re-pointing, which the replica may show first
                PromoteFailoverIT.await(() -> events.stream().anyMatch(e -> e.type() == HavenEvent.Type.ROLE_CHANGED
                        && e.address().port() == away.port() && "STRANDED_REPLICA".equals(e.oldValue())),
                        "ROLE_CHANGED from STRANDED_REPLICA");
            }
        }
    }

    @Test
    void aReplicaFollowingAReplacedPrimaryServesNoStaleReadAndIsRePointedToTheReturningPrimary() throws Exception {
        try (LocalCluster cluster = ReturningReplicaReadIT.withTable(3)) {
            LocalNode oldPrimary = cluster.primary();
            LocalNode away = cluster.replica(2);
            // A read with no primary and no fresh replica fails after ha.failover.timeout: 1 s, not the usual 15 s.
            String url = PromoteFailoverIT.promoteUrl(cluster, SETTINGS)
                    .replace("ha.failover.timeout=15s", "ha.failover.timeout=1s");
            try (HaDataSource ds = HaDataSource.builder().url(url)
                    .user(cluster.appUser()).password(cluster.appPassword()).build()) {
                LocalNode newPrimary = promoteWithReplicaAway(cluster, ds, away);
                LocalNode other = cluster.replicas().stream()
                        .filter(n -> n != away && n != newPrimary).findFirst().orElseThrow();
                insert(ds, 1, 50);
                long ackedAt = System.nanoTime();
                PromoteFailoverIT.await(() -> rowsOn(cluster, other) == 50, "the other replica caught up");
                // Every node holding the new primary's writes goes away (ha.failover.minInterval: no second
                // promotion), the replaced primary comes back (read-only, fenced), and the replica that missed the
                // promotion comes back following it: nothing live shows what it lacks.
                cluster.kill(other);
                cluster.kill(newPrimary);
                cluster.restartReadOnly(oldPrimary);
                cluster.restartReadOnly(away);
                awaitHealth(ds, away, Health.UP);
                PromoteFailoverIT.await(() -> receiving(cluster, away), "the replica receiving from the old primary");
                // Older than ha.maxReplicaLag, plus the lag's 1 s resolution
                ReturningReplicaReadIT.awaitAge(ackedAt, 3200);
                // A read may fail (no primary and no fresh replica: the documented 08001 after ha.failover.timeout),
                // but none may lack what was acknowledged longer ago than ha.maxReplicaLag.
                ReturningReplicaReadIT.Reads reads = ReturningReplicaReadIT.read(ds, 50, TimeUnit.SECONDS.toNanos(2));
                assertThat(reads.stale()).as("stale reads; nodes %s", ds.cluster().topology().nodes()).isZero();
                assertThat(reads.failures().keySet()).as("failed reads").isSubsetOf("08001");

                // The new primary comes back read-only (nobody replaced it): the stranded replica is re-pointed to
                // it, and once every node follows it, it is made writable again.
                cluster.restartReadOnly(newPrimary);
                cluster.restartReadOnly(other);
                PromoteFailoverIT.await(() -> PromoteFailoverIT.replicatesFrom(cluster, away, newPrimary),
                        "the stranded replica re-pointed to the returned primary");
                awaitWriteAccepted(ds, 51);
                PromoteFailoverIT.await(() -> rowsOn(cluster, away) == 51, "the re-pointed replica caught up");
                assertThat(cluster.writableNodes()).isEqualTo(1);
            }
        }
    }

    /**
     * The new primary dies before the promotion's settling made it forget its source (the settling waits for its
     * receiver, which waits on the partitioned old primary until {@code slave_net_timeout}), and the server resumes
     * that link when it restarts: it looks like a replica of the replaced primary. Found by the fault campaign (seed
     * 16096: no node writable to the end). The link is removed and the primary made writable again once the other
     * replica follows it; before the fix, no write was ever accepted again.
     */
    @Test
    void aNewPrimaryRestartedBeforeItForgotItsOldLinkIsMadeWritableAgain() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).replicationThroughProxy(true).start()) {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
            }
            cluster.awaitReplicationCaughtUp(java.time.Duration.ofSeconds(10));
            LocalNode oldPrimary = cluster.primary();
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            try (HaDataSource ds = HaDataSource.builder().url(PromoteFailoverIT.promoteUrl(cluster, SETTINGS))
                    .user(cluster.appUser()).password(cluster.appPassword()).listener(events::add).build()) {
                insert(ds, 1, 20);
                cluster.partition(oldPrimary); // from everyone: the replicas' receivers hang on it
                RoutingContractTests.awaitTopology(ds.cluster(), t -> PromoteFailoverIT.replaced(t, oldPrimary),
                        "a promotion");
                LocalNode newPrimary = cluster.nodeByServerId(ds.cluster().topology().primary().serverId());
                cluster.kill(newPrimary); // while the settling still waits to make it forget the old primary
                cluster.restartReadOnly(newPrimary); // it resumes replicating from the old primary
                cluster.heal(oldPrimary);
                awaitWriteAccepted(ds, 21);
                assertThat(events).anyMatch(e -> e.type() == HavenEvent.Type.ROLE_CHANGED
                        && e.address().port() == newPrimary.port() && "STRANDED_PRIMARY".equals(e.oldValue()));
                assertThat(cluster.writableNodes()).isEqualTo(1);
                assertThat(rowsOn(cluster, newPrimary)).as("every acknowledged write on the primary").isEqualTo(21);
            }
        }
    }

    /** Kills {@code away}, then the primary; returns the replica Haven promoted in its place. */
    private static LocalNode promoteWithReplicaAway(LocalCluster cluster, HaDataSource ds, LocalNode away)
            throws SQLException {
        LocalNode oldPrimary = cluster.primary();
        cluster.kill(away);
        awaitHealth(ds, away, Health.DOWN);
        cluster.kill(oldPrimary);
        RoutingContractTests.awaitTopology(ds.cluster(), t -> PromoteFailoverIT.replaced(t, oldPrimary),
                "a promotion");
        return cluster.nodeByServerId(ds.cluster().topology().primary().serverId());
    }

    /** Tries the write {@code id} until it is accepted: a primary is writable again. */
    private static void awaitWriteAccepted(HaDataSource ds, long id) {
        PromoteFailoverIT.await(() -> {
            try (Connection c = ds.getConnection()) {
                ExternalPromotionIT.insert(c, id);
                return true;
            } catch (SQLException e) {
                return false;
            }
        }, "a write accepted again");
    }

    private static void insert(HaDataSource ds, long from, long to) throws SQLException {
        for (long id = from; id <= to; id++) {
            try (Connection c = ds.getConnection()) {
                ExternalPromotionIT.insert(c, id);
            }
        }
    }

    private static void awaitHealth(HaDataSource ds, LocalNode node, Health health) throws SQLException {
        RoutingContractTests.awaitTopology(ds.cluster(), t -> t.nodes().stream().anyMatch(
                n -> n.serverId() == node.serverId() && n.health() == health), node + " " + health);
    }

    private static long rowsOn(LocalCluster cluster, LocalNode node) {
        try (Connection c = cluster.adminConnection(node); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM app.t")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    /** Whether the replica's receiver is connected to its source. */
    private static boolean receiving(LocalCluster cluster, LocalNode replica) {
        try (Connection c = cluster.adminConnection(replica); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
            return rs.next() && "Yes".equals(rs.getString("Slave_IO_Running"));
        } catch (SQLException e) {
            return false;
        }
    }
}
