package dev.haven.core.internal;

import dev.haven.core.ClusterState;
import dev.haven.core.HavenConfig;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.PromotionRule;
import dev.haven.core.Role;
import dev.haven.core.Topology;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Drives the detector with a fake clock. Defaults: suspectAfter 1s, deadAfter 2s, initialGrace 10s, recoverAfter 2. */
class FailureDetectorTest {

    private static final NodeAddress DB1 = NodeAddress.parse("db1");
    private static final NodeAddress DB2 = NodeAddress.parse("db2");
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private long now = 1_000_000_000_000L; // arbitrary origin: nanoTime has none
    private final List<NodeAddress> probeRequests = new ArrayList<>();

    private FailureDetector detector(HavenConfig config) {
        return new FailureDetector(config, () -> now, probeRequests::add);
    }

    private FailureDetector detector() {
        return detector(HavenConfig.builder().seeds("db1").build());
    }

    private void advanceMillis(long ms) {
        now += ms * MS;
    }

    @Nested
    class Health_ {
        private final FailureDetector d = detector();

        @Test
        void newNodeIsSuspectUntilItsFirstSuccessfulProbe() {
            d.register(DB1);
            assertThat(d.health(DB1)).isEqualTo(Health.SUSPECT);
            assertThat(d.probeSucceeded(DB1, 100_000)).isEqualTo(Health.UP);
            assertThat(d.health(DB1)).isEqualTo(Health.UP);
        }

        @Test
        void unknownNodeIsSuspect() {
            assertThat(d.health(DB2)).isEqualTo(Health.SUSPECT);
            assertThat(d.knows(DB2)).isFalse();
        }

        @Test
        void upNodeTurnsSuspectWhenAProbeSentAfterItsLastSuccessIsLate() {
            d.probeSucceeded(DB1, 1);
            advanceMillis(1000);
            d.probeStarted(DB1); // the next probe hangs
            advanceMillis(249);
            assertThat(d.health(DB1)).isEqualTo(Health.UP);
            advanceMillis(1);
            assertThat(d.health(DB1)).as("a quarter of the probe timeout unanswered").isEqualTo(Health.SUSPECT);
        }

        @Test
        void suspectNodeTurnsDownAfterDeadAfterOfSilence() {
            d.probeSucceeded(DB1, 1);
            advanceMillis(1000);
            d.probeStarted(DB1);
            advanceMillis(999);
            assertThat(d.health(DB1)).isEqualTo(Health.SUSPECT);
            advanceMillis(1);
            assertThat(d.health(DB1)).isEqualTo(Health.DOWN);
        }

        @Test
        void schedulingJitterAloneNeverSuspects() {
            // The prober is not scheduled on time (a busy machine): each probe is sent up to 999 ms after the
            // interval, and answered within 200 ms. Before, silence past suspectAfter alone made the node SUSPECT.
            d.probeSucceeded(DB1, 1);
            long[] sendDelays = {0, 999, 500, 998, 3, 750, 999, 0, 999};
            long[] latencies = {1, 200, 5, 249, 1, 100, 240, 2, 1};
            for (int i = 0; i < sendDelays.length; i++) {
                for (long left = 1000 + sendDelays[i]; left > 0; left -= Math.min(10, left)) {
                    advanceMillis(Math.min(10, left));
                    assertThat(d.health(DB1)).as("probe %d, %d ms before it was sent", i, left).isEqualTo(Health.UP);
                }
                d.probeStarted(DB1);
                advanceMillis(latencies[i]);
                assertThat(d.health(DB1)).as("probe %d in flight for %d ms", i, latencies[i]).isEqualTo(Health.UP);
                assertThat(d.probeSucceeded(DB1, latencies[i] * MS)).isEqualTo(Health.UP);
            }
        }

        @Test
        void aHungProbeSentLateStillSuspectsAndKillsOnTime() {
            d.probeSucceeded(DB1, 1);
            advanceMillis(1600); // sent 600 ms late
            d.probeStarted(DB1);
            advanceMillis(249);
            assertThat(d.health(DB1)).isEqualTo(Health.UP);
            advanceMillis(1);
            assertThat(d.health(DB1)).isEqualTo(Health.SUSPECT);
            advanceMillis(149); // 1999 ms of silence
            assertThat(d.health(DB1)).isEqualTo(Health.SUSPECT);
            advanceMillis(1);
            assertThat(d.health(DB1)).as("deadAfter from the last success, as before").isEqualTo(Health.DOWN);
        }

