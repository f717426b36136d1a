package dev.haven.core.internal;

import dev.haven.core.NodeAddress;
import dev.haven.core.Role;

import java.util.Objects;

/**
 * What discovery learned about one node at its last successful look: role, server id and GTID
 * position. Health, replication and lag come from the {@link FailureDetector}; zone and promotion
 * rule from the configuration; {@link TopologyAssembler} combines them.
 *
 * @param serverId     {@code @@server_id}, 0 if unknown
 * @param gtidPosition executed GTID set in MariaDB or MySQL format, empty if unknown
 */
public record NodeFacts(NodeAddress address, Role role, long serverId, String gtidPosition) {

    public NodeFacts {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(role, "role");
        gtidPosition = gtidPosition == null ? "" : gtidPosition;
    }

    /** A node known only by address (a seed not reached yet). */
    public static NodeFacts unknown(NodeAddress address) {
        return new NodeFacts(address, Role.UNKNOWN, 0, "");
    }
}
