package dev.haven.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.ClusterState;
import dev.haven.core.HavenConfig;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.PromotionRule;
import dev.haven.core.Role;
import dev.haven.core.ServerState;
import dev.haven.core.ServerState.IoState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The guards and the choice of candidate, without servers. */
class FailoverRulesTest {

    private static final long SECOND = 1_000_000_000L;
    private final ClusterState state = new ClusterState(HavenConfig.builder().seeds("db1").build());
    private final Node primary = node("db1", 1, Role.PRIMARY, Health.DOWN, PromotionRule.NEUTRAL, "a");

    private Node node(String address, long serverId, Role role, Health health, PromotionRule rule, String zone) {
        return Node.builder(state.statsFor(NodeAddress.parse(address))).serverId(serverId).role(role).health(health)
                .promotionRule(rule).zone(zone).build();
    }

    private FailoverRules.Replica replica(String address, long serverId, String received, boolean linkLost) {
        return replica(node(address, serverId, Role.REPLICA, Health.UP, PromotionRule.NEUTRAL, "b"), received, received,
                linkLost);
    }

    private static FailoverRules.Replica replica(Node node, String received, String executed, boolean linkLost) {
        ServerState.Replication link = new ServerState.Replication("db1", 3306, 1,
                linkLost ? IoState.CONNECTING : IoState.RUNNING, true, 0, received, 10, -1, 1000, "");
        ServerState s = new ServerState(node.address(), node.serverId(), ServerState.Flavor.MARIADB, "11.4.5-MariaDB",
                true, Role.REPLICA, true, executed, link, List.of());
        return new FailoverRules.Replica(node, s, linkLost);
    }

    private FailoverRules.Decision decide(List<FailoverRules.Replica> replicas) {
        return FailoverRules.decide(primary, null, replicas, Long.MAX_VALUE, 60 * SECOND, 0);
    }

    @Test
    void promotesTheMostAdvancedReplicaWhenTheReplicasAgree() {
        FailoverRules.Decision d = decide(List.of(replica("db2", 2, "0-1-40", true), replica("db3", 3, "0-1-42", true)));
        assertThat(d.promote()).isTrue();
        assertThat(d.candidate().node().serverId()).isEqualTo(3);
        assertThat(d.dataLoss()).isZero();
    }

    @Test
    void aPrimaryTheReplicasStillSeeIsNotReplaced() {
        FailoverRules.Decision d = decide(List.of(replica("db2", 2, "0-1-40", false), replica("db3", 3, "0-1-40", true)));
        assertThat(d.promote()).isFalse();
        assertThat(d.reason()).contains("the replicas still see db1:3306: 1 of 2 reachable replicas have a live link");
    }

    @Test
    void onlyReachableReplicasVote() {
        Node down = node("db3", 3, Role.REPLICA, Health.DOWN, PromotionRule.NEUTRAL, "b");
        FailoverRules.Decision d = decide(List.of(replica("db2", 2, "0-1-40", true), replica(down, "0-1-40", "0-1-40", false)));
        assertThat(d.promote()).isTrue();
        assertThat(d.candidate().node().serverId()).isEqualTo(2);
        assertThat(decide(List.of(replica(down, "0-1-40", "0-1-40", true))).reason()).contains("no replica of db1:3306 is reachable");
    }

    @Test
    void underTheLockAMajorityOfAllReplicasMustShowTheLinkLostAfresh() {
        // One replica of two looked unreachable to a starved instance and the other one's link looked lost: the
        // monitor's view alone allowed a promotion of a live primary (FleetFailoverIT under heavy load).
        assertThat(FailoverRules.confirmUnderLock(2, 1)).contains("1 of 2 replicas");
        assertThat(FailoverRules.confirmUnderLock(2, 0)).isNotNull();
        assertThat(FailoverRules.confirmUnderLock(2, 2)).isNull();
        assertThat(FailoverRules.confirmUnderLock(3, 2)).isNull();
        assertThat(FailoverRules.confirmUnderLock(4, 2)).isNotNull();
        assertThat(FailoverRules.confirmUnderLock(1, 1)).isNull();
    }

