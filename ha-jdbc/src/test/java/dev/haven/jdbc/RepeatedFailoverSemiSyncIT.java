package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.HavenEvent;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 bug 4: two failovers in a row leave the last server alone; it must not keep semi-sync's primary side
 * on with no replica, where every commit waits the whole semi-sync timeout.
 */
class RepeatedFailoverSemiSyncIT {

    @Test
    void aPrimaryPromotedWithNoReplicaLeftDoesNotWaitForSemiSyncAcknowledgements() throws Exception {
        // semi-sync on, 5 s timeout (the test kit's defaults); the application's socket timeout is 3 s
        try (LocalCluster cluster = PromoteFailoverIT.cluster()) {
            assertThat(cluster.semiSync()).isTrue();
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            try (HaDataSource ds = HaDataSource.builder()
                    .url(PromoteFailoverIT.promoteUrl(cluster, "&ha.failover.minInterval=1s"))
                    .user(cluster.appUser()).password(cluster.appPassword()).listener(events::add).build()) {
                dev.haven.core.HavenCluster cluster0 = ds.cluster();
                try (Connection c = ds.getConnection()) {
                    ExternalPromotionIT.insert(c, 1);
                }
                LocalNode first = cluster.primary();
                cluster.kill(first);
                PromoteFailoverIT.await(() -> PromoteFailoverIT.count(events, HavenEvent.Type.FAILOVER_FINISHED) >= 1
                        && cluster0.topology().primary() != null && cluster0.topology().primary().serverId() != first.serverId()
                        && cluster0.topology().primary().health() == dev.haven.core.Health.UP, "the first failover");
                LocalNode second = cluster.adoptRoles();
                assertThat(semiSyncPrimary(cluster, second)).as("semi-sync on the first new primary, which has a replica")
                        .isEqualTo(1);
                try (Connection c = ds.getConnection()) {
                    ExternalPromotionIT.insert(c, 2);
                }
                TimeUnit.MILLISECONDS.sleep(1500); // past ha.failover.minInterval
                cluster.kill(second);
                PromoteFailoverIT.await(() -> PromoteFailoverIT.count(events, HavenEvent.Type.FAILOVER_FINISHED) >= 2
                        && cluster0.topology().primary() != null && cluster0.topology().primary().serverId() != second.serverId()
                        && cluster0.topology().primary().health() == dev.haven.core.Health.UP, "the second failover");
                LocalNode last = cluster.adoptRoles();
                assertThat(last.serverId()).isNotIn(first.serverId(), second.serverId());
                assertThat(semiSyncPrimary(cluster, last)).as("semi-sync on a primary with no replica").isZero();
                for (int i = 0; i < 5; i++) {
                    long began = System.nanoTime();
                    try (Connection c = ds.getConnection()) {
                        ExternalPromotionIT.insert(c, 10 + i);
                    }
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
                    // A commit waiting for a semi-sync acknowledgement takes the 5 s timeout (and fails at 3 s).
                    assertThat(millis).as("ms for a write on the lone primary").isLessThan(2_500);
                }
                System.out.println("Second failover: " + events.stream()
                        .filter(e -> e.type() == HavenEvent.Type.FAILOVER_FINISHED).reduce((a, b) -> b).orElseThrow()
                        .message());
            }
        }
    }

    private static int semiSyncPrimary(LocalCluster cluster, LocalNode node) throws Exception {
        try (Connection c = cluster.adminConnection(node); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@GLOBAL.rpl_semi_sync_master_enabled")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
