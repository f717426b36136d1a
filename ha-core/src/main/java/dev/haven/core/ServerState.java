package dev.haven.core;

import java.util.List;
import java.util.Objects;

/**
 * What one probe of one server saw: who it is, whether it takes writes, what it replicates from and how well,
 * how far it has got, and which other members of the cluster it knows about. Immutable; produced by a
 * {@link TopologyDiscovery} and turned into {@link Node}s by the health monitor.
 *
 * @param address         the address that was probed
 * @param serverId        {@code @@server_id}
 * @param flavor          MariaDB or MySQL
 * @param version         {@code @@version}
 * @param readOnly        {@code @@read_only} (or {@code @@super_read_only} on MySQL)
 * @param role            the role this server has by the discovery's rules
 * @param routable        whether the server may serve traffic at all by the discovery's rules (for Group
 *                        Replication: the member is {@code ONLINE})
 * @param gtidPosition    the transactions this server has applied: MariaDB {@code @@gtid_current_pos}, MySQL
 *                        {@code @@gtid_executed}; empty when none
 * @param replication     its replication from a source, or {@code null} when it replicates from nobody
 * @param peers           other members this server reports (a primary's replicas, a group's members)
 */
public record ServerState(
        NodeAddress address,
        long serverId,
        Flavor flavor,
        String version,
        boolean readOnly,
        Role role,
        boolean routable,
        String gtidPosition,
        Replication replication,
        List<Peer> peers) {

    public ServerState {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(flavor, "flavor");
        Objects.requireNonNull(role, "role");
        gtidPosition = gtidPosition == null ? "" : gtidPosition;
        peers = List.copyOf(peers);
    }

    /** The server software. */
    public enum Flavor {
        MARIADB,
        MYSQL
    }

    /** The state of a replica's IO (receiver) thread. */
    public enum IoState {
        /** Connected and receiving. */
        RUNNING,
        /** Trying to (re)connect to its source: the link is down. */
        CONNECTING,
        /** Stopped by an administrator or an error. */
        STOPPED
    }

    /**
     * A replica's view of its replication link.
     *
     * @param sourceHost            the source's host as configured on the replica ({@code Master_Host})
     * @param sourcePort            the source's port as configured on the replica
     * @param sourceServerId        the source's {@code server_id}, 0 when the replica never connected
     * @param ioState               the IO thread's state
     * @param sqlRunning            whether the SQL (applier) thread runs
     * @param secondsBehind         {@code Seconds_Behind_Master}; -1 when the server reports NULL (unknown,
     *                              never "no lag")
     * @param receivedGtid          the transactions received so far (MariaDB {@code Gtid_IO_Pos}, MySQL
     *                              {@code Retrieved_Gtid_Set})
     * @param heartbeatsReceived    heartbeats received from the source since the link started; -1 unknown
     * @param sourceSilenceMillis   how long the replica has heard nothing from its source, neither a heartbeat nor a
     *                              transaction (MySQL: a busy source sends no heartbeats, only transactions); -1
     *                              where the server does not say (MariaDB: compare {@code heartbeatsReceived} and
     *                              {@code receivedGtid} between probes)
     * @param heartbeatPeriodMillis how often the source sends a heartbeat on an idle link
     *                              ({@code Slave_heartbeat_period}, {@code HEARTBEAT_INTERVAL}); -1 unknown, 0 off
     * @param lastError             the IO or SQL thread's last error, empty when none
     */
    public record Replication(
            String sourceHost,
            int sourcePort,
            long sourceServerId,
            IoState ioState,
            boolean sqlRunning,
            long secondsBehind,
            String receivedGtid,
            long heartbeatsReceived,
            long sourceSilenceMillis,
            long heartbeatPeriodMillis,
            String lastError) {

        public Replication {
            Objects.requireNonNull(ioState, "ioState");
            receivedGtid = receivedGtid == null ? "" : receivedGtid;
            lastError = lastError == null ? "" : lastError;
        }

        /** Both threads run and the lag is known: the replica is applying its source's changes. */
        public boolean isReplicating() {
            return ioState == IoState.RUNNING && sqlRunning && secondsBehind >= 0;
        }
    }

    /**
     * Another member this server reports.
     *
     * @param address  where to reach it, as reported ({@code report_host}/{@code report_port}, group member
     *                 host and port)
     * @param serverId its {@code server_id}, 0 when not reported
     * @param role     its role as this server reports it, {@link Role#UNKNOWN} when it does not say
     * @param online   whether this server considers it an active member
     */
    public record Peer(NodeAddress address, long serverId, Role role, boolean online) {
        public Peer {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(role, "role");
        }
    }
}
