package dev.haven.core;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouterTest {

    private static final String MARIA_AHEAD = "0-1-100";
    private static final String MARIA_BEHIND = "0-1-90";

    private final ClusterState state = new ClusterState(null, Clock.systemUTC());
    private final TestNodes nodes = new TestNodes(state);

    private static HavenConfig.Builder config() {
        return HavenConfig.builder().seeds("p");
    }

    private Router router(HavenConfig.Builder config) {
        return new Router(config.build(), state);
    }

    private Map<String, Integer> count(Router router, int reads) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < reads; i++) {
            Node n = router.routeRead();
            counts.merge(n == null ? "null" : n.address().host(), 1, Integer::sum);
        }
        return counts;
    }

    @Nested
    class Writes {
        @Test
        void goToThePrimary() throws Exception {
            Node p = nodes.primary("p");
            state.publish(List.of(p, nodes.replica("r1")));
            Router r = router(config());
            assertThat(r.routeWrite()).isSameAs(p);
            assertThat(r.awaitWrite()).isSameAs(p);
        }

        @Test
        void withoutPrimaryRouteWriteIsNullAndAwaitWriteFails() {
            state.publish(List.of(nodes.replica("r1")));
            Router r = router(config().set("ha.failover.timeout", "0s"));
            assertThat(r.routeWrite()).isNull();
            assertThatThrownBy(r::awaitWrite).isInstanceOf(NoPrimaryException.class).hasMessageContaining("waited 0 ms");
        }

        @Test
        void followTheLatestTopology() {
            Node p1 = nodes.primary("p1");
            state.publish(List.of(p1));
            Router r = router(config());
            assertThat(r.routeWrite()).isSameAs(p1);
            Node p2 = nodes.primary("p2");
            state.publish(List.of(p1.toBuilder().health(Health.DOWN).build(), p2));
            assertThat(r.routeWrite()).isSameAs(p2);
        }
    }

    @Nested
    class Reads {
        @Test
        void roundRobinVisitsEachReplicaOncePerCycle() {
            state.publish(List.of(nodes.primary("p"), nodes.replica("r1"), nodes.replica("r2"), nodes.replica("r3")));
            Router r = router(config());
            assertThat(count(r, 300)).containsOnly(Map.entry("r1", 100), Map.entry("r2", 100), Map.entry("r3", 100));
        }

        @Test
        void roundRobinCopesWithAShrinkingTopology() {
            state.publish(List.of(nodes.replica("r1"), nodes.replica("r2"), nodes.replica("r3")));
            Router r = router(config());
            r.routeRead();
            r.routeRead();
            state.publish(List.of(nodes.replica("r1")));
            assertThat(count(r, 5)).containsOnly(Map.entry("r1", 5));
        }

        @Test
        void ineligibleReplicasGetNoReads() {
            state.publish(List.of(nodes.primary("p"), nodes.replica("r1"),
                    nodes.replica("lagging").toBuilder().lagging(true).build(),
                    nodes.replica("suspect").toBuilder().health(Health.SUSPECT).build(),
                    nodes.replica("stopped").toBuilder().replicating(false).build()));
            assertThat(count(router(config()), 50)).containsOnly(Map.entry("r1", 50));
        }

        @Test
        void withoutEligibleReplicaFallBackToPrimaryOrFail() {
            Node p = nodes.primary("p");
            state.publish(List.of(p, nodes.replica("r1").toBuilder().health(Health.DOWN).build()));
            assertThat(router(config()).routeRead()).isSameAs(p);
            assertThat(router(config().readFallback(HavenConfig.ReadFallback.FAIL)).routeRead()).isNull();
        }

        @Test
        void withNothingAtAllReadIsNull() {
            assertThat(router(config()).routeRead()).isNull();
        }
    }

    @Nested
    class Zones {
        @Test
        void preferTheLocalZone() {
            ClusterState local = new ClusterState(config().zone("a").build());
            TestNodes n = new TestNodes(local);
            local.publish(List.of(n.primary("p"), n.replica("a1", "a"), n.replica("b1", "b"), n.replica("a2", "a")));
            Router r = new Router(config().zone("a").build(), local);
            assertThat(count(r, 100)).containsOnly(Map.entry("a1", 50), Map.entry("a2", 50));
        }

        @Test
        void fallBackToOtherZonesWhenNoLocalReplicaIsEligible() {
            ClusterState local = new ClusterState(config().zone("a").build());
            TestNodes n = new TestNodes(local);
            local.publish(List.of(n.primary("p"), n.replica("a1", "a").toBuilder().lagging(true).build(), n.replica("b1", "b")));
            assertThat(count(new Router(config().zone("a").build(), local), 10)).containsOnly(Map.entry("b1", 10));
        }
    }

    @Nested
    class Strategies {
        @Test
        void powerOfTwoNeverPicksTheBusiestOfThree() {
            Node idle = nodes.replica("idle");
            Node busy = nodes.replica("busy");
            Node busiest = nodes.replica("busiest");
            load(busy, 5);
            load(busiest, 9);
            state.publish(List.of(idle, busy, busiest));
            Map<String, Integer> counts = count(router(config().readStrategy(HavenConfig.ReadStrategy.POWER_OF_TWO)), 3000);
            assertThat(counts).doesNotContainKey("busiest").containsKeys("idle", "busy");
            assertThat(counts.get("idle")).isGreaterThan(counts.get("busy"));
        }

        @Test
        void leastOutstandingPicksTheIdlestAndSpreadsTies() {
            Node a = nodes.replica("a");
            Node b = nodes.replica("b");
            Node c = nodes.replica("c");
            load(c, 1);
            state.publish(List.of(a, b, c));
            Router r = router(config().readStrategy(HavenConfig.ReadStrategy.LEAST_OUTSTANDING));
            assertThat(count(r, 2000)).containsOnlyKeys("a", "b");
            load(a, 2);
            load(b, 2);
            assertThat(count(r, 100)).containsOnly(Map.entry("c", 100));
            b.stats().requestFinished();
            b.stats().requestFinished();
            assertThat(count(r, 100)).containsOnly(Map.entry("b", 100));
        }

        @Test
        void latencyWeightedFavoursFastReplicasInProportion() {
            Node fast = nodes.replica("fast");
            Node slow = nodes.replica("slow");
            fast.stats().recordLatency(1_000_000);
            slow.stats().recordLatency(9_000_000);
            state.publish(List.of(fast, slow));
            Map<String, Integer> counts = count(router(config().readStrategy(HavenConfig.ReadStrategy.LATENCY_WEIGHTED)), 20_000);
            // expected share of fast: (1/1) / (1/1 + 1/9) = 90 %; bounds are > 10 standard deviations wide
            assertThat(counts.get("fast")).isBetween(17_000, 19_000);
        }

        @Test
        void latencyWeightedTreatsUnknownAsAverageAndAllUnknownAsUniform() {
            Node known = nodes.replica("known");
            Node unknown = nodes.replica("unknown");
            known.stats().recordLatency(2_000_000);
            state.publish(List.of(known, unknown));
            Router r = router(config().readStrategy(HavenConfig.ReadStrategy.LATENCY_WEIGHTED));
            assertThat(count(r, 10_000).get("known")).isBetween(4_000, 6_000);
            ClusterState fresh = new ClusterState(null, Clock.systemUTC());
            TestNodes n = new TestNodes(fresh);
            fresh.publish(List.of(n.replica("x"), n.replica("y")));
            Map<String, Integer> uniform = count(new Router(config().readStrategy(HavenConfig.ReadStrategy.LATENCY_WEIGHTED).build(), fresh), 10_000);
            assertThat(uniform.get("x")).isBetween(4_000, 6_000);
        }

        @Test
        void everyStrategyHandlesASingleReplica() {
            Node only = nodes.replica("only");
            state.publish(List.of(only));
            for (HavenConfig.ReadStrategy s : HavenConfig.ReadStrategy.values()) {
                assertThat(router(config().readStrategy(s)).routeRead()).as(s.name()).isSameAs(only);
            }
        }

        private void load(Node n, int requests) {
            for (int i = 0; i < requests; i++) {
                n.stats().requestStarted();
            }
        }
    }

    @Nested
    class ReadYourWrites {
        private final ReplicationPosition written = ReplicationPosition.parse(MARIA_AHEAD);

        @Test
        void prefersAReplicaThatAlreadyCoversThePosition() {
            Node behind = nodes.replica("behind").toBuilder().position(ReplicationPosition.parse(MARIA_BEHIND)).build();
            Node ahead = nodes.replica("ahead").toBuilder().position(ReplicationPosition.parse(MARIA_AHEAD)).build();
            state.publish(List.of(nodes.primary("p"), behind, ahead));
            Router r = router(config());
            for (int i = 0; i < 50; i++) {
                assertThat(r.routeReadAfter(written)).isSameAs(ahead);
            }
        }

        @Test
        void otherwiseAReplicaToWaitOn() {
            Node behind = nodes.replica("behind").toBuilder().position(ReplicationPosition.parse(MARIA_BEHIND)).build();
            state.publish(List.of(nodes.primary("p"), behind));
            Node chosen = router(config()).routeReadAfter(written);
            assertThat(chosen).isSameAs(behind);
            assertThat(chosen.position().covers(written)).isFalse();
        }

        @Test
        void aCoveringReplicaInAnotherZoneBeatsWaitingLocally() {
            ClusterState local = new ClusterState(config().zone("a").build());
            TestNodes n = new TestNodes(local);
            Node localBehind = n.replica("a1", "a").toBuilder().position(ReplicationPosition.parse(MARIA_BEHIND)).build();
            Node remoteAhead = n.replica("b1", "b").toBuilder().position(ReplicationPosition.parse(MARIA_AHEAD)).build();
            local.publish(List.of(n.primary("p"), localBehind, remoteAhead));
            assertThat(new Router(config().zone("a").build(), local).routeReadAfter(written)).isSameAs(remoteAhead);
        }

        @Test
        void withoutReplicasThePrimaryOrNothing() {
            Node p = nodes.primary("p");
            state.publish(List.of(p));
            assertThat(router(config()).routeReadAfter(written)).isSameAs(p);
            assertThat(router(config().readFallback(HavenConfig.ReadFallback.FAIL)).routeReadAfter(written)).isNull();
        }

        @Test
        void emptyPositionIsAPlainRead() {
            state.publish(List.of(nodes.primary("p"), nodes.replica("r1"), nodes.replica("r2")));
            Router r = router(config());
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 10; i++) {
                counts.merge(r.routeReadAfter(ReplicationPosition.EMPTY).address().host(), 1, Integer::sum);
            }
            assertThat(counts).containsOnly(Map.entry("r1", 5), Map.entry("r2", 5));
        }
    }
}
