package dev.haven.core;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.haven.core.HavenEvent.Type.LAG_OVER;
import static dev.haven.core.HavenEvent.Type.LAG_UNDER;
import static dev.haven.core.HavenEvent.Type.NODE_DOWN;
import static dev.haven.core.HavenEvent.Type.NODE_SUSPECT;
import static dev.haven.core.HavenEvent.Type.NODE_UP;
import static dev.haven.core.HavenEvent.Type.ROLE_CHANGED;
import static dev.haven.core.HavenEvent.Type.TOPOLOGY_CHANGED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ClusterStateTest {

    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    private final ClusterState state = new ClusterState(null, Clock.fixed(NOW, ZoneOffset.UTC));
    private final TestNodes nodes = new TestNodes(state);
    private final List<HavenEvent> events = new ArrayList<>();

    ClusterStateTest() {
        state.addListener(events::add);
    }

    @Test
    void startsEmptyAndPublishSwapsTheSnapshot() {
        assertThat(state.current().epoch()).isZero();
        assertThat(state.current().nodes()).isEmpty();
        Topology t = state.current().successor(List.of(nodes.primary("p")));
        state.publish(t);
        assertThat(state.current()).isSameAs(t);
    }

    @Test
    void staleEpochIsRejected() {
        state.publish(Topology.of(5, List.of(), null));
        assertThatThrownBy(() -> state.publish(Topology.of(5, List.of(), null))).hasMessageContaining("stale topology: epoch 5");
        assertThatThrownBy(() -> state.publish(Topology.of(6, List.of(), "z1"))).hasMessageContaining("local zone");
        assertThat(state.publish(List.of()).epoch()).isEqualTo(6);
    }

    @Test
    void newNodesAnnounceTheirHealthExceptUnprobedSuspects() {
        state.publish(List.of(nodes.primary("p"), nodes.replica("r1"), nodes.node("r2").role(Role.REPLICA).build()));
        assertThat(types()).containsExactly(NODE_UP, NODE_UP, TOPOLOGY_CHANGED);
        HavenEvent up = events.get(0);
        assertThat(up.address()).isEqualTo(NodeAddress.parse("p"));
        assertThat(up.oldValue()).isNull();
        assertThat(up.newValue()).isEqualTo("UP");
        assertThat(up.timestamp()).isEqualTo(NOW);
        assertThat(up.message()).isEqualTo("p:3306 is UP (new -> UP): role PRIMARY");
        HavenEvent topo = events.get(2);
        assertThat(topo.oldValue()).isEqualTo("0");
        assertThat(topo.newValue()).isEqualTo("1");
        assertThat(topo.message()).contains("primary p:3306", "readable [r1:3306]");
    }

    @Test
    void firesOneEventPerDifference() {
        Node p = nodes.primary("p");
        Node r1 = nodes.replica("r1");
        Node r2 = nodes.replica("r2");
        state.publish(List.of(p, r1, r2));
        events.clear();

        state.publish(List.of(p.toBuilder().health(Health.SUSPECT).build(), r1.toBuilder().lagging(true).lagMillis(7000).build(), r2));
        assertThat(types()).containsExactly(NODE_SUSPECT, LAG_OVER, TOPOLOGY_CHANGED);
        assertThat(events.get(1).oldValue()).isEqualTo("lag 0ms");
        assertThat(events.get(1).newValue()).isEqualTo("lag 7000ms");
        events.clear();

        state.publish(List.of(p.toBuilder().health(Health.DOWN).build(), r1, r2.toBuilder().replicating(false).lagMillis(Node.LAG_UNKNOWN).build()));
        assertThat(types()).containsExactly(NODE_DOWN, LAG_UNDER, LAG_OVER, TOPOLOGY_CHANGED);
        assertThat(events.get(2).newValue()).isEqualTo("not replicating");
        events.clear();

        state.publish(List.of(p.toBuilder().health(Health.DOWN).build(), r1.toBuilder().role(Role.PRIMARY).replicating(false).build(), r2));
        assertThat(types()).containsExactly(ROLE_CHANGED, LAG_UNDER, TOPOLOGY_CHANGED);
        assertThat(events.get(0).oldValue()).isEqualTo("REPLICA");
        assertThat(events.get(0).newValue()).isEqualTo("PRIMARY");
    }

    @Test
    void sameStateAgainFiresNothingButRemovalDoes() {
        Node p = nodes.primary("p");
        Node r1 = nodes.replica("r1");
        state.publish(List.of(p, r1));
        events.clear();
        state.publish(List.of(p, r1.toBuilder().lagMillis(300).build()));
        assertThat(events).isEmpty();
        state.publish(List.of(p));
        assertThat(types()).containsExactly(TOPOLOGY_CHANGED);
        assertThat(events.get(0).message()).contains("removed [r1:3306]");
    }

    @Test
    void failingListenerDoesNotStopOthersAndRemovedListenerHearsNothing() {
        List<HavenEvent> second = new ArrayList<>();
        HavenEventListener thrower = e -> {
            throw new IllegalStateException("listener bug");
        };
        state.removeListener(events::add); // a different lambda instance: ignored
        state.addListener(thrower);
        state.addListener(second::add);
        state.publish(List.of(nodes.primary("p")));
        assertThat(second).hasSize(2);
        assertThat(events).hasSize(2);
        state.removeListener(thrower);
        state.removeListener(second::add);
        state.emit(HavenEvent.Type.FAILOVER_REFUSED, null, null, null, "replicas disagree");
        assertThat(second).hasSize(3);
        assertThat(events.get(2).message()).isEqualTo("failover refused: replicas disagree");
    }

    @Test
    void awaitPrimaryReturnsAtOnceWhenThereIsOne() throws Exception {
        Node p = nodes.primary("p");
        state.publish(List.of(p));
        assertThat(state.awaitPrimary(0, TimeUnit.SECONDS)).isSameAs(p);
    }

    @Test
    void awaitPrimaryFailsWithAnExplanation() {
        state.publish(List.of(nodes.primary("p").toBuilder().health(Health.DOWN).build(), nodes.replica("r1")));
        NoPrimaryException e = catchThrowableOfType(NoPrimaryException.class, () -> state.awaitPrimary(0, TimeUnit.MILLISECONDS));
        assertThat((Throwable) e).isInstanceOf(java.sql.SQLTransientConnectionException.class);
        assertThat(e.getSQLState()).isEqualTo("08001");
        assertThat(e.getMessage()).startsWith("No primary available for a write: waited 0 ms (ha.failover.timeout). ")
                .contains("Topology epoch 1: p:3306 PRIMARY DOWN; r1:3306 REPLICA UP;")
                .contains("raise ha.failover.timeout");
    }

    @Test
    void awaitPrimaryExplainsSplitBrainAndEmptyTopology() {
        NoPrimaryException empty = catchThrowableOfType(NoPrimaryException.class, () -> state.awaitPrimary(0, TimeUnit.MILLISECONDS));
        assertThat(empty.getMessage()).contains("No node has been discovered yet; check ha.seeds");
        state.publish(List.of(nodes.primary("a"), nodes.primary("b")));
        NoPrimaryException split = catchThrowableOfType(NoPrimaryException.class, () -> state.awaitPrimary(0, TimeUnit.MILLISECONDS));
        assertThat(split.getMessage()).contains("2 nodes claim to be primary");
    }

    @Test
    void awaitPrimaryWakesWhenAPrimaryIsPublished() throws Exception {
        state.publish(List.of(nodes.replica("r1")));
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<Node> result = CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            try {
                return state.awaitPrimary(1, TimeUnit.HOURS);
            } catch (NoPrimaryException e) {
                throw new AssertionError(e);
            }
        });
        awaitWaiting(waiter);
        state.publish(List.of(nodes.replica("r1"), nodes.replica("r2"))); // still no primary: keeps waiting
        awaitWaiting(waiter);
        assertThat(result).isNotDone();
        Node p = nodes.primary("p");
        state.publish(List.of(nodes.replica("r1"), p));
        assertThat(result.get(1, TimeUnit.MINUTES)).isSameAs(p);
    }

    @Test
    void interruptedWaitFailsAndKeepsTheFlag() throws Exception {
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            try {
                state.awaitPrimary(1, TimeUnit.HOURS);
                return "no exception";
            } catch (NoPrimaryException e) {
                return e.getMessage().substring(0, 60) + " interrupted=" + Thread.interrupted();
            }
        });
        awaitWaiting(waiter);
        waiter.get().interrupt();
        assertThat(result.get(1, TimeUnit.MINUTES)).contains("interrupted after").endsWith("interrupted=true");
    }

    private static void awaitWaiting(AtomicReference<Thread> waiter) throws InterruptedException {
        while (waiter.get() == null || waiter.get().getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(1);
        }
    }

    private List<HavenEvent.Type> types() {
        List<HavenEvent.Type> t = new ArrayList<>();
        for (HavenEvent e : events) {
            t.add(e.type());
        }
        return t;
    }
}
