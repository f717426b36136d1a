package dev.haven.core.internal.discovery;

import dev.haven.core.NodeAddress;
import dev.haven.core.ServerState;
import dev.haven.core.ServerState.Peer;
import dev.haven.core.ServerState.Replication;
import dev.haven.core.TopologyDiscovery;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * Asynchronous and semi-synchronous replication, MariaDB and MySQL. Roles come from the server's own view: a
 * server replicating from a source is a replica; otherwise a writable server is a primary, and a read-only one is
 * neither. A primary lists its replicas ({@code SHOW SLAVE HOSTS} / {@code SHOW REPLICAS}, at the address they
 * report with {@code report_host} and {@code report_port}); a replica names its source. So one seed host finds
 * the rest.
 */
public final class ReplicationDiscovery implements TopologyDiscovery {

    /** MySQL error: the user lacks a privilege. Listing replicas is optional, so that is no reason to fail. */
    private static final int ACCESS_DENIED = 1227;

    /** MariaDB in a steady state: one statement per probe (see there). */
    private final MariaDbLightProbe light = new MariaDbLightProbe();
    /** MySQL in a steady state: one statement per probe (see there). */
    private final MySqlLightProbe mysqlLight = new MySqlLightProbe();

    @Override
    public String name() {
        return "replication";
    }

    @Override
    public ServerState probe(Connection connection, NodeAddress address) throws SQLException {
        try {
            // Each light probe answers only for a connection it saw a full probe of, so at most one of them runs.
            ServerState steady = light.probe(connection, address);
            if (steady == null) {
                steady = mysqlLight.probe(connection, address);
            }
            return steady != null ? steady : fullProbe(connection, address);
        } catch (SQLException | RuntimeException e) {
            light.forget(address);
            mysqlLight.forget(address);
            throw e;
        }
    }

    private ServerState fullProbe(Connection connection, NodeAddress address) throws SQLException {
        BaseState base = BaseState.read(connection);
        boolean readOnly = base.readOnly;
        String gtid;
        Replication replication;
        List<Peer> peers;
        long slavesConnected = -1;
        if (base.flavor == ServerState.Flavor.MARIADB) {
            Map<String, String> row = Rows.single(connection, "SELECT @@gtid_current_pos AS pos, "
                    + MariaDbLightProbe.SLAVES_CONNECTED + " AS slaves_connected");
            gtid = row.get("pos");
            slavesConnected = Rows.getLong(row, -1, "slaves_connected");
            replication = ServerStateParser.replication(
                    ServerStateParser.defaultChannel(Rows.query(connection, "SHOW ALL SLAVES STATUS")));
            peers = ServerStateParser.replicaHosts(optionalQuery(connection, "SHOW SLAVE HOSTS"));
        } else {
            Map<String, String> mysql = Rows.single(connection,
                    "SELECT @@super_read_only AS super_read_only, @@gtid_executed AS pos");
            readOnly |= Rows.getFlag(mysql, "super_read_only");
            gtid = mysql.get("pos");
            boolean modern = base.atLeastMysql(8, 0, 22);
            replication = ServerStateParser.replication(ServerStateParser.defaultChannel(
                    Rows.query(connection, modern ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS")));
            if (replication != null) {
                List<Map<String, String>> link = optionalQuery(connection,
                        "SELECT s.SERVICE_STATE, s.COUNT_RECEIVED_HEARTBEATS,"
                                + " " + MySqlLightProbe.SILENCE + " AS SILENCE_MICROS,"
                                + " c.HEARTBEAT_INTERVAL"
                                + " FROM performance_schema.replication_connection_status s"
                                + " JOIN performance_schema.replication_connection_configuration c USING (CHANNEL_NAME)"
                                + " WHERE s.CHANNEL_NAME = ''");
                replication = ServerStateParser.withMysqlHeartbeat(replication, link.isEmpty() ? null : link.get(0));
            }
            peers = ServerStateParser.replicaHosts(optionalQuery(connection, modern ? "SHOW REPLICAS" : "SHOW SLAVE HOSTS"));
        }
        ServerState state = new ServerState(address, base.serverId, base.flavor, base.version, readOnly,
                ServerStateParser.replicationRole(readOnly, replication), true, gtid == null ? "" : gtid.trim(),
                replication, peers);
        if (base.flavor == ServerState.Flavor.MARIADB) {
            light.fullProbe(connection, state, slavesConnected);
        } else {
            mysqlLight.fullProbe(connection, state);
        }
        return state;
    }

    static List<Map<String, String>> optionalQuery(Connection connection, String sql) throws SQLException {
        try {
            return Rows.query(connection, sql);
        } catch (SQLException e) {
            if (e.getErrorCode() == ACCESS_DENIED || "42000".equals(e.getSQLState())) {
                return List.of();
            }
            throw e;
        }
    }
}
