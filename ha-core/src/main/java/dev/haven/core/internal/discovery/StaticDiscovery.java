package dev.haven.core.internal.discovery;

import dev.haven.core.NodeAddress;
import dev.haven.core.Role;
import dev.haven.core.ServerState;
import dev.haven.core.TopologyDiscovery;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A fixed list of hosts: no other host is ever added, and roles come from {@code @@read_only} alone (writable is
 * the primary, read-only a replica). Where a server reports a replication channel its lag is still read, so a
 * stopped or lagging replica is still kept from reads.
 */
public final class StaticDiscovery implements TopologyDiscovery {

    private final ReplicationDiscovery replication = new ReplicationDiscovery();

    @Override
    public String name() {
        return "static";
    }

    @Override
    public ServerState probe(Connection connection, NodeAddress address) throws SQLException {
        ServerState seen = replication.probe(connection, address);
        Role role = seen.readOnly() ? Role.REPLICA : Role.PRIMARY;
        return new ServerState(address, seen.serverId(), seen.flavor(), seen.version(), seen.readOnly(), role, true,
                seen.gtidPosition(), seen.replication(), java.util.List.of());
    }
}
