package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.HavenEvent;
import dev.haven.core.NodeAddress;
import dev.haven.core.PrimaryFencer;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code ha.failover.fencer}: a primary frozen past its replacement is powered off by the fencing agent before the
 * replica promoted in its place becomes writable, so it can never answer a client as a writable server again (the
 * window no client closes: a statement already waiting in the frozen server runs the moment it thaws, before any
 * fencing statement). A fencer that fails stops the promotion and changes nothing on the replicas.
 */
class PrimaryFencerIT {

    /** Fails while {@code broken}, as a fencing agent whose power switch does not answer; then kills. */
    public static final class UnreliableFencer implements PrimaryFencer {
        static final AtomicInteger CALLS = new AtomicInteger();
        static volatile boolean broken = true;

        @Override
        public void fence(NodeAddress primary, long serverId) throws IOException {
            CALLS.incrementAndGet();
            if (broken) {
                throw new IOException("the power switch of " + primary + " did not answer");
            }
            LocalCluster.killNodeAt(primary.host(), primary.port());
        }
    }

    @Test
    void aFrozenPrimaryIsPoweredOffBeforeTheReplicaInItsPlaceIsWritable() throws Exception {
        try (LocalCluster cluster = PromoteFailoverIT.cluster()) {
            LocalNode oldPrimary = cluster.primary();
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            // The application's own instance (HaDataSource.Builder.fencer), which can hold what a class name cannot:
            // here the cluster it powers nodes off in, as a cloud client would be.
            AtomicInteger calls = new AtomicInteger();
            PrimaryFencer powerOff = (primary, serverId) -> {
                calls.incrementAndGet();
                LocalNode node = cluster.nodeByServerId(serverId);
                if (node.port() != primary.port()) {
                    throw new IllegalStateException("no node of this cluster is " + primary + ", server_id " + serverId);
                }
                cluster.kill(node);
            };
            Set<Long> acked;
            try (HaDataSource ds = HaDataSource.builder().url(PromoteFailoverIT.promoteUrl(cluster, ""))
                    .fencer(powerOff)
                    .user(cluster.appUser()).password(cluster.appPassword()).listener(events::add).build();
                 PromoteFailoverIT.Writer writer = new PromoteFailoverIT.Writer(ds)) {
                PromoteFailoverIT.await(() -> writer.acked.size() >= 20, "writes before the fault");
                cluster.freeze(oldPrimary);
                PromoteFailoverIT.await(() -> PromoteFailoverIT.count(events, HavenEvent.Type.PROMOTED) >= 1,
                        "a promotion during the freeze");
                assertThat(oldPrimary.isRunning()).as("the old primary's process, fenced by the agent").isFalse();
                int fenced = indexOf(events, HavenEvent.Type.FENCED, "ISOLATED");
                assertThat(fenced).as("the agent's FENCED event, in %s", events).isGreaterThanOrEqualTo(0);
                assertThat(fenced).as("fenced before the promotion").isLessThan(indexOf(events,
                        HavenEvent.Type.PROMOTED, "PRIMARY"));
                assertThat(events.get(fenced).address().port()).isEqualTo(oldPrimary.port());
                assertThat(calls.get()).isEqualTo(1);
                assertThat(events.get(fenced).message()).as("a lambda is named by its interface")
                        .contains(": PrimaryFencer isolated the primary");
                cluster.thaw(oldPrimary); // nothing left to thaw: it can never answer as the old primary again
                int before = writer.acked.size();
                PromoteFailoverIT.await(() -> writer.acked.size() >= before + 20, "writes on the new primary");
                assertThat(cluster.writableNodes()).isEqualTo(1);
                // Back from the power-off as every node boots, read-only: it stays so, a replaced primary.
                cluster.restartReadOnly(oldPrimary);
                int afterRestart = writer.acked.size();
                PromoteFailoverIT.await(() -> writer.acked.size() >= afterRestart + 20, "writes after its restart");
                assertThat(cluster.writableNodes()).isEqualTo(1);
                acked = new HashSet<>(writer.acked);
            }
            LocalNode newPrimary = cluster.adoptRoles();
            assertThat(newPrimary.serverId()).isNotEqualTo(oldPrimary.serverId());
            Set<Long> missing = new HashSet<>(acked);
            PromoteFailoverIT.rows(cluster, newPrimary).forEach(missing::remove);
            assertThat(missing).as("acknowledged writes missing on the new primary").isEmpty();
        }
    }

