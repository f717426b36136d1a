package dev.haven.core.internal.discovery;

import dev.haven.core.NodeAddress;
import dev.haven.core.Role;
import dev.haven.core.ServerState;
import dev.haven.core.ServerState.IoState;
import dev.haven.core.ServerState.Peer;
import dev.haven.core.ServerState.Replication;
import dev.haven.core.TopologyDiscovery;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * MySQL Group Replication and InnoDB Cluster (single-primary mode): roles and states from
 * {@code performance_schema.replication_group_members}. Only {@code ONLINE} members are routable.
 *
 * <p>An online secondary counts as replicating with no lag: Group Replication's flow control, not a
 * {@code Seconds_Behind_Source}, bounds how far a secondary trails, and the group evicts members that fall out.
 */
public final class GroupReplicationDiscovery implements TopologyDiscovery {

    static final String MEMBERS = "SELECT MEMBER_ID, MEMBER_HOST, MEMBER_PORT, MEMBER_STATE, MEMBER_ROLE"
            + " FROM performance_schema.replication_group_members";

    @Override
    public String name() {
        return "group-replication";
    }

    @Override
    public ServerState probe(Connection connection, NodeAddress address) throws SQLException {
        BaseState base = BaseState.read(connection);
        Map<String, String> self = Rows.single(connection,
                "SELECT @@server_uuid AS server_uuid, @@super_read_only AS super_read_only, @@gtid_executed AS pos");
        return fromRows(address, base, self, Rows.query(connection, MEMBERS));
    }

    /** Builds the state from the rows a member returned; separate from JDBC so recorded rows can be tested. */
    static ServerState fromRows(NodeAddress address, BaseState base, Map<String, String> self,
                                List<Map<String, String>> memberRows) {
        String uuid = self.get("server_uuid");
        Map<String, String> own = null;
        Map<String, String> primary = null;
        for (Map<String, String> row : memberRows) {
            if (uuid != null && uuid.equalsIgnoreCase(row.get("MEMBER_ID"))) {
                own = row;
            }
            if (ServerStateParser.groupRole(row) == Role.PRIMARY && ServerStateParser.groupOnline(row)) {
                primary = row;
            }
        }
        boolean online = own != null && ServerStateParser.groupOnline(own);
        Role role = own == null ? Role.UNKNOWN : ServerStateParser.groupRole(own);
        Replication replication = null;
        if (role == Role.REPLICA && primary != null) {
            replication = new Replication(primary.get("MEMBER_HOST"), (int) Rows.getLong(primary, 3306, "MEMBER_PORT"),
                    0, online ? IoState.RUNNING : IoState.CONNECTING, online, online ? 0 : -1, "", -1, -1, -1, "");
        }
        List<Peer> peers = ServerStateParser.groupMembers(memberRows);
        boolean readOnly = base.readOnly || Rows.getFlag(self, "super_read_only");
        String gtid = self.get("pos");
        return new ServerState(address, base.serverId, base.flavor, base.version, readOnly, role, online,
                gtid == null ? "" : gtid.trim(), replication, peers);
    }
}
