package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 bug 2: with one replica applying 30 s late on purpose ({@code MASTER_DELAY=30}, everything received),
 * the primary dies. The caught-up replica is promoted at once, although the delayed one has the lower
 * {@code server_id}, and reads keep flowing throughout.
 */
class DelayedReplicaFailoverIT {

    @Test
    void theCaughtUpReplicaIsPromotedOverADelayedOneAndReadsNeverFail() throws Exception {
        try (LocalCluster cluster = PromoteFailoverIT.cluster()) {
            LocalNode oldPrimary = cluster.primary();
            LocalNode delayed = cluster.replicas().stream().min((a, b) -> Integer.compare(a.serverId(), b.serverId()))
                    .orElseThrow();
            LocalNode healthy = cluster.replicas().stream().filter(r -> r != delayed).findFirst().orElseThrow();
            cluster.delayReplication(delayed, 30);
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            try (HaDataSource ds = HaDataSource.builder().url(PromoteFailoverIT.promoteUrl(cluster, ""))
                    .user(cluster.appUser()).password(cluster.appPassword()).listener(events::add).build()) {
                for (int i = 1; i <= 20; i++) {
                    try (Connection c = ds.getConnection()) {
                        ExternalPromotionIT.insert(c, i);
                    }
                }
                String target = query(cluster, oldPrimary, "SELECT @@GLOBAL.gtid_binlog_pos");
                PromoteFailoverIT.await(() -> target.equals(received(cluster, delayed)), "the delayed replica to receive all");
                assertThat(query(cluster, healthy, "SELECT MASTER_GTID_WAIT('" + target + "', 10)")).isEqualTo("0");
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicLong reads = new AtomicLong();
                List<String> readFailures = new CopyOnWriteArrayList<>();
                Thread reader = new Thread(() -> {
                    while (running.get()) {
                        try (Connection c = ds.getConnection()) {
                            c.setReadOnly(true);
                            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
                                rs.next();
                                reads.incrementAndGet();
                            }
                        } catch (SQLException e) {
                            readFailures.add(e.getSQLState() + " " + e.getMessage());
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                    }
                }, "test-reader");
                reader.start();
                try {
                    TimeUnit.MILLISECONDS.sleep(500);
                    long killedAt = System.nanoTime();
                    cluster.kill(oldPrimary);
                    dev.haven.core.HavenCluster haven = ds.cluster();
                    PromoteFailoverIT.await(() -> haven.topology().primary() != null
                            && haven.topology().primary().serverId() != oldPrimary.serverId(), "a new primary");
                    long promotedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                    assertThat(haven.topology().primary().serverId()).as("the promoted replica")
                            .isEqualTo(healthy.serverId());
                    // Detection takes 1.5 s here; a promotion waiting for the 30 s delay would take far longer.
                    assertThat(promotedMillis).as("ms from the kill to the promotion").isLessThan(15_000);
                    try (Connection c = ds.getConnection()) {
                        ExternalPromotionIT.insert(c, 100);
                    }
                    long readsBefore = reads.get();
                    PromoteFailoverIT.await(() -> reads.get() > readsBefore + 20, "reads after the promotion");
                    System.out.printf("promoted %d ms after the kill; %d reads, %d failed%n", promotedMillis,
                            reads.get(), readFailures.size());
                } finally {
                    running.set(false);
                    reader.join(30_000);
                }
                assertThat(readFailures).as("read-only reads that failed during the failover").isEmpty();
            }
        }
    }

    private static String received(LocalCluster cluster, LocalNode replica) {
        try (Connection c = cluster.adminConnection(replica); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
            return rs.next() ? rs.getString("Gtid_IO_Pos").trim() : "";
        } catch (SQLException e) {
            return "";
        }
    }

    private static String query(LocalCluster cluster, LocalNode node, String sql) throws SQLException {
        try (Connection c = cluster.adminConnection(node); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1).trim();
        }
    }
}
