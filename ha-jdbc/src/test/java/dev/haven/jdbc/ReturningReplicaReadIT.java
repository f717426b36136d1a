package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.Health;
import dev.haven.core.ReplicationPosition;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Found by the fault campaign (seed 9102): a replica killed for a few seconds came back just as the primary died.
 * It had missed every write since its kill, and its source was gone, so it could not catch up; Haven kept it
 * serving reads "with the lag it had" before its kill (none), and reads missed writes acknowledged seconds before.
 * A replica's lag is now unknown from the moment it is {@code DOWN}, and a replica lacking transactions that
 * another live node holds is at least as stale as the primary's oldest sample it lacks (PrimaryPositions).
 */
class ReturningReplicaReadIT {

    static final String FAST = "ha.probeInterval=200ms&ha.suspectAfter=400ms&ha.deadAfter=1500ms"
            + "&ha.connectTimeout=500ms&ha.probeTimeout=500ms&ha.initialGrace=500ms&ha.maxReplicaLag=2s"
            + "&socketTimeout=3000";

    @Test
    void aReplicaBackWithoutItsDeadSourceServesNoReadStalerThanTheLagBound() throws Exception {
        try (LocalCluster cluster = withTable(2)) {
            LocalNode primary = cluster.primary();
            LocalNode returning = cluster.replica(0);
            try (HaDataSource ds = HaDataSource.builder().url(ExternalPromotionIT.url(cluster, "mariadb", FAST))
                    .user(cluster.appUser()).password(cluster.appPassword()).build()) {
                cluster.kill(returning);
                RoutingContractTests.awaitTopology(ds.cluster(), t -> t.nodes().stream().anyMatch(
                        n -> n.serverId() == returning.serverId() && n.health() == Health.DOWN), "the replica down");
                long last = 0;
                for (long id = 1; id <= 50; id++) {
                    try (Connection c = ds.getConnection()) {
                        ExternalPromotionIT.insert(c, id); // acknowledged by the primary and the other replica
                        last = id;
                    }
                }
                long ackedAt = System.nanoTime();
                cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10)); // the live replica has them all
                awaitAge(ackedAt, 2500); // the writes older than ha.maxReplicaLag by the time the replica is back
                cluster.kill(primary); // observe mode: nobody promotes, the returning replica cannot catch up
                cluster.restart(returning);
                RoutingContractTests.awaitTopology(ds.cluster(), t -> t.nodes().stream().anyMatch(
                        n -> n.serverId() == returning.serverId() && n.health() == Health.UP), "the replica back");
                assertNoStaleReads(ds, last, TimeUnit.SECONDS.toNanos(3));
            }
        }
    }

    /**
     * Found by the campaign (seed 9211): a replica whose applier runs late (a delay just set) when the primary dies
     * holds received, unapplied writes. With its source gone the lag counter says nothing more, and Haven kept the
     * lag measured before the delay showed. What it received and has not applied now counts as staleness.
     */
    @Test
    void aDelayedReplicaWhoseSourceDiedServesNoReadStalerThanTheLagBound() throws Exception {
        // One replica: no other node holds what it lacks (in the campaign, the other one was a fenced old primary)
        try (LocalCluster cluster = withTable(1)) {
            LocalNode primary = cluster.primary();
            try (HaDataSource ds = HaDataSource.builder().url(ExternalPromotionIT.url(cluster, "mariadb", FAST))
                    .user(cluster.appUser()).password(cluster.appPassword()).build()) {
                cluster.delayReplication(cluster.replica(0), 6);
                long last = 0;
                for (long id = 1; id <= 50; id++) {
                    try (Connection c = ds.getConnection()) {
                        ExternalPromotionIT.insert(c, id); // the delayed replica applies them 6 s from now
                        last = id;
                    }
                }
                long ackedAt = System.nanoTime();
                // A probe of the primary has seen them (what the replica is held against); then it dies (observe)
                ReplicationPosition written;
                try (Connection c = cluster.adminConnection(primary); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery(cluster.server().isMySql() ? "SELECT @@GLOBAL.gtid_executed"
                             : "SELECT @@GLOBAL.gtid_binlog_pos")) {
                    rs.next();
                    written = ReplicationPosition.parse(rs.getString(1));
                }
                RoutingContractTests.awaitTopology(ds.cluster(), t -> t.primary() != null
                        && t.primary().position().covers(written), "a probe of the primary seeing the writes");
                cluster.kill(primary);
                // From 3 s after the acknowledgements (ha.maxReplicaLag, plus the lag's 1 s resolution) until the
                // delayed replica applies them, no read may miss them.
                awaitAge(ackedAt, 3200);
                assertNoStaleReads(ds, last, TimeUnit.MILLISECONDS.toNanos(2300));
            }
        }
    }

    /**
     * Found by the campaign (seed 14076): a replica applying 8 s late, the other replica frozen, the primary killed,
     * then the delay removed. MariaDB's {@code CHANGE MASTER} empties the relay log, so the replica threw away the
     * writes it had received (and acknowledged, for semi-sync) without applying them, and with its source dead it
     * could not fetch them again. It had applied all it still knew of, no live node held more, and Haven served
     * reads from it missing seconds of acknowledged writes. What this data source saw acknowledged now counts on its
     * own: a replica lacking such a write is at least as stale as the write is old.
     *
     * <p>Found again by the campaign with a follower (seed 21036): in observe mode a data source records no
     * acknowledged writes, so the same replica served its reads. What the replica itself reported received from
     * its source, and no longer has, now counts too.
     */
    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"promote", "observe"})
    void aReplicaThatThrewAwayItsRelayLogWhileItsSourceWasDeadServesNoReadMissingAcknowledgedWrites(String mode)
            throws Exception {
        try (LocalCluster cluster = withTable(2)) {
            LocalNode primary = cluster.primary();
            LocalNode delayed = cluster.replica(0);
            // Promote mode tracks the acknowledged writes (the RPO guard); no promotion can happen here (the frozen
            // replica cannot be locked). Observe mode records none. A read with no primary and no fresh replica
            // fails after 1 s.
            String url = mode.equals("promote") ? PromoteFailoverIT.promoteUrl(cluster, "&ha.maxReplicaLag=2s")
                    .replace("ha.failover.timeout=15s", "ha.failover.timeout=1s")
                    : ExternalPromotionIT.url(cluster, "mariadb", FAST + "&ha.failover.timeout=1s");
            try (HaDataSource ds = HaDataSource.builder().url(url).user(cluster.appUser())
                    .password(cluster.appPassword()).build()) {
                cluster.delayReplication(delayed, 8);
                cluster.freeze(cluster.replica(1));
                long last = 0;
                for (long id = 1; id <= 50; id++) {
                    try (Connection c = ds.getConnection()) {
                        ExternalPromotionIT.insert(c, id); // semi-sync: acknowledged once the delayed one has it
                        last = id;
                    }
                }
                long ackedAt = System.nanoTime();
                cluster.kill(primary);
                RoutingContractTests.awaitTopology(ds.cluster(), t -> t.nodes().stream().anyMatch(
                        n -> n.serverId() == primary.serverId() && n.health() == Health.DOWN), "the primary down");
                cluster.delayReplication(delayed, 0); // the received, unapplied writes are gone with the relay log
                awaitAge(ackedAt, 3200);
                Reads reads = read(ds, last, TimeUnit.SECONDS.toNanos(2));
                assertThat(reads.stale()).as("reads missing writes acknowledged longer ago than ha.maxReplicaLag;"
                        + " nodes %s", ds.cluster().topology().nodes()).isZero();
                assertThat(reads.failures().keySet()).as("failed reads").isSubsetOf("08001");
                cluster.thaw(cluster.replica(1));
            }
        }
    }

    /** A started cluster whose primary has the table {@code t}, replicated to every replica. */
    static LocalCluster withTable(int replicas) throws SQLException {
        LocalCluster cluster = LocalCluster.builder().replicas(replicas).start();
        try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
        }
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
        return cluster;
    }

    /** Returns once {@code millis} have passed since {@code sinceNanos}: the writes must be that old, by design. */
    static void awaitAge(long sinceNanos, long millis) throws InterruptedException {
        long left;
        while ((left = sinceNanos + TimeUnit.MILLISECONDS.toNanos(millis) - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** Reads for {@code nanos} on read-only connections: none may lack {@code last}, and none may fail. */
    private static void assertNoStaleReads(HaDataSource ds, long last, long nanos) throws Exception {
        Reads reads = read(ds, last, nanos);
        assertThat(reads.stale()).as("reads missing writes acknowledged longer ago than ha.maxReplicaLag").isZero();
        assertThat(reads.failures()).as("failed reads").isEmpty();
        assertThat(reads.byServer()).as("reads served (a read may wait for a replica back within bounds)").isNotEmpty();
    }

    /** What {@link #read} saw: reads missing the last write, reads per server_id, failures per SQLState. */
    record Reads(int stale, Map<Long, Integer> byServer, Map<String, Integer> failures) {
    }

    /** Reads the highest id for {@code nanos} on read-only connections, counting those that lack {@code last}. */
    static Reads read(HaDataSource ds, long last, long nanos) {
        Map<Long, Integer> readsByServer = new TreeMap<>();
        Map<String, Integer> failures = new TreeMap<>();
        int stale = 0;
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            try (Connection c = ds.getConnection()) {
                c.setReadOnly(true);
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(id), 0), @@server_id FROM t")) {
                    rs.next();
                    if (rs.getLong(1) < last) {
                        stale++;
                    }
                    readsByServer.merge(rs.getLong(2), 1, Integer::sum);
                }
            } catch (SQLException e) {
                failures.merge(e.getSQLState(), 1, Integer::sum);
            }
        }
        System.out.printf("reads by server_id %s, failures by SQLState %s, %d missing writes acknowledged longer ago"
                + " than the bound%n", readsByServer, failures, stale);
        return new Reads(stale, readsByServer, failures);
    }
}
