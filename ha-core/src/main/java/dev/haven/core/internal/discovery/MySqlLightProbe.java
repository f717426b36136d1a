package dev.haven.core.internal.discovery;

import dev.haven.core.NodeAddress;
import dev.haven.core.ServerState;
import dev.haven.core.ServerState.IoState;
import dev.haven.core.ServerState.Replication;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One statement per probe of a MySQL 8.0 server in a steady state, instead of four or five (the variables, the
 * GTID set and {@code super_read_only}, {@code SHOW REPLICA STATUS}, its heartbeats from
 * {@code performance_schema}, {@code SHOW REPLICAS}). Unlike MariaDB, MySQL has table forms of the replica status
 * ({@code performance_schema.replication_*}), so primaries and replicas share one {@code SELECT}, {@link #SQL}:
 *
 * <ul>
 *   <li>identity and writability: {@code @@server_id}, {@code @@read_only}, {@code @@super_read_only}; the
 *       position: {@code @@gtid_executed};</li>
 *   <li>the replicas connected to it: {@code Binlog Dump} threads in {@code performance_schema.threads} (another
 *       number than before: the peers {@code SHOW REPLICAS} lists may have changed, so a full probe follows at
 *       once);</li>
 *   <li>the default channel, if any: source host and port and heartbeat period
 *       ({@code replication_connection_configuration}), receiver state, heartbeats and their age, received GTID set
 *       and last error ({@code replication_connection_status}), applier state ({@code replication_applier_status})
 *       and the applier's last error;</li>
 *   <li>the lag, as {@code Seconds_Behind_Source} means it: null when the applier is not running (or when it
 *       applied everything and the receiver is not running); 0 when every received transaction is applied; on a
 *       delayed replica waiting to apply a transaction, {@code SOURCE_DELAY} less the delay remaining (the age of
 *       that transaction); else the age of the original commit of the oldest transaction being applied, or,
 *       between two transactions, of the last one applied (a little more than the true lag, never less), or of
 *       the last one received. Unlike {@code SHOW REPLICA STATUS}, no correction for a clock difference between
 *       source and replica is made: with unsynchronised clocks the lag is off by their difference. Where
 *       {@code SHOW REPLICA STATUS} still reports seconds for a replica whose applier has every received
 *       transaction (it compares relay-log positions), this reports 0.</li>
 * </ul>
 * Anything that the light probe cannot follow calls for a full probe at once, in the same probe: another server
 * id or writability, a channel appearing or going, another source (address, or server UUID: the source's server
 * id is only in the full probe), a receiver or applier state other than the full probe saw, another number of
 * connected replicas. A replica with replicas of its own also gets a full probe every {@value #FULL_EVERY} probes
 * (who they are is only in the full one); a leaf replica, like a primary, costs one statement per probe for as
 * long as nothing changes. A
 * new connection always starts with a full probe. A server that refuses the statement (no {@code SELECT} on
 * {@code performance_schema}, or any other error than a connection failure) is probed fully, as before, for the
 * rest of the connection's life.
 *
 * <p>Thread-safety: one entry per address, written by that node's prober thread only.
 */
final class MySqlLightProbe {

    /** Probes between two full probes of a replica. */
    static final int FULL_EVERY = 60;

    private static final String CHANNEL = "CHANNEL_NAME = ''";
    private static final String WORKERS = "performance_schema.replication_applier_status_by_worker";
    private static final String COORDINATOR = "performance_schema.replication_applier_status_by_coordinator";

    /**
     * Microseconds since the replica last heard from its source ({@code s} is its
     * {@code replication_connection_status} row): a heartbeat or the end of a received transaction. A source sends
     * heartbeats only on an idle link, so under a steady stream of writes {@code LAST_HEARTBEAT_TIMESTAMP} ages
     * while the link is perfectly alive (checked on 8.0.31: 5 s old after 5 s of inserts); a link judged by it
     * alone looked lost under load, and a primary cut off from the application only could be replaced while it
     * still replicated to everyone. NULL when neither ever happened.
     */
    static final String SILENCE = "TIMESTAMPDIFF(MICROSECOND, GREATEST(s.LAST_HEARTBEAT_TIMESTAMP,"
            + " s.LAST_QUEUED_TRANSACTION_END_QUEUE_TIMESTAMP), NOW(6))";

    /** The original commit time of the oldest transaction in the applier, or of the last applied. */
    private static final String APPLYING = "COALESCE("
            + "(SELECT MIN(t) FROM ("
            + "SELECT PROCESSING_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP AS t FROM " + COORDINATOR
            + " WHERE " + CHANNEL + " AND PROCESSING_TRANSACTION <> ''"
            + " UNION ALL SELECT APPLYING_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP FROM " + WORKERS
            + " WHERE " + CHANNEL + " AND APPLYING_TRANSACTION <> '') applying),"
            + " (SELECT MAX(LAST_APPLIED_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP) FROM " + WORKERS
            + " WHERE " + CHANNEL + " AND LAST_APPLIED_TRANSACTION <> ''),"
            + " NULLIF(s.LAST_QUEUED_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP, 0))";

    static final String SQL = "SELECT @@server_id AS server_id, @@read_only AS read_only,"
            + " @@super_read_only AS super_read_only, @@gtid_executed AS pos,"
            + " (SELECT COUNT(*) FROM performance_schema.threads WHERE PROCESSLIST_COMMAND LIKE 'Binlog Dump%')"
            + " AS replicas_connected,"
            + " c.HOST AS source_host, c.PORT AS source_port, c.HEARTBEAT_INTERVAL,"
            + " s.SERVICE_STATE AS receiver, s.SOURCE_UUID AS source_uuid, s.COUNT_RECEIVED_HEARTBEATS,"
            + " " + SILENCE + " AS SILENCE_MICROS,"
            + " s.RECEIVED_TRANSACTION_SET AS received, s.LAST_ERROR_MESSAGE AS receiver_error,"
            + " a.SERVICE_STATE AS applier,"
            + " (SELECT MAX(LAST_ERROR_MESSAGE) FROM " + WORKERS + " WHERE " + CHANNEL
            + " AND LAST_ERROR_NUMBER <> 0) AS applier_error,"
            + " CASE WHEN a.SERVICE_STATE IS NULL OR a.SERVICE_STATE <> 'ON' THEN NULL"
            + " WHEN GTID_SUBSET(s.RECEIVED_TRANSACTION_SET, @@gtid_executed)"
            + " THEN IF(s.SERVICE_STATE = 'ON', 0, NULL)"
            + " WHEN a.REMAINING_DELAY IS NOT NULL THEN GREATEST(0, CAST((SELECT DESIRED_DELAY FROM"
            + " performance_schema.replication_applier_configuration WHERE " + CHANNEL + ") AS SIGNED)"
            + " - CAST(a.REMAINING_DELAY AS SIGNED))"
            + " ELSE GREATEST(0, TIMESTAMPDIFF(SECOND, " + APPLYING + ", NOW(6))) END AS seconds_behind"
            + " FROM (SELECT 1) AS one"
            + " LEFT JOIN performance_schema.replication_connection_configuration c ON c." + CHANNEL
            + " LEFT JOIN performance_schema.replication_connection_status s ON s." + CHANNEL
            + " LEFT JOIN performance_schema.replication_applier_status a ON a." + CHANNEL;

    private static final class Last {
        final Connection connection;
        final ServerState full;
        /** Replicas connected when first seen after the full probe; -1 until then. */
        long replicasConnected = -1;
        /** The source's server UUID when first seen after the full probe; null until then. */
        String sourceUuid;
        int sinceFull;
        /** The server refused {@link #SQL}: full probes only on this connection. */
        boolean refused;

        Last(Connection connection, ServerState full) {
            this.connection = connection;
            this.full = full;
        }
    }

    private final Map<NodeAddress, Last> last = new ConcurrentHashMap<>();

    /**
     * The state from one statement, or {@code null} when a full probe is needed (first probe on this connection,
     * a change the light probe cannot follow, its turn, or a server that refuses the statement).
     */
    ServerState probe(Connection connection, NodeAddress address) throws SQLException {
        Last l = last.get(address);
        if (l == null || l.connection != connection || l.refused) {
            return null;
        }
        ServerState full = l.full;
        if (full.replication() != null && l.replicasConnected > 0 && ++l.sinceFull >= FULL_EVERY) {
            return null; // a replica with replicas of its own: who they are is only in the full probe
        }
        Map<String, String> row;
        try {
            row = Rows.single(connection, SQL);
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (state != null && state.startsWith("08")) {
                throw e; // the connection failed: the probe failed
            }
            // Refused (no SELECT on performance_schema: 1142) or not understood by this server: the full probe
            // works without it, and the node is not to be suspected for what is the light probe's limit.
            l.refused = true;
            return null;
        }
        boolean readOnly = Rows.getFlag(row, "read_only") || Rows.getFlag(row, "super_read_only");
        if (Rows.getLong(row, -1, "server_id") != full.serverId() || readOnly != full.readOnly()) {
            return null;
        }
        long replicas = Rows.getLong(row, -1, "replicas_connected");
        if (l.replicasConnected == -1) {
            l.replicasConnected = replicas;
        } else if (replicas != l.replicasConnected) {
            return null;
        }
        String pos = row.get("pos");
        pos = pos == null ? "" : pos.trim();
        String host = Rows.get(row, "source_host");
        Replication before = full.replication();
        if (before == null) {
            if (host != null && !host.isBlank()) {
                return null; // a channel was configured since
            }
            return new ServerState(address, full.serverId(), full.flavor(), full.version(), full.readOnly(),
                    full.role(), true, pos, null, full.peers());
        }
        String uuid = Rows.get(row, "source_uuid");
        uuid = uuid == null ? "" : uuid;
        if (l.sourceUuid == null) {
            l.sourceUuid = uuid;
        } else if (!uuid.equals(l.sourceUuid)) {
            return null; // another server behind the same source address: its server id is in the full probe
        }
        IoState io = receiverState(Rows.get(row, "receiver"));
        boolean applying = "ON".equalsIgnoreCase(Rows.get(row, "applier"));
        if (host == null || !host.equals(before.sourceHost())
                || Rows.getLong(row, -1, "source_port") != before.sourcePort()
                || io != before.ioState() || applying != before.sqlRunning()) {
            return null;
        }
        long period = ServerStateParser.heartbeatPeriodMillis(Rows.get(row, "HEARTBEAT_INTERVAL"));
        long ageMicros = Rows.getLong(row, -1, "SILENCE_MICROS");
        String received = Rows.get(row, "received");
        Replication now = new Replication(before.sourceHost(), before.sourcePort(), before.sourceServerId(), io,
                applying, Rows.getLong(row, -1, "seconds_behind"), received == null ? "" : received.trim(),
                Rows.getLong(row, before.heartbeatsReceived(), "COUNT_RECEIVED_HEARTBEATS"),
                ageMicros < 0 ? -1 : ageMicros / 1000, period < 0 ? before.heartbeatPeriodMillis() : period,
                join(Rows.get(row, "receiver_error"), Rows.get(row, "applier_error")));
        return new ServerState(address, full.serverId(), full.flavor(), full.version(), full.readOnly(),
                full.role(), true, pos, now, full.peers());
    }

    /** {@code replication_connection_status.SERVICE_STATE} as the receiver state {@code SHOW REPLICA STATUS} has. */
    private static IoState receiverState(String service) {
        return ServerStateParser.ioState("ON".equalsIgnoreCase(service) ? "Yes" : service);
    }

    private static String join(String a, String b) {
        boolean hasA = a != null && !a.isBlank();
        boolean hasB = b != null && !b.isBlank();
        if (hasA && hasB) {
            return a + "; " + b;
        }
        return hasA ? a : hasB ? b : "";
    }

    /** Remembers a full probe made on {@code connection}. */
    void fullProbe(Connection connection, ServerState full) {
        last.put(full.address(), new Last(Objects.requireNonNull(connection), full));
    }

    /** Forgets a node, e.g. after a failed probe. */
    void forget(NodeAddress address) {
        last.remove(address);
    }
}
