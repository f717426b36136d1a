package dev.haven.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopologyTest {

    private final ClusterState state = new ClusterState(HavenConfig.builder().seeds("db1").build());
    private final TestNodes nodes = new TestNodes(state);

    @Test
    void eligibilityIsDecidedWhenTheNodeIsBuilt() {
        assertThat(nodes.replica("r1").eligibleForReads()).isTrue();
        assertThat(nodes.replica("r1").toBuilder().health(Health.SUSPECT).build().eligibleForReads()).isFalse();
        assertThat(nodes.replica("r1").toBuilder().health(Health.DOWN).build().eligibleForReads()).isFalse();
        assertThat(nodes.replica("r1").toBuilder().replicating(false).build().eligibleForReads()).isFalse();
        assertThat(nodes.replica("r1").toBuilder().lagging(true).build().eligibleForReads()).isFalse();
        assertThat(nodes.primary("p").eligibleForReads()).isFalse();
        assertThat(nodes.node("u").health(Health.UP).replicating(true).build().eligibleForReads()).isFalse();
    }

    @Test
    void lagUnknownIsNotZero() {
        assertThat(nodes.node("r").build().lagMillis()).isEqualTo(Node.LAG_UNKNOWN).isNotZero();
        assertThatThrownBy(() -> nodes.node("r").lagMillis(-2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void snapshotsOfOneAddressShareStats() {
        Node a = nodes.replica("r1");
        Node b = a.toBuilder().health(Health.DOWN).build();
        assertThat(b.stats()).isSameAs(a.stats()).isSameAs(state.statsFor(NodeAddress.parse("r1:3306")));
    }

    @Test
    void computesPrimaryAndReadableReplicas() {
        Node p = nodes.primary("p");
        Node r1 = nodes.replica("r1");
        Node lagging = nodes.replica("r2").toBuilder().lagging(true).build();
        Topology t = Topology.of(3, List.of(p, r1, lagging), null);
        assertThat(t.epoch()).isEqualTo(3);
        assertThat(t.primary()).isSameAs(p);
        assertThat(t.readReplicas()).containsExactly(r1);
        assertThat(t.readReplicaArray()).containsExactly(r1);
        assertThat(t.preferredReadArray()).isSameAs(t.readReplicaArray());
        assertThat(t.node(NodeAddress.parse("r2"))).isSameAs(lagging);
        assertThat(t.node(NodeAddress.parse("nope"))).isNull();
        assertThat(t.successor(List.of(p)).epoch()).isEqualTo(4);
    }

    @Test
    void downPrimaryIsNoPrimaryAndSuspectOneStillTakesWrites() {
        Node down = nodes.primary("p").toBuilder().health(Health.DOWN).build();
        assertThat(Topology.of(1, List.of(down), null).primary()).isNull();
        Node suspect = nodes.primary("p").toBuilder().health(Health.SUSPECT).build();
        assertThat(Topology.of(1, List.of(suspect), null).primary()).isSameAs(suspect);
    }

    @Test
    void upPrimaryWinsOverSuspectOneAndTwoUpPrimariesMeanNone() {
        Node oldSuspect = nodes.primary("old").toBuilder().health(Health.SUSPECT).build();
        Node fresh = nodes.primary("new");
        assertThat(Topology.of(1, List.of(oldSuspect, fresh), null).primary()).isSameAs(fresh);
        assertThat(Topology.of(1, List.of(nodes.primary("a"), nodes.primary("b")), null).primary()).isNull();
        Node s1 = nodes.primary("a").toBuilder().health(Health.SUSPECT).build();
        Node s2 = nodes.primary("b").toBuilder().health(Health.SUSPECT).build();
        assertThat(Topology.of(1, List.of(s1, s2), null).primary()).isNull();
    }

    @Test
    void localZoneReplicasArePreferredWhenThereAreAny() {
        Node a = nodes.replica("a", "z1");
        Node b = nodes.replica("b", "z2");
        Node c = nodes.replica("c", "z1");
        Topology t = Topology.of(1, List.of(a, b, c), "z1");
        assertThat(t.preferredReadArray()).containsExactly(a, c);
        assertThat(t.readReplicaArray()).containsExactly(a, b, c);
        Topology none = Topology.of(1, List.of(b), "z1");
        assertThat(none.preferredReadArray()).containsExactly(b);
    }

    @Test
    void rejectsDuplicateAddresses() {
        assertThatThrownBy(() -> Topology.of(1, List.of(nodes.replica("a"), nodes.primary("A:3306")), null))
                .hasMessageContaining("a:3306 appears twice");
    }
}
