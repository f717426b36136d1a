package dev.haven.testkit.stub;

import java.util.List;
import java.util.Map;

/**
 * The stub "cluster": a MariaDB primary and two replicas at fake addresses (nothing listens there; only
 * {@link StubDriver} "connects"). What each server answers is a fixed table keyed by the exact SQL text that
 * Haven's health monitor sends ({@code dev.haven.core.internal.discovery.ReplicationDiscovery}, MariaDB flavor):
 *
 * <table>
 *   <caption>answers</caption>
 *   <tr><th>SQL</th><th>primary {@value #PRIMARY}</th><th>replicas {@value #REPLICA_1}, {@value #REPLICA_2}</th></tr>
 *   <tr><td>{@value #BASE_STATE}</td><td>server_id 1, {@value #VERSION}, read_only 0</td>
 *       <td>server_id 2 or 3, read_only 1</td></tr>
 *   <tr><td>{@value #GTID_CURRENT_POS}</td><td colspan="2">{@value #GTID}</td></tr>
 *   <tr><td>{@value #SLAVE_STATUS}</td><td>no row</td>
 *       <td>one row: replicating from the primary, both threads running, 0 s behind</td></tr>
 *   <tr><td>{@value #SLAVE_HOSTS}</td><td>the two replicas</td><td>no row</td></tr>
 *   <tr><td>{@value #BINLOG_POS}</td><td colspan="2">{@value #GTID}</td></tr>
 *   <tr><td>anything else</td><td colspan="2">one row, one column {@code value}: the server id as text, so a test
 *       can tell which server a query reached</td></tr>
 * </table>
 */
public final class StubCluster {

    public static final String PRIMARY = "stub1:1";
    public static final String REPLICA_1 = "stub2:2";
    public static final String REPLICA_2 = "stub3:3";
    /** Every server, primary first, as a {@code jdbc:ha:} URL lists them. */
    public static final String HOSTS = PRIMARY + "," + REPLICA_1 + "," + REPLICA_2;

    public static final String VERSION = "11.4.5-MariaDB-stub";
    public static final String GTID = "0-1-100";

    public static final String BASE_STATE =
            "SELECT @@server_id AS server_id, @@version AS version, @@read_only AS read_only";
    public static final String GTID_CURRENT_POS = "SELECT @@gtid_current_pos AS pos";
    public static final String SLAVE_STATUS = "SHOW ALL SLAVES STATUS";
    public static final String SLAVE_HOSTS = "SHOW SLAVE HOSTS";
    /** What Haven reads after a write for read-your-writes. */
    public static final String BINLOG_POS = "SELECT @@GLOBAL.gtid_binlog_pos";

    private static final String[] SLAVE_STATUS_COLUMNS = {"Connection_name", "Slave_IO_State", "Master_Host",
        "Master_Port", "Slave_IO_Running", "Slave_SQL_Running", "Last_IO_Error", "Last_SQL_Error",
        "Seconds_Behind_Master", "Master_Server_Id", "Using_Gtid", "Gtid_IO_Pos", "Slave_received_heartbeats"};
    private static final String[] SLAVE_HOSTS_COLUMNS = {"Server_id", "Host", "Port", "Master_id"};

    private static final StubNode PRIMARY_NODE = new StubNode(PRIMARY, 1, Map.of(
            BASE_STATE, baseState(1, false),
            GTID_CURRENT_POS, StubTable.single("pos", GTID),
            SLAVE_STATUS, StubTable.empty(SLAVE_STATUS_COLUMNS),
            SLAVE_HOSTS, new StubTable(SLAVE_HOSTS_COLUMNS, slaveHost(REPLICA_1, 2), slaveHost(REPLICA_2, 3)),
            BINLOG_POS, StubTable.single("@@GLOBAL.gtid_binlog_pos", GTID)),
            StubTable.single("value", "1"));
    private static final StubNode REPLICA_1_NODE = replica(REPLICA_1, 2);
    private static final StubNode REPLICA_2_NODE = replica(REPLICA_2, 3);
    private static final List<StubNode> NODES = List.of(PRIMARY_NODE, REPLICA_1_NODE, REPLICA_2_NODE);

    private StubCluster() {
    }

    /** The server at {@code host:port}, {@code null} if there is none. */
    public static StubNode node(String hostAndPort) {
        for (int i = 0; i < NODES.size(); i++) {
            StubNode node = NODES.get(i);
            if (node.hostAndPort().equals(hostAndPort)) {
                return node;
            }
        }
        return null;
    }

    /** Every server, primary first. */
    public static List<StubNode> nodes() {
        return NODES;
    }

    private static StubNode replica(String hostAndPort, long serverId) {
        String[] primary = PRIMARY.split(":");
        StubTable status = new StubTable(SLAVE_STATUS_COLUMNS, new String[] {"", "Waiting for master to send event",
            primary[0], primary[1], "Yes", "Yes", "", "", "0", "1", "Slave_Pos", GTID, "100"});
        return new StubNode(hostAndPort, serverId, Map.of(
                BASE_STATE, baseState(serverId, true),
                GTID_CURRENT_POS, StubTable.single("pos", GTID),
                SLAVE_STATUS, status,
                SLAVE_HOSTS, StubTable.empty(SLAVE_HOSTS_COLUMNS),
                BINLOG_POS, StubTable.single("@@GLOBAL.gtid_binlog_pos", GTID)),
                StubTable.single("value", Long.toString(serverId)));
    }

    private static StubTable baseState(long serverId, boolean readOnly) {
        return new StubTable(new String[] {"server_id", "version", "read_only"},
                new String[] {Long.toString(serverId), VERSION, readOnly ? "1" : "0"});
    }

    private static String[] slaveHost(String hostAndPort, long serverId) {
        String[] hp = hostAndPort.split(":");
        return new String[] {Long.toString(serverId), hp[0], hp[1], "1"};
    }
}
