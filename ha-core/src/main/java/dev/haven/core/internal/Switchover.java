package dev.haven.core.internal;

import dev.haven.core.HavenCluster;
import dev.haven.core.HavenConfig;
import dev.haven.core.HavenEvent;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.NodeConnector;
import dev.haven.core.Role;
import dev.haven.core.ServerState;
import dev.haven.core.Topology;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A planned switchover of the primary role to a chosen replica, with no lost and no failed committed write:
 *
 * <ol>
 *   <li>new writes are held back (the application's {@link WriteBarrier}) and the writes in progress are let
 *       finish;</li>
 *   <li>the primary is made read-only, and its binary log position read;</li>
 *   <li>the target waits until it has applied that position;</li>
 *   <li>the target stops replicating, forgets its source and becomes writable (semi-synchronous replication moves
 *       with the role on MariaDB);</li>
 *   <li>the other replicas are re-pointed to it with GTID positioning;</li>
 *   <li>once the monitor sees the target as the primary, writes are let through again.</li>
 * </ol>
 *
 * The old primary stays read-only and replicates from nobody (fenced): making it a replica needs replication
 * credentials Haven does not have. Any failure before the target is writable undoes step 2 and releases the
 * writes on the old primary. Statements run with the monitoring (admin) credentials.
 */
public final class Switchover {

    private static final Logger log = LoggerFactory.getLogger(Switchover.class);

    private final HavenCluster cluster;
    private final HavenConfig config;
    private final NodeConnector admin;
    private final WriteBarrier gate;
    private final Duration timeout;
    private java.util.Map<String, String> targetLink;
    private boolean targetSemiSync;

    /** One switchover, run once by {@link #run}; {@code admin} connects with the monitoring (admin) account. */
    public Switchover(HavenCluster cluster, HavenConfig config, NodeConnector admin, WriteBarrier gate) {
        this.cluster = cluster;
        this.config = config;
        this.admin = admin;
        this.gate = gate;
        this.timeout = config.failoverTimeout();
    }

    /** What a switchover did. */
    public record Result(NodeAddress oldPrimary, NodeAddress newPrimary, Duration writePause) {
    }

    public Result run(NodeAddress target) throws SQLException {
        Topology topology = cluster.topology();
        Node primary = topology.primary();
        Node candidate = topology.node(target);
        if (primary == null) {
            throw refused(target, "there is no primary to switch over from; topology: " + topology);
        }
        if (candidate == null || candidate.role() != Role.REPLICA || !candidate.eligibleForReads()) {
            throw refused(target, "the target must be a healthy, replicating replica of the primary; it is "
                    + (candidate == null ? "not in the topology" : candidate.toString()));
        }
        long started = System.nanoTime();
        gate.close();
        boolean primaryReadOnly = false;
        try {
            drain(target);
            // Announced once the writes in progress are done, not before: the pools cut off every connection to a
            // primary being replaced when they hear of it (so no late acknowledgement from it reaches the
            // application), and a planned switchover lets the transactions it drains finish and commit first.
            cluster.state().emit(HavenEvent.Type.FAILOVER_STARTED, target, primary.address().toString(),
                    target.toString(), "planned switchover");
            try (Connection p = connect(primary.address())) {
                ServerAdmin old = new ServerAdmin(p, flavor(primary));
                old.makeReadOnly();
                primaryReadOnly = true;
                String position = old.binlogPosition();
                boolean semiSync = old.semiSyncPrimary();
                promote(candidate, position, semiSync);
                if (semiSync) {
                    // A replica with log_slave_updates must not wait for acknowledgements itself.
                    old.stopSemiSyncPrimary();
                }
            }
            for (Node other : topology.nodes()) {
                if (other.role() == Role.REPLICA && !other.address().equals(target)
                        && other.health() != dev.haven.core.Health.DOWN) {
                    repoint(other, candidate);
                }
            }
            cluster.state().emit(HavenEvent.Type.PROMOTED, target, "REPLICA", "PRIMARY", "planned switchover");
            cluster.state().emit(HavenEvent.Type.FENCED, primary.address(), "read_only=OFF", "read_only=ON",
                    "the old primary stays read-only after a switchover");
            rejoin(primary, candidate);
            awaitNewPrimary(target);
        } catch (SQLException | RuntimeException e) {
            if (primaryReadOnly && !targetWritable(candidate)) {
                undo(primary);
            }
            gate.open();
            cluster.state().emit(HavenEvent.Type.FAILOVER_REFUSED, target, null, null,
                    "switchover failed: " + e.getMessage());
            throw e;
        }
        gate.open();
        Duration pause = Duration.ofNanos(System.nanoTime() - started);
        cluster.state().emit(HavenEvent.Type.FAILOVER_FINISHED, target, primary.address().toString(),
                target.toString(), "switchover done, writes paused " + pause.toMillis() + " ms");
        log.info("Switched the primary over from {} to {}; writes were held back for {} ms", primary.address(),
                target, pause.toMillis());
        return new Result(primary.address(), target, pause);
    }

    private void drain(NodeAddress target) throws SQLException {
        try {
            if (!gate.awaitDrained(timeout.toNanos())) {
                throw refused(target, gate.active() + " write(s) still in progress after " + timeout.toMillis()
                        + " ms (ha.failover.timeout): long transactions block a switchover");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw refused(target, "interrupted while waiting for writes in progress");
        }
    }

    private void promote(Node target, String position, boolean semiSync) throws SQLException {
        try (Connection t = connect(target.address())) {
            ServerAdmin admin = new ServerAdmin(t, flavor(target));
            // The target's own link, as it was: the template for the old primary's link if it rejoins.
            targetLink = admin.replicaStatus();
            targetSemiSync = admin.semiSyncReplica();
            if (!admin.awaitApplied(position, timeout)) {
                throw refused(target.address(), "it did not catch up with the primary (" + position + ") within "
                        + timeout.toMillis() + " ms");
            }
            admin.promote(semiSync);
        }
    }

    private void repoint(Node replica, Node primary) throws SQLException {
        try (Connection r = connect(replica.address())) {
            new ServerAdmin(r, flavor(replica)).repoint(primary.address());
        }
    }

    /**
     * With replication credentials ({@code ha.replication.user}), the old primary becomes a replica of the new one,
     * its link configured like the target's was; without them it stays read-only and replicates from nobody.
     * A failure here is reported and leaves the switchover done.
     */
    private void rejoin(Node oldPrimary, Node newPrimary) {
        if (config.replicationUser() == null) {
            return;
        }
        try (Connection c = connect(oldPrimary.address())) {
            new ServerAdmin(c, flavor(oldPrimary)).replicateFrom(newPrimary.address(), config.replicationUser(),
                    config.replicationPassword(), targetLink, targetSemiSync);
        } catch (SQLException e) {
            cluster.state().emit(HavenEvent.Type.FAILOVER_REFUSED, oldPrimary.address(), null, null,
                    "the old primary could not be made a replica of " + newPrimary.address() + ": " + e.getMessage());
        }
    }

    private void awaitNewPrimary(NodeAddress target) throws SQLException {
        cluster.refresh();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Topology t = cluster.topology();
            if (t.primary() != null && t.primary().address().equals(target)) {
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw refused(target, "the monitor did not see it as the primary within " + timeout.toMillis() + " ms");
            }
            try {
                cluster.state().awaitTopologyAfter(t.epoch(), Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw refused(target, "interrupted while waiting for the monitor");
            }
            cluster.refresh();
        }
    }

    private boolean targetWritable(Node target) {
        try (Connection t = connect(target.address()); Statement s = t.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@GLOBAL.read_only")) {
            return rs.next() && "0".equals(rs.getString(1));
        } catch (SQLException e) {
            return false;
        }
    }

    private void undo(Node primary) {
        try (Connection p = connect(primary.address())) {
            new ServerAdmin(p, flavor(primary)).makeWritable();
            log.warn("Switchover failed; {} is writable again", primary.address());
        } catch (SQLException e) {
            log.error("Switchover failed and {} could not be made writable again: {}", primary.address(),
                    e.getMessage());
        }
    }

    private Connection connect(NodeAddress node) throws SQLException {
        return admin.connect(node, config.connectTimeout(), timeout.plusSeconds(5));
    }

    private ServerState.Flavor flavor(Node node) {
        ServerState state = cluster.serverState(node.address());
        return state == null ? ServerState.Flavor.MARIADB : state.flavor();
    }

    private static SQLException refused(NodeAddress target, String why) {
        return new SQLException("switchover to " + target + " refused: " + why, "HY000");
    }
}