    @Test
    void aPrimaryThatIsOnlySuspectIsNotReplaced() {
        Node suspect = node("db1", 1, Role.PRIMARY, Health.SUSPECT, PromotionRule.NEUTRAL, "a");
        FailoverRules.Decision d = FailoverRules.decide(suspect, null, List.of(replica("db2", 2, "0-1-1", true)),
                Long.MAX_VALUE, 0, 0);
        assertThat(d.promote()).isFalse();
        assertThat(d.reason()).contains("SUSPECT, not DOWN");
    }

    @Test
    void noSecondPromotionWithinTheMinimumInterval() {
        FailoverRules.Decision d = FailoverRules.decide(primary, null, List.of(replica("db2", 2, "0-1-1", true)),
                10 * SECOND, 60 * SECOND, 0);
        assertThat(d.promote()).isFalse();
        assertThat(d.reason()).contains("a promotion happened 10000 ms ago; ha.failover.minInterval is 60000 ms");
    }

    @Test
    void theDataLossGuardRefusesACandidateBehindADeadReplica() {
        Node ahead = node("db3", 3, Role.REPLICA, Health.DOWN, PromotionRule.NEUTRAL, "b");
        List<FailoverRules.Replica> replicas = List.of(replica("db2", 2, "0-1-40", true),
                replica(ahead, "0-1-45", "0-1-45", true));
        FailoverRules.Decision d = decide(replicas);
        assertThat(d.promote()).isFalse();
        assertThat(d.reason()).contains("db2:3306 lacks 5 transaction(s)").contains("ha.failover.maxDataLoss is 0");
        FailoverRules.Decision tolerant = FailoverRules.decide(primary, null, replicas, Long.MAX_VALUE, 0, 5);
        assertThat(tolerant.promote()).isTrue();
        assertThat(tolerant.dataLoss()).isEqualTo(5);
    }

    @Test
    void neverIsNeverPromotedAndPreferWinsAmongEquals() {
        Node never = node("db2", 2, Role.REPLICA, Health.UP, PromotionRule.NEVER, "b");
        Node prefer = node("db4", 4, Role.REPLICA, Health.UP, PromotionRule.PREFER, "b");
        List<FailoverRules.Replica> replicas = new ArrayList<>(List.of(replica(never, "0-1-50", "0-1-50", true),
                replica("db3", 3, "0-1-50", true), replica(prefer, "0-1-50", "0-1-50", true)));
        FailoverRules.Decision d = decide(replicas);
        assertThat(d.candidate().node().serverId()).isEqualTo(4);
        assertThat(d.ranked()).extracting(r -> r.node().serverId()).containsExactly(4L, 3L);
        // The most advanced replica is marked never: the others lack what it has, so the guard refuses.
        replicas.set(0, replica(never, "0-1-51", "0-1-51", true));
        assertThat(decide(replicas).reason()).contains("db2:3306 is marked never");
    }

    @Test
    void theOldPrimarysZoneWinsAmongEquals() {
        Node sameZone = node("db3", 3, Role.REPLICA, Health.UP, PromotionRule.NEUTRAL, "a");
        FailoverRules.Decision d = decide(List.of(replica("db2", 2, "0-1-9", true), replica(sameZone, "0-1-9", "0-1-9", true)));
        assertThat(d.candidate().node().serverId()).isEqualTo(3);
    }

    @Test
    void errantTransactionsCountAgainstACandidate() {
        // db2 wrote a transaction of its own (server 2) that nobody received from the primary.
        FailoverRules.Replica errant = replica(node("db2", 2, Role.REPLICA, Health.UP, PromotionRule.PREFER, "b"),
                "0-1-40", "0-2-41", true);
        FailoverRules.Decision d = decide(List.of(errant, replica("db3", 3, "0-1-40", true)));
        assertThat(d.candidate().node().serverId()).isEqualTo(3);
    }