        @Test
        void aStarvedMonitorWaitsAsLongAsItsOwnThreadsAreLateBeforeCallingAProbeLate() {
            d.probeSucceeded(DB1, 1);
            advanceMillis(1000);
            d.probeStarted(DB1);
            d.schedulingDelayObserved(300 * MS); // the ticker woke 300 ms late: the prober may be as late
            advanceMillis(549);
            assertThat(d.health(DB1)).isEqualTo(Health.UP);
            advanceMillis(1);
            assertThat(d.health(DB1)).as("250 ms + 300 ms of scheduling delay").isEqualTo(Health.SUSPECT);
        }

        @Test
        void schedulingSlackDecaysAndNeverPassesTheProbeTimeout() {
            d.schedulingDelayObserved(5_000 * MS);
            d.probeSucceeded(DB1, 1);
            advanceMillis(500);
            d.probeStarted(DB1);
            advanceMillis(999);
            assertThat(d.health(DB1)).isEqualTo(Health.UP);
            advanceMillis(1);
            assertThat(d.health(DB1)).as("capped at the probe timeout").isEqualTo(Health.SUSPECT);
            for (int i = 0; i < 100; i++) {
                d.schedulingDelayObserved(0);
            }
            d.probeSucceeded(DB1, 1);
            d.probeSucceeded(DB1, 1);
            advanceMillis(1000);
            d.probeStarted(DB1);
            advanceMillis(251); // the slack left after 100 quiet ticks is microseconds
            assertThat(d.health(DB1)).as("decayed back to the plain bound").isEqualTo(Health.SUSPECT);
        }

        @Test
        void aProberThatCannotSendAtAllSuspectsOneIntervalLater() {
            d.probeSucceeded(DB1, 1);
            advanceMillis(1999);
            assertThat(d.health(DB1)).isEqualTo(Health.UP);
            advanceMillis(1);
            assertThat(d.health(DB1)).as("suspectAfter + probeInterval").isEqualTo(Health.SUSPECT);
            advanceMillis(999);
            assertThat(d.health(DB1)).isEqualTo(Health.SUSPECT);
            advanceMillis(1);
            assertThat(d.health(DB1)).as("deadAfter + probeInterval").isEqualTo(Health.DOWN);
        }

        @Test
        void aFailedProbeMakesSilenceCountAgain() {
            d.probeSucceeded(DB1, 1);
            advanceMillis(1000);
            d.probeStarted(DB1);
            advanceMillis(10);
            assertThat(d.probeFailed(DB1, new IOException("reset"))).isEqualTo(Health.SUSPECT);
            advanceMillis(989); // no probe in flight, but the last one failed
            assertThat(d.health(DB1)).isEqualTo(Health.SUSPECT);
            advanceMillis(1);
            assertThat(d.health(DB1)).isEqualTo(Health.DOWN);
        }

        @Test
        void silenceJumpingPastDeadAfterGoesStraightToDown() {
            d.probeSucceeded(DB1, 1);
            advanceMillis(60_000);
            assertThat(d.health(DB1)).isEqualTo(Health.DOWN);
        }

        @Test
        void eachSuccessfulProbeRestartsTheSilence() {
            d.probeSucceeded(DB1, 1);
            for (int i = 0; i < 10; i++) {
                advanceMillis(900);
                assertThat(d.probeSucceeded(DB1, 1)).isEqualTo(Health.UP);
            }
            assertThat(d.health(DB1)).isEqualTo(Health.UP);
        }

        @Test
        void neverSeenNodeIsNotDownBeforeInitialGrace() {
            d.register(DB1);
            advanceMillis(9_999);
            assertThat(d.health(DB1)).isEqualTo(Health.SUSPECT);
            advanceMillis(1);
            assertThat(d.health(DB1)).isEqualTo(Health.DOWN);
        }

        @Test
        void initialGraceDoesNotProtectANodeSeenUp() {
            d.probeSucceeded(DB1, 1);
            d.probeStarted(DB1);
            advanceMillis(2_000);
            assertThat(d.health(DB1)).isEqualTo(Health.DOWN);
        }

        @Test
        void initialGraceCountsFromDetectorStartNotFromRegistration() {
            advanceMillis(20_000);
            d.register(DB2);
            d.probeStarted(DB2); // its first probe hangs
            advanceMillis(1_999);
            assertThat(d.health(DB2)).isEqualTo(Health.SUSPECT);
            advanceMillis(1);
            assertThat(d.health(DB2)).isEqualTo(Health.DOWN);
        }

