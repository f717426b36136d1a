package dev.haven.core.internal;

import dev.haven.core.ClusterState;
import dev.haven.core.HavenConfig;
import dev.haven.core.Node;
import dev.haven.core.ReplicationPosition;
import dev.haven.core.Role;
import dev.haven.core.Topology;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds and publishes the next {@link Topology} from discovery facts, failure-detector verdicts
 * and configuration: the one place where a {@link Node}'s fields, and so its read eligibility, are
 * put together. Called by the health monitor after each round of probes.
 */
public final class TopologyAssembler {

    private final HavenConfig config;
    private final FailureDetector detector;
    private final ClusterState state;

    public TopologyAssembler(HavenConfig config, FailureDetector detector, ClusterState state) {
        this.config = config;
        this.detector = detector;
        this.state = state;
    }

    /** The snapshot of one node now. */
    public Node node(NodeFacts facts) {
        boolean replica = facts.role() == Role.REPLICA;
        ReplicationPosition position;
        try {
            position = ReplicationPosition.parse(facts.gtidPosition());
        } catch (IllegalArgumentException e) {
            position = ReplicationPosition.EMPTY; // an unreadable position only disables read-your-writes on this node
        }
        return Node.builder(state.statsFor(facts.address()))
                .serverId(facts.serverId())
                .role(facts.role())
                .health(detector.health(facts.address()))
                .replicating(replica && detector.isReplicating(facts.address()))
                .lagging(replica && detector.isLagging(facts.address()))
                .lagMillis(replica ? detector.lagMillis(facts.address()) : Node.LAG_UNKNOWN)
                .position(position)
                .probeLatencyNanos(detector.probeLatencyNanos(facts.address()))
                .zone(config.zoneOf(facts.address()))
                .promotionRule(config.promotionRuleOf(facts.address()))
                .build();
    }

    /** Builds the nodes for {@code facts} and publishes them as the next topology. */
    public Topology publish(List<NodeFacts> facts) {
        List<Node> nodes = new ArrayList<>(facts.size());
        for (NodeFacts f : facts) {
            nodes.add(node(f));
        }
        return state.publish(nodes);
    }
}