    @Test
    void theLinkIsLostWhenTheReceiverStopsOrHeartbeatsStop() {
        ServerState.Replication running = new ServerState.Replication("db1", 3306, 1, IoState.RUNNING, true, 0,
                "0-1-1", 10, -1, 1000, "");
        assertThat(FailoverRules.linkLost(running, 2 * SECOND)).isFalse();
        assertThat(FailoverRules.linkLost(running, 2 * SECOND + 1)).isTrue();
        ServerState.Replication connecting = new ServerState.Replication("db1", 3306, 1, IoState.CONNECTING, true, 0,
                "0-1-1", 10, -1, 1000, "");
        assertThat(FailoverRules.linkLost(connecting, 0)).isTrue();
        ServerState.Replication noHeartbeat = new ServerState.Replication("db1", 3306, 1, IoState.RUNNING, true, 0,
                "0-1-1", 0, -1, 0, "");
        assertThat(FailoverRules.linkLost(noHeartbeat, 3600 * SECOND)).as("only the thread's state tells").isFalse();
        ServerState.Replication mysqlSilent = new ServerState.Replication("db1", 3306, 1, IoState.RUNNING, true, 0,
                "", 10, 2500, 1000, "");
        assertThat(FailoverRules.linkLost(mysqlSilent, 0)).isTrue();
        ServerState.Replication mysqlHeard = new ServerState.Replication("db1", 3306, 1, IoState.RUNNING, true, 0,
                "", 10, 1500, 1000, "");
        assertThat(FailoverRules.linkLost(mysqlHeard, 0)).isFalse();
    }

    // ------------------------------------------------------------------------------ applied position and delay

    private FailoverRules.Replica delayed(String address, long serverId, String received, String applied, long delay) {
        FailoverRules.Replica r = replica(node(address, serverId, Role.REPLICA, Health.UP, PromotionRule.NEUTRAL, "b"),
                received, applied, true);
        return new FailoverRules.Replica(r.node(), r.state(), true, delay);
    }

    @Test
    void aDelayedReplicaThatHasNotAppliedWhatItReceivedLosesToACaughtUpOneDespiteTheLowerServerId() {
        // Both received everything; server 2 applies 30 s late (MASTER_DELAY=30) and is behind by 5 transactions.
        FailoverRules.Decision d = decide(List.of(delayed("db2", 2, "0-1-50", "0-1-45", 30),
                delayed("db3", 3, "0-1-50", "0-1-50", 0)));
        assertThat(d.promote()).isTrue();
        assertThat(d.candidate().node().serverId()).isEqualTo(3);
        assertThat(d.ranked()).extracting(r -> r.node().serverId()).containsExactly(3L, 2L);
    }

    @Test
    void aDelayedReplicaOutranksEvenAPreferredOneOnlyWhenItHasNothingLeftToApply() {
        Node preferred = node("db2", 2, Role.REPLICA, Health.UP, PromotionRule.PREFER, "b");
        FailoverRules.Replica p = replica(preferred, "0-1-50", "0-1-40", true);
        FailoverRules.Replica heldBack = new FailoverRules.Replica(p.node(), p.state(), true, 30);
        FailoverRules.Decision d = decide(List.of(heldBack, delayed("db3", 3, "0-1-50", "0-1-50", 0)));
        assertThat(d.candidate().node().serverId()).as("a preferred replica 30 s behind on purpose").isEqualTo(3);

        FailoverRules.Replica caughtUpButDelayed = new FailoverRules.Replica(preferred,
                replica(preferred, "0-1-50", "0-1-50", true).state(), true, 30);
        d = decide(List.of(caughtUpButDelayed, delayed("db3", 3, "0-1-50", "0-1-50", 0)));
        assertThat(d.candidate().node().serverId()).as("a delayed replica with nothing left to apply").isEqualTo(2);
    }

    @Test
    void amongEquallyAdvancedReplicasTheOneThatAppliedMoreWins() {
        FailoverRules.Decision d = decide(List.of(delayed("db2", 2, "0-1-50", "0-1-20", 0),
                delayed("db3", 3, "0-1-50", "0-1-49", 0)));
        assertThat(d.candidate().node().serverId()).isEqualTo(3);
    }