    @Test
    void aFencerThatFailsStopsThePromotionAndChangesNothingOnTheReplicas() throws Exception {
        try (LocalCluster cluster = PromoteFailoverIT.cluster()) {
            LocalNode oldPrimary = cluster.primary();
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            UnreliableFencer.CALLS.set(0);
            UnreliableFencer.broken = true;
            try (HaDataSource ds = HaDataSource.builder().url(PromoteFailoverIT.promoteUrl(cluster,
                            "&ha.failover.fencer=" + UnreliableFencer.class.getName()))
                    .user(cluster.appUser()).password(cluster.appPassword()).listener(events::add).build()) {
                try (Connection c = ds.getConnection()) {
                    ExternalPromotionIT.insert(c, 1);
                }
                cluster.freeze(oldPrimary);
                PromoteFailoverIT.await(() -> events.stream().anyMatch(e -> e.type()
                        == HavenEvent.Type.FAILOVER_FINISHED && e.message().contains("could not fence")),
                        "a promotion abandoned by the failed fencer");
                HavenEvent abandoned = events.stream().filter(e -> e.type() == HavenEvent.Type.FAILOVER_FINISHED)
                        .findFirst().orElseThrow();
                assertThat(abandoned.message()).contains(UnreliableFencer.class.getName()).contains("IOException")
                        .doesNotContain("power switch"); // the agent's own text goes to the log only
                assertThat(PromoteFailoverIT.count(events, HavenEvent.Type.PROMOTED)).isZero();
                for (LocalNode replica : cluster.replicas()) {
                    assertThat(appliesAndReadOnly(cluster, replica)).as("%s still applying and read-only", replica)
                            .isTrue();
                }
                // The next ticks leave the agent alone for a while (a power or cloud API is not asked 4 times a
                // second) and say so.
                PromoteFailoverIT.await(() -> events.stream().anyMatch(e -> e.type()
                        == HavenEvent.Type.FAILOVER_REFUSED && e.message().contains("the fencer failed")),
                        "a refusal while the failed fencer is left alone");
                assertThat(UnreliableFencer.CALLS.get()).isEqualTo(1);
                UnreliableFencer.broken = false;
                PromoteFailoverIT.await(() -> PromoteFailoverIT.count(events, HavenEvent.Type.PROMOTED) >= 1,
                        "the promotion once the fencer works");
                assertThat(oldPrimary.isRunning()).isFalse();
                assertThat(UnreliableFencer.CALLS.get()).isGreaterThanOrEqualTo(2);
                try (Connection c = ds.getConnection()) {
                    ExternalPromotionIT.insert(c, 2);
                }
                assertThat(cluster.writableNodes()).isEqualTo(1);
            } finally {
                cluster.thaw(oldPrimary);
            }
        }
    }

    private static int indexOf(List<HavenEvent> events, HavenEvent.Type type, String newValue) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).type() == type && newValue.equals(events.get(i).newValue())) {
                return i;
            }
        }
        return -1;
    }

    private static boolean appliesAndReadOnly(LocalCluster cluster, LocalNode replica) throws SQLException {
        try (Connection c = cluster.adminConnection(replica); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT @@read_only")) {
                rs.next();
                if (rs.getInt(1) == 0) {
                    return false;
                }
            }
            try (ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
                return rs.next() && "Yes".equals(rs.getString("Slave_SQL_Running"));
            }
        }
    }
}
