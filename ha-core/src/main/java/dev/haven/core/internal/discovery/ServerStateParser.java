package dev.haven.core.internal.discovery;

import dev.haven.core.NodeAddress;
import dev.haven.core.Role;
import dev.haven.core.ServerState;
import dev.haven.core.ServerState.IoState;
import dev.haven.core.ServerState.Peer;
import dev.haven.core.ServerState.Replication;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pure functions from the rows servers return to {@link ServerState} parts. Handles MariaDB's column names,
 * MySQL's before 8.0.22 (the same {@code Master_*} / {@code Slave_*} names) and MySQL's from 8.0.22
 * ({@code Source_*} / {@code Replica_*}).
 */
final class ServerStateParser {

    private ServerStateParser() {
    }

    static ServerState.Flavor flavor(String version) {
        return version != null && version.toLowerCase(Locale.ROOT).contains("mariadb")
                ? ServerState.Flavor.MARIADB : ServerState.Flavor.MYSQL;
    }

    /**
     * One row of {@code SHOW SLAVE STATUS} / {@code SHOW REPLICA STATUS}; {@code null} when the server has no
     * source configured (no row, or an empty host after {@code RESET SLAVE}).
     */
    static Replication replication(Map<String, String> row) {
        if (row == null) {
            return null;
        }
        String host = Rows.get(row, "Source_Host", "Master_Host");
        if (host == null || host.isBlank()) {
            return null;
        }
        int port = (int) Rows.getLong(row, 3306, "Source_Port", "Master_Port");
        long sourceServerId = Rows.getLong(row, 0, "Source_Server_Id", "Master_Server_Id");
        IoState io = ioState(Rows.get(row, "Replica_IO_Running", "Slave_IO_Running"));
        boolean sql = "Yes".equalsIgnoreCase(Rows.get(row, "Replica_SQL_Running", "Slave_SQL_Running"));
        long behind = Rows.getLong(row, -1, "Seconds_Behind_Source", "Seconds_Behind_Master");
        // MariaDB: Gtid_IO_Pos; MySQL: Retrieved_Gtid_Set.
        String received = Rows.get(row, "Gtid_IO_Pos", "Retrieved_Gtid_Set");
        long heartbeats = Rows.getLong(row, -1, "Slave_received_heartbeats", "Replica_received_heartbeats");
        long period = heartbeatPeriodMillis(Rows.get(row, "Slave_heartbeat_period", "Replica_heartbeat_period"));
        String error = join(Rows.get(row, "Last_IO_Error"), Rows.get(row, "Last_SQL_Error"));
        return new Replication(host, port, sourceServerId, io, sql, behind, received == null ? "" : received.trim(),
                heartbeats, -1, period, error);
    }

    /** Chooses the default channel's row among several (MySQL multi-source); the first otherwise. */
    static Map<String, String> defaultChannel(List<Map<String, String>> rows) {
        if (rows.isEmpty()) {
            return null;
        }
        for (Map<String, String> row : rows) {
            String channel = Rows.get(row, "Channel_Name", "Connection_name");
            if (channel == null || channel.isEmpty()) {
                return row;
            }
        }
        return rows.get(0);
    }

    static IoState ioState(String value) {
        if (value == null) {
            return IoState.STOPPED;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "yes":
                return IoState.RUNNING;
            case "connecting":
            case "preparing":
                return IoState.CONNECTING;
            default:
                return IoState.STOPPED;
        }
    }

