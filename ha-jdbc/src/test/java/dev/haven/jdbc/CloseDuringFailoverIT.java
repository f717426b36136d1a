package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.HavenEvent;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 bug 7: {@code close()} right after the promotion of a frozen primary, while the promotion's settling
 * still waits for the replicas' receivers to give up on the hung server, ends every thread Haven started, and no
 * event reaches a listener after it returned.
 */
class CloseDuringFailoverIT {

    /** What close() may take: the failover's own bound (3 s) and the pools', with headroom for a loaded machine. */
    private static final long CLOSE_BOUND_MILLIS = 8_000;

    @Test
    void closeRightAfterAPromotionEndsEveryHavenThreadAndDeliversNoLaterEvent() throws Exception {
        try (LocalCluster cluster = PromoteFailoverIT.cluster()) {
            LocalNode oldPrimary = cluster.primary();
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            List<HavenEvent> late = new CopyOnWriteArrayList<>();
            AtomicBoolean closed = new AtomicBoolean();
            HaDataSource ds = HaDataSource.builder().url(PromoteFailoverIT.promoteUrl(cluster, ""))
                    .user(cluster.appUser()).password(cluster.appPassword()).listener(e -> {
                        (closed.get() ? late : events).add(e);
                    }).build();
            try {
                try (PromoteFailoverIT.Writer writer = new PromoteFailoverIT.Writer(ds)) {
                    PromoteFailoverIT.await(() -> writer.acked.size() >= 10, "writes before the fault");
                    cluster.freeze(oldPrimary);
                    PromoteFailoverIT.await(() -> PromoteFailoverIT.count(events, HavenEvent.Type.PROMOTED) >= 1,
                            "the promotion");
                    assertThat(PromoteFailoverIT.count(events, HavenEvent.Type.FAILOVER_FINISHED))
                            .as("the settling is still under way (the receivers wait on the frozen server)").isZero();
                    long began = System.nanoTime();
                    ds.close();
                    long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
                    closed.set(true);
                    List<String> alive = havenThreads();
                    System.out.printf("close() took %d ms; haven threads alive right after: %s%n", closeMillis, alive);
                    assertThat(closeMillis).as("ms close() took").isLessThan(CLOSE_BOUND_MILLIS);
                    assertThat(alive).as("haven threads alive after close() returned").isEmpty();
                }
                // The frozen server and the replicas' receivers would have let the settling go on for seconds.
                TimeUnit.SECONDS.sleep(6);
                assertThat(havenThreads()).as("haven threads alive 6 s after close()").isEmpty();
                assertThat(late).as("events delivered after close() returned").isEmpty();
            } finally {
                closed.set(true);
                ds.close();
                cluster.thaw(oldPrimary);
            }
        }
    }

    /**
     * {@code close()} right after the promotion of a crashed primary (as soon as the new primary is in the topology)
     * lets the promotion settle first: the other replica is re-pointed to the new primary. Cut short, it kept its
     * link to the old primary, and so did the new primary; when the old primary came back, both receivers
     * reconnected to it and a later instance took it for the primary the replicas follow.
     */
    @Test
    void closeRightAfterThePromotionOfACrashedPrimaryLeavesTheOtherReplicaFollowingTheNewPrimary() throws Exception {
        try (LocalCluster cluster = PromoteFailoverIT.cluster()) {
            LocalNode oldPrimary = cluster.primary();
            LocalNode newPrimary;
            try (HaDataSource ds = HaDataSource.builder().url(PromoteFailoverIT.promoteUrl(cluster, ""))
                    .user(cluster.appUser()).password(cluster.appPassword()).build()) {
                cluster.kill(oldPrimary);
                RoutingContractTests.awaitTopology(ds.cluster(), t -> t.primary() != null
                        && t.primary().serverId() != oldPrimary.serverId(), "a new primary");
                newPrimary = cluster.nodeByServerId(ds.topology().primary().serverId());
            }
            for (LocalNode other : cluster.nodes()) {
                if (other != oldPrimary && other != newPrimary) {
                    PromoteFailoverIT.await(() -> PromoteFailoverIT.replicatesFrom(cluster, other, newPrimary),
                            other.name() + " replicating from the new primary " + newPrimary.name());
                }
            }
        }
    }

    private static List<String> havenThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("haven-") && !n.startsWith("haven-proxy-")) // the test kit's proxies
                .sorted().collect(Collectors.toList());
    }
}
