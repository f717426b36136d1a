package dev.haven.core.internal.discovery;

import dev.haven.core.NodeAddress;
import dev.haven.core.ServerState;
import dev.haven.core.ServerState.Replication;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One statement per probe of a MariaDB server in a steady state, instead of four (the variables, the GTID
 * position, {@code SHOW ALL SLAVES STATUS}, {@code SHOW SLAVE HOSTS}): the probe asks only what can change while
 * the server keeps its role, and takes the rest from the last full probe made on the same connection.
 *
 * <ul>
 *   <li>A server with no replication channel (a primary, or a read-only server replicating from nobody): one
 *       {@code SELECT} of {@code @@server_id}, {@code @@read_only}, {@code @@gtid_current_pos} and the
 *       {@code Slaves_running} and {@code Slaves_connected} status counters. Anything else than the last full
 *       probe saw in the first two, a channel running, or another number of connected replicas (the peers listed
 *       by {@code SHOW SLAVE HOSTS} may have changed) calls for a full probe at once, in the same probe.</li>
 *   <li>A replica: {@code SHOW ALL SLAVES STATUS} alone (MariaDB 10.11 and 11.4 have no table form of it). It
 *       tells lag, link, heartbeats, the received and applied positions ({@code Gtid_Slave_Pos} stands for the
 *       position: a read-only replica writes nothing of its own); a different source, a thread that is not in the
 *       state the full probe saw, or no channel calls for a full probe at once. What it does not tell,
 *       {@code @@read_only} and the replicas of a replica (cascading), is checked every {@value #FULL_EVERY}
 *       probes by one {@code SELECT} in place of that probe's {@code SHOW ALL SLAVES STATUS} ({@link #CHECK_SQL}:
 *       server id, {@code read_only}, applied position, connected replicas); a difference calls for a full probe
 *       at once, and so does a replica with replicas of its own (who they are takes {@code SHOW SLAVE HOSTS}).
 *       That turn keeps the replication status of the probe before it (the very same object, so that nothing
 *       takes it for a new reading of the link), which is why only a caught-up replica takes it: one that lags or
 *       whose threads are not both running takes it once caught up (a full probe if that takes another
 *       {@value #FULL_EVERY} probes). A steady leaf replica thus costs one statement per probe, the periodic
 *       check included.</li>
 * </ul>
 * A new connection (a reconnect may reach a restarted or a different server) always starts with a full probe.
 *
 * <p>Thread-safety: one entry per address, written by that node's prober thread only.
 */
final class MariaDbLightProbe {

    /** Probes between two full probes of a replica; a primary's full probes come from what its light probe sees. */
    static final int FULL_EVERY = 60;

    /** How many replicas are connected to this server (a scalar subquery, for a select list). */
    static final String SLAVES_CONNECTED =
            "(SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'SLAVES_CONNECTED')";

    static final String PRIMARY_SQL = "SELECT @@server_id AS server_id, @@read_only AS read_only,"
            + " @@gtid_current_pos AS pos,"
            + " (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'SLAVES_RUNNING')"
            + " AS slaves_running, " + SLAVES_CONNECTED + " AS slaves_connected";

    static final String REPLICA_SQL = "SHOW ALL SLAVES STATUS";

    /** A replica's periodic check: what {@link #REPLICA_SQL} does not tell. */
    static final String CHECK_SQL = "SELECT @@server_id AS server_id, @@read_only AS read_only,"
            + " @@gtid_slave_pos AS pos, " + SLAVES_CONNECTED + " AS slaves_connected";

    private static final class Last {
        final Connection connection;
        final ServerState full;
        final long slavesConnected;
        int sinceFull;
        /** The replication status the last probe of this replica read, full or light. */
        Replication replication;

        Last(Connection connection, ServerState full, long slavesConnected) {
            this.connection = connection;
            this.full = full;
            this.slavesConnected = slavesConnected;
            this.replication = full.replication();
        }
    }

    private final Map<NodeAddress, Last> last = new ConcurrentHashMap<>();

    /**
     * The state from one statement, or {@code null} when a full probe is needed (first probe on this connection,
     * a change the light probe cannot follow, or its turn).
     */
    ServerState probe(Connection connection, NodeAddress address) throws SQLException {
        Last l = last.get(address);
        if (l == null || l.connection != connection) {
            return null;
        }
        ServerState full = l.full;
        if (full.replication() == null) {
            Map<String, String> row = Rows.single(connection, PRIMARY_SQL);
            if (Rows.getLong(row, -1, "server_id") != full.serverId()
                    || Rows.getFlag(row, "read_only") != full.readOnly()
                    || Rows.getLong(row, -1, "slaves_running") != 0
                    || Rows.getLong(row, -1, "slaves_connected") != l.slavesConnected) {
                return null;
            }
            String pos = row.get("pos");
            return new ServerState(address, full.serverId(), full.flavor(), full.version(), full.readOnly(),
                    full.role(), true, pos == null ? "" : pos.trim(), null, full.peers());
        }
        if (++l.sinceFull >= FULL_EVERY) {
            if (caughtUp(l.replication)) {
                return check(connection, l);
            }
            if (l.sinceFull >= 2 * FULL_EVERY) {
                return null; // lagging all along: the full probe, as the check cannot wait for ever
            }
        }
        Map<String, String> row = ServerStateParser.defaultChannel(Rows.query(connection, REPLICA_SQL));
        Replication now = ServerStateParser.replication(row);
        Replication before = full.replication();
        if (now == null || !now.sourceHost().equals(before.sourceHost()) || now.sourcePort() != before.sourcePort()
                || now.sourceServerId() != before.sourceServerId() || now.ioState() != before.ioState()
                || now.sqlRunning() != before.sqlRunning()) {
            return null;
        }
        String applied = Rows.get(row, "Gtid_Slave_Pos");
        l.replication = now;
        return new ServerState(address, full.serverId(), full.flavor(), full.version(), full.readOnly(),
                full.role(), true, applied == null ? full.gtidPosition() : applied.trim(), now, full.peers());
    }

    /**
     * Whether a replica may take its check turn: caught up, both threads running. Its replication status is then
     * held back one probe, which costs nothing: a lagging replica (whose lag may cross {@code ha.maxReplicaLag}
     * meanwhile) goes on with its regular probes and takes the turn once caught up, or a full probe after
     * {@code 2 * FULL_EVERY} probes.
     */
    private static boolean caughtUp(Replication r) {
        return r != null && r.secondsBehind() == 0 && r.isReplicating();
    }

    /** A replica's periodic check ({@link #CHECK_SQL}), or {@code null} when it shows a change (a full probe). */
    private static ServerState check(Connection connection, Last l) throws SQLException {
        Replication kept = l.replication;
        ServerState full = l.full;
        Map<String, String> row = Rows.single(connection, CHECK_SQL);
        if (Rows.getLong(row, -1, "server_id") != full.serverId() || Rows.getFlag(row, "read_only") != full.readOnly()
                || Rows.getLong(row, -1, "slaves_connected") != l.slavesConnected || l.slavesConnected != 0) {
            return null;
        }
        l.sinceFull = 0;
        String applied = row.get("pos");
        return new ServerState(full.address(), full.serverId(), full.flavor(), full.version(), full.readOnly(),
                full.role(), true, applied == null ? full.gtidPosition() : applied.trim(), kept, full.peers());
    }

    /** Remembers a full probe made on {@code connection}, with the number of replicas connected then. */
    void fullProbe(Connection connection, ServerState full, long slavesConnected) {
        last.put(full.address(), new Last(Objects.requireNonNull(connection), full, slavesConnected));
    }

    /** Forgets a node, e.g. after a failed probe. */
    void forget(NodeAddress address) {
        last.remove(address);
    }

    /** The peers of the last full probe, for tests. */
    List<ServerState.Peer> peers(NodeAddress address) {
        Last l = last.get(address);
        return l == null ? List.of() : l.full.peers();
    }
}
