package dev.haven.core.internal.discovery;

import dev.haven.core.HavenConfig;
import dev.haven.core.NodeAddress;
import dev.haven.core.ServerState;
import dev.haven.core.TopologyDiscovery;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells the kind of cluster from the first server it probes: a MySQL server that is an active Group Replication
 * member means Group Replication, anything else means replication. The answer is kept per node until a probe of
 * that node fails (the server may have been replaced).
 */
public final class AutoDiscovery implements TopologyDiscovery {

    private final TopologyDiscovery replication = new ReplicationDiscovery();
    private final TopologyDiscovery group = new GroupReplicationDiscovery();
    private final Map<NodeAddress, TopologyDiscovery> detected = new ConcurrentHashMap<>();
    /** The kind detected last on any node: what a node that no longer answers most likely was. */
    private volatile String lastKind;

    @Override
    public String name() {
        return "auto";
    }

    @Override
    public ServerState probe(Connection connection, NodeAddress address) throws SQLException {
        TopologyDiscovery kind = detected.get(address);
        try {
            if (kind == null) {
                kind = detect(connection);
                detected.put(address, kind);
                lastKind = kind.name();
            }
            return kind.probe(connection, address);
        } catch (SQLException | RuntimeException e) {
            detected.remove(address);
            throw e;
        }
    }

    /** The kind of cluster detected last on any node, or null before the first successful probe. */
    public String lastKind() {
        return lastKind;
    }

    /** The discovery chosen for a node, or null before its first successful probe. */
    public String detectedKind(NodeAddress address) {
        TopologyDiscovery kind = detected.get(address);
        return kind == null ? null : kind.name();
    }

    private TopologyDiscovery detect(Connection connection) throws SQLException {
        BaseState base = BaseState.read(connection);
        if (base.flavor == ServerState.Flavor.MARIADB) {
            return replication;
        }
        List<Map<String, String>> members = ReplicationDiscovery.optionalQuery(connection,
                "SELECT COUNT(*) AS active FROM performance_schema.replication_group_members"
                        + " WHERE MEMBER_ID <> '' AND MEMBER_STATE IN ('ONLINE', 'RECOVERING')");
        return !members.isEmpty() && Rows.getLong(members.get(0), 0, "active") > 0 ? group : replication;
    }

    /** The discovery for a {@code ha.discovery} setting. */
    public static TopologyDiscovery of(HavenConfig.Discovery kind) {
        switch (kind) {
            case REPLICATION:
                return new ReplicationDiscovery();
            case GROUP_REPLICATION:
                return new GroupReplicationDiscovery();
            case STATIC:
                return new StaticDiscovery();
            case AUTO:
            default:
                return new AutoDiscovery();
        }
    }
}