        @Test
        void downNodeNeedsRecoverAfterConsecutiveSuccesses() {
            d.probeSucceeded(DB1, 1);
            advanceMillis(5_000);
            assertThat(d.health(DB1)).isEqualTo(Health.DOWN);
            assertThat(d.probeSucceeded(DB1, 1)).isEqualTo(Health.DOWN);
            assertThat(d.health(DB1)).isEqualTo(Health.DOWN);
            advanceMillis(1000);
            assertThat(d.probeSucceeded(DB1, 1)).isEqualTo(Health.UP);
        }

        @Test
        void aFailureBetweenSuccessesRestartsTheRecoveryCount() {
            d.probeSucceeded(DB1, 1);
            d.probeFailed(DB1, new IOException("refused"));
            assertThat(d.probeSucceeded(DB1, 1)).isEqualTo(Health.SUSPECT);
            assertThat(d.probeFailed(DB1, new IOException("refused"))).isEqualTo(Health.SUSPECT);
            assertThat(d.probeSucceeded(DB1, 1)).isEqualTo(Health.SUSPECT);
            assertThat(d.probeSucceeded(DB1, 1)).isEqualTo(Health.UP);
        }

        @Test
        void failedProbeMakesAnUpNodeSuspectAtOnceAndDownFollowsFromTime() {
            d.probeSucceeded(DB1, 1);
            assertThat(d.probeFailed(DB1, new IOException("timeout"))).isEqualTo(Health.SUSPECT);
            advanceMillis(1_999);
            assertThat(d.probeFailed(DB1, new IOException("timeout"))).isEqualTo(Health.SUSPECT);
            advanceMillis(1);
            assertThat(d.probeFailed(DB1, new IOException("timeout"))).isEqualTo(Health.DOWN);
        }

        @Test
        void threeRefusedProbesInARowMakeANodeDownBeforeDeadAfter() {
            d.probeSucceeded(DB1, 1);
            assertThat(d.probeRefused(DB1)).isEqualTo(Health.SUSPECT);
            advanceMillis(250);
            assertThat(d.probeRefused(DB1)).isEqualTo(Health.SUSPECT);
            advanceMillis(250);
            assertThat(d.probeRefused(DB1)).isEqualTo(Health.DOWN);
            assertThat(d.health(DB1)).isEqualTo(Health.DOWN);
        }

        @Test
        void aTimedOutProbeOrASuccessBreaksARunOfRefusals() {
            d.probeSucceeded(DB1, 1);
            d.probeRefused(DB1);
            d.probeRefused(DB1);
            assertThat(d.probeFailed(DB1, new IOException("timeout"))).isEqualTo(Health.SUSPECT);
            assertThat(d.probeRefused(DB1)).isEqualTo(Health.SUSPECT);
            d.probeRefused(DB1);
            d.probeSucceeded(DB1, 1);
            assertThat(d.probeRefused(DB1)).isEqualTo(Health.SUSPECT);
        }

        @Test
        void refusalsDoNotCutTheInitialGraceOfANodeNeverSeenUp() {
            d.register(DB2);
            for (int i = 0; i < 5; i++) {
                assertThat(d.probeRefused(DB2)).isEqualTo(Health.SUSPECT);
            }
            advanceMillis(10_000);
            assertThat(d.health(DB2)).isEqualTo(Health.DOWN);
        }

        @Test
        void flappingNodeStaysOutOfRotation() {
            d.probeSucceeded(DB1, 1);
            for (int i = 0; i < 20; i++) {
                assertThat(d.probeFailed(DB1, null)).isNotEqualTo(Health.UP);
                assertThat(d.probeSucceeded(DB1, 1)).isEqualTo(Health.SUSPECT);
            }
        }

        @Test
        void recoverAfterOneMakesTheFirstSuccessEnough() {
            FailureDetector one = detector(HavenConfig.builder().seeds("db1").recoverAfter(1).build());
            one.probeSucceeded(DB1, 1);
            one.probeFailed(DB1, null);
            assertThat(one.probeSucceeded(DB1, 1)).isEqualTo(Health.UP);
        }

        @Test
        void forgottenNodeIsUnknownAgain() {
            d.probeSucceeded(DB1, 1);
            d.forget(DB1);
            assertThat(d.knows(DB1)).isFalse();
            assertThat(d.health(DB1)).isEqualTo(Health.SUSPECT);
        }

