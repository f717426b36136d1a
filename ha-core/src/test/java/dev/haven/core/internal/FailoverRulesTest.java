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
        ServerState.Replication mysqlAge = new ServerState.Replication("db1", 3306, 1, IoState.RUNNING, true, 0,
                "", 10, 2500, 1000, "");
        assertThat(FailoverRules.linkLost(mysqlAge, 0)).isTrue();
    }
}