    @Test
    void aDelayedReplicaIsStillChosenWhenItAloneHasEveryTransaction() {
        // The caught-up replica lacks 10 transactions; with maxDataLoss 0 only the delayed one may be promoted.
        FailoverRules.Decision d = decide(List.of(delayed("db2", 2, "0-1-50", "0-1-45", 30),
                delayed("db3", 3, "0-1-40", "0-1-40", 0)));
        assertThat(d.promote()).isTrue();
        assertThat(d.candidate().node().serverId()).isEqualTo(2);
    }

    @Test
    void theDelayIsReadFromTheReplicaStatusRow() {
        assertThat(FailoverRules.delaySeconds(java.util.Map.of("SQL_Delay", "30"))).isEqualTo(30);
        assertThat(FailoverRules.delaySeconds(java.util.Map.of("SQL_Delay", "0"))).isZero();
        assertThat(FailoverRules.delaySeconds(null)).isZero();
        assertThat(FailoverRules.delaySeconds(java.util.Map.of("Slave_IO_Running", "Yes"))).isEqualTo(-1);
    }

    @Test
    void theGuardKeepsTheBestRankedReplicaThatHoldsEveryAcknowledgedWrite() {
        // Ranked by the rules (db3 first: more advanced); the guard asks for the acknowledged GTID itself.
        List<FailoverRules.Replica> ranked = List.of(replica("db3", 3, "0-1-42", true), replica("db2", 2, "0-1-40", true));
        assertThat(FailoverRules.keeperOf(ranked, GtidSet.parse("0-1-41")).node().serverId()).isEqualTo(3);
        assertThat(FailoverRules.keeperOf(ranked, GtidSet.EMPTY).node().serverId()).isEqualTo(3);
    }

    @Test
    void theGuardRefusesWhenEveryCandidateLacksAnAcknowledgedWriteAndSaysWhatEachHas() {
        List<FailoverRules.Replica> ranked = List.of(replica("db3", 3, "0-1-42", true), replica("db2", 2, "0-1-40", true));
        GtidSet acked = GtidSet.parse("0-1-45");
        assertThat(FailoverRules.keeperOf(ranked, acked)).isNull();
        assertThat(FailoverRules.acknowledgedLoss(ranked, acked))
                .contains("every candidate lacks writes this data source saw acknowledged")
                .contains("0-1-45").contains("db3:3306 is at 0-1-42").contains("db2:3306 is at 0-1-40")
                .contains("none is promoted");
    }

    @Test
    void onMySqlTheGuardAsksForTheHighestAcknowledgedGtidOfEachSource() {
        String a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
        String b = "4e11fa47-71ca-11e1-9e33-c80aa9429562";
        List<FailoverRules.Replica> ranked = List.of(
                mysqlReplica("db3", 3, a + ":1-100," + b + ":1-5"), mysqlReplica("db2", 2, a + ":1-120"));
        // db3 has everything of b but lacks a:101-120; db2 has a:120 but nothing of b.
        assertThat(FailoverRules.keeperOf(ranked, GtidSet.parse(a + ":120"))).extracting(r -> r.node().serverId())
                .isEqualTo(2L);
        assertThat(FailoverRules.keeperOf(ranked, GtidSet.parse(a + ":120," + b + ":5"))).isNull();
        // An old gap in a source's history is not held against a replica: only the highest GTID counts.
        assertThat(FailoverRules.keeperOf(List.of(mysqlReplica("db2", 2, a + ":1-50:52-120")),
                GtidSet.parse(a + ":120"))).isNotNull();
    }

    private FailoverRules.Replica mysqlReplica(String address, long serverId, String gtids) {
        Node n = node(address, serverId, Role.REPLICA, Health.UP, PromotionRule.NEUTRAL, "b");
        ServerState.Replication link = new ServerState.Replication("db1", 3306, 1, IoState.CONNECTING, true, 0, gtids,
                10, -1, 1000, "");
        ServerState s = new ServerState(n.address(), serverId, ServerState.Flavor.MYSQL, "8.0.31", true, Role.REPLICA,
                true, gtids, link, List.of());
        return new FailoverRules.Replica(n, s, true);
    }
}