        @Test
        void probeLatencyIsAveraged() {
            assertThat(d.probeLatencyNanos(DB1)).isEqualTo(Node.LATENCY_UNKNOWN);
            d.probeSucceeded(DB1, 1000);
            assertThat(d.probeLatencyNanos(DB1)).isEqualTo(1000);
            d.probeSucceeded(DB1, 2000);
            assertThat(d.probeLatencyNanos(DB1)).isEqualTo(1250);
        }
    }

    @Nested
    class PassiveFailures {
        private final FailureDetector d = detector();

        @Test
        void marksSuspectAtOnceAndRequestsOneProbe() {
            d.probeSucceeded(DB1, 1);
            assertThat(d.passiveFailure(DB1)).isTrue();
            assertThat(d.health(DB1)).isEqualTo(Health.SUSPECT);
            assertThat(d.passiveFailure(DB1)).isFalse();
            assertThat(probeRequests).containsExactly(DB1);
        }

        @Test
        void aProbeResultReArmsTheRequest() {
            d.probeSucceeded(DB1, 1);
            d.passiveFailure(DB1);
            d.probeFailed(DB1, null);
            assertThat(d.passiveFailure(DB1)).isTrue();
            d.probeSucceeded(DB1, 1);
            assertThat(d.passiveFailure(DB1)).isTrue();
            assertThat(probeRequests).containsExactly(DB1, DB1, DB1);
        }

        @Test
        void isNotDownBeforeDeadAfterAndNeedsRecovery() {
            d.probeSucceeded(DB1, 1);
            d.passiveFailure(DB1);
            advanceMillis(1_999);
            assertThat(d.health(DB1)).isEqualTo(Health.SUSPECT);
            assertThat(d.probeSucceeded(DB1, 1)).isEqualTo(Health.SUSPECT);
            assertThat(d.probeSucceeded(DB1, 1)).isEqualTo(Health.UP);
        }

        @Test
        void unknownNodeIsIgnored() {
            assertThat(d.passiveFailure(DB2)).isFalse();
            assertThat(probeRequests).isEmpty();
            assertThat(d.knows(DB2)).isFalse();
        }
    }

    @Nested
    class Lag {
        // maxReplicaLag 5s, lagHysteresis 1s: lagging above 5000 ms, fresh again below 4000 ms
        private final FailureDetector d = detector();

        @Test
        void newReplicaIsNotReplicatingUntilObserved() {
            d.register(DB1);
            assertThat(d.isReplicating(DB1)).isFalse();
            assertThat(d.isLagging(DB1)).isFalse();
            assertThat(d.lagMillis(DB1)).isEqualTo(Node.LAG_UNKNOWN);
        }

        @Test
        void lagCrossesThresholdsWithHysteresis() {
            assertThat(d.lagObserved(DB1, 0)).isFalse();
            assertThat(d.isReplicating(DB1)).isTrue();
            assertThat(d.lagObserved(DB1, 5_000)).isFalse();
            assertThat(d.lagObserved(DB1, 5_001)).isTrue();
            assertThat(d.lagObserved(DB1, 4_500)).isTrue();
            assertThat(d.lagObserved(DB1, 4_000)).isTrue();
            assertThat(d.lagObserved(DB1, 3_999)).isFalse();
            assertThat(d.lagObserved(DB1, 4_500)).isFalse();
            assertThat(d.lagMillis(DB1)).isEqualTo(4_500);
        }

        /**
         * Seconds_Behind_Master truncates: a replica reporting 5 with a 5 s bound may be 5.9 s behind, which must not
         * serve reads; one reporting 4 is inside the band; 3 is fresh.
         */
        @Test
        void wholeSecondsCountAsTheMostTheyMayMean() {
            assertThat(HealthMonitor.lagUpperBoundMillis(0)).isZero();
            assertThat(HealthMonitor.lagUpperBoundMillis(-1)).isNegative();
            assertThat(d.lagObserved(DB1, HealthMonitor.lagUpperBoundMillis(5))).isTrue();
            assertThat(d.lagObserved(DB1, HealthMonitor.lagUpperBoundMillis(4))).isTrue();
            assertThat(d.lagObserved(DB1, HealthMonitor.lagUpperBoundMillis(3))).isFalse();
            assertThat(d.lagObserved(DB2, HealthMonitor.lagUpperBoundMillis(3))).isFalse();
        }