    /**
     * MySQL's {@code performance_schema.replication_connection_status} row (default channel): heartbeat count
     * and how long the replica has heard nothing from its source, which {@code SHOW REPLICA STATUS} does not carry.
     */
    static Replication withMysqlHeartbeat(Replication replication, Map<String, String> row) {
        if (replication == null || row == null) {
            return replication;
        }
        long count = Rows.getLong(row, replication.heartbeatsReceived(), "COUNT_RECEIVED_HEARTBEATS");
        long period = heartbeatPeriodMillis(Rows.get(row, "HEARTBEAT_INTERVAL"));
        long ageMicros = Rows.getLong(row, -1, "SILENCE_MICROS");
        IoState io = replication.ioState();
        String service = Rows.get(row, "SERVICE_STATE");
        if (service != null) {
            io = ioState("ON".equalsIgnoreCase(service) ? "Yes" : service);
        }
        return new Replication(replication.sourceHost(), replication.sourcePort(), replication.sourceServerId(), io,
                replication.sqlRunning(), replication.secondsBehind(), replication.receivedGtid(), count,
                ageMicros < 0 ? -1 : ageMicros / 1000, period < 0 ? replication.heartbeatPeriodMillis() : period,
                replication.lastError());
    }

    /** Seconds as the servers print them ({@code 1.000}) to milliseconds; -1 when absent or unreadable. */
    static long heartbeatPeriodMillis(String seconds) {
        if (seconds == null || seconds.isBlank()) {
            return -1;
        }
        try {
            return Math.round(Double.parseDouble(seconds.trim()) * 1000);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Rows of {@code SHOW SLAVE HOSTS} / {@code SHOW REPLICAS}: replicas that registered a reachable address. */
    static List<Peer> replicaHosts(List<Map<String, String>> rows) {
        List<Peer> peers = new ArrayList<>();
        for (Map<String, String> row : rows) {
            String host = Rows.get(row, "Host");
            long port = Rows.getLong(row, 0, "Port");
            if (host == null || host.isBlank() || port <= 0 || port > 65535) {
                continue; // a replica without report_host cannot be reached from its registration
            }
            peers.add(new Peer(NodeAddress.of(host, (int) port), Rows.getLong(row, 0, "Server_id"), Role.REPLICA, true));
        }
        return peers;
    }

    /** Rows of {@code performance_schema.replication_group_members}. */
    static List<Peer> groupMembers(List<Map<String, String>> rows) {
        List<Peer> peers = new ArrayList<>();
        for (Map<String, String> row : rows) {
            String host = Rows.get(row, "MEMBER_HOST");
            long port = Rows.getLong(row, 0, "MEMBER_PORT");
            if (host == null || host.isBlank() || port <= 0 || port > 65535) {
                continue;
            }
            peers.add(new Peer(NodeAddress.of(host, (int) port), 0, groupRole(row), groupOnline(row)));
        }
        return peers;
    }

    static boolean groupOnline(Map<String, String> row) {
        return "ONLINE".equalsIgnoreCase(Rows.get(row, "MEMBER_STATE"));
    }

    static Role groupRole(Map<String, String> row) {
        String role = Rows.get(row, "MEMBER_ROLE");
        if ("PRIMARY".equalsIgnoreCase(role)) {
            return Role.PRIMARY;
        }
        if ("SECONDARY".equalsIgnoreCase(role)) {
            return Role.REPLICA;
        }
        return Role.UNKNOWN;
    }

    /**
     * The role of a server in asynchronous replication: replicating from a source makes it a replica, unless it is
     * writable and its applier is stopped (a promotion in progress); otherwise writable means primary, and read-only
     * means neither (a fenced former primary, or a standby).
     */
    static Role replicationRole(boolean readOnly, Replication replication) {
        if (replication != null && (readOnly || replication.sqlRunning())) {
            return Role.REPLICA;
        }
        if (replication != null) {
            // Writable and applying nothing: a replica being promoted whose receiver still waits on a hung old
            // primary (stopping it takes the replica's slave_net_timeout); it takes writes already.
            return Role.PRIMARY;
        }
        return readOnly ? Role.UNKNOWN : Role.PRIMARY;
    }

    private static String join(String a, String b) {
        boolean hasA = a != null && !a.isBlank();
        boolean hasB = b != null && !b.isBlank();
        if (hasA && hasB) {
            return a + "; " + b;
        }
        return hasA ? a : hasB ? b : "";
    }
}