        @Test
        void replicaJoiningInsideTheBandStartsLagging() {
            assertThat(d.lagObserved(DB1, 4_500)).isTrue();
            assertThat(d.lagObserved(DB2, 3_000)).isFalse();
        }

        @Test
        void stoppedReplicationIsNotLagZero() {
            d.lagObserved(DB1, 0);
            d.replicationStopped(DB1);
            assertThat(d.isReplicating(DB1)).isFalse();
            assertThat(d.isLagging(DB1)).isFalse();
            assertThat(d.lagMillis(DB1)).isEqualTo(Node.LAG_UNKNOWN);
        }

        @Test
        void unknownLagMeansNotReplicating() {
            d.lagObserved(DB1, 0);
            assertThat(d.lagObserved(DB1, Node.LAG_UNKNOWN)).isFalse();
            assertThat(d.isReplicating(DB1)).isFalse();
        }

        @Test
        void restartedReplicationMustCatchUpBelowTheLowMark() {
            d.lagObserved(DB1, 0);
            d.replicationStopped(DB1);
            assertThat(d.lagObserved(DB1, 4_200)).isTrue();
            assertThat(d.lagObserved(DB1, 100)).isFalse();
        }
    }

    @Nested
    class Assembly {
        private final HavenConfig config = HavenConfig.builder().seeds("db1")
                .set("ha.zones", "db2=eu-1b").set("ha.promotion", "db2=never").build();
        private final FailureDetector d = detector(config);
        private final ClusterState state = new ClusterState(config);
        private final TopologyAssembler assembler = new TopologyAssembler(config, d, state);

        @Test
        void combinesFactsVerdictsAndConfiguration() {
            d.probeSucceeded(DB1, 1);
            d.probeSucceeded(DB2, 2_000_000);
            d.lagObserved(DB2, 1_200);
            Topology t = assembler.publish(List.of(
                    new NodeFacts(DB1, Role.PRIMARY, 1, "0-1-100"),
                    new NodeFacts(DB2, Role.REPLICA, 2, "0-1-99")));
            assertThat(t.epoch()).isEqualTo(1);
            assertThat(state.current()).isSameAs(t);
            assertThat(t.primary().address()).isEqualTo(DB1);
            assertThat(t.primary().replicating()).isFalse();
            Node replica = t.node(DB2);
            assertThat(replica.eligibleForReads()).isTrue();
            assertThat(replica.lagMillis()).isEqualTo(1_200);
            assertThat(replica.zone()).isEqualTo("eu-1b");
            assertThat(replica.promotionRule()).isEqualTo(PromotionRule.NEVER);
            assertThat(replica.probeLatencyNanos()).isEqualTo(2_000_000);
            assertThat(replica.serverId()).isEqualTo(2);
            assertThat(replica.position()).hasToString("0-1-99");
            assertThat(replica.stats()).isSameAs(state.statsFor(DB2));
            assertThat(t.readReplicas()).containsExactly(replica);
        }

        @Test
        void laggingSuspectOrStoppedReplicasAreNotReadable() {
            d.probeSucceeded(DB2, 1);
            d.lagObserved(DB2, 9_000);
            assertThat(assembler.node(new NodeFacts(DB2, Role.REPLICA, 2, "")).eligibleForReads()).isFalse();
            d.lagObserved(DB2, 0);
            assertThat(assembler.node(new NodeFacts(DB2, Role.REPLICA, 2, "")).eligibleForReads()).isTrue();
            d.passiveFailure(DB2);
            assertThat(assembler.node(new NodeFacts(DB2, Role.REPLICA, 2, "")).eligibleForReads()).isFalse();
            d.probeSucceeded(DB2, 1);
            d.probeSucceeded(DB2, 1);
            d.replicationStopped(DB2);
            assertThat(assembler.node(new NodeFacts(DB2, Role.REPLICA, 2, "")).eligibleForReads()).isFalse();
        }

        @Test
        void unreadablePositionIsEmptyAndUnknownSeedIsSuspect() {
            Node n = assembler.node(new NodeFacts(DB1, Role.REPLICA, 0, "garbage"));
            assertThat(n.position().isEmpty()).isTrue();
            Node seed = assembler.node(NodeFacts.unknown(DB2));
            assertThat(seed.role()).isEqualTo(Role.UNKNOWN);
            assertThat(seed.health()).isEqualTo(Health.SUSPECT);
        }
    }
}
