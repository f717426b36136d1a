package dev.haven.core.internal;

import dev.haven.core.ClusterState;
import dev.haven.core.Health;
import dev.haven.core.HavenEvent;
import dev.haven.core.HavenEventListener;
import dev.haven.core.Node;
import dev.haven.core.Role;
import dev.haven.core.ServerState;
import dev.haven.core.Topology;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code ha.failover=observe}: remembers a primary that another server replaced while it was not {@code UP}, so that
 * when it comes back still writable (thawed, healed, restarted) before whoever promoted has fenced it, its claim to
 * the primary role does not stand, and no write of this instance goes there, for as long as its replacement still
 * claims the role and is not {@code DOWN}. Nothing is changed on any server (fencing is the promoter's job).
 *
 * <p>Why: a replica that was not re-pointed yet still follows the thawed old primary, which then has more followers
 * than the new one and would win the primary role back in this instance's topology for the moment until it is
 * fenced; writes acknowledged there in that moment are lost.
 *
 * <p>A replaced primary is forgotten once it is seen replicating, or when its replacement gives up the role (a
 * fail-back, a new election in Group Replication).
 */
public final class ReplacedPrimaries implements HealthMonitor.ProbeHook, HavenEventListener {

    private final ClusterState state;
    private final HealthMonitor monitor;
    /** Replaced primary's server_id to its replacement's server_id. */
    private final Map<Long, Long> replacedBy = new ConcurrentHashMap<>();
    /** Replaced primary's server_id to when it was seen replaced ({@code System.nanoTime()}). */
    private final Map<Long, Long> replacedAt = new ConcurrentHashMap<>();
    private volatile long primaryServerId;

    public ReplacedPrimaries(ClusterState state, HealthMonitor monitor) {
        this.state = state;
        this.monitor = monitor;
    }

    @Override
    public ServerState inspect(Connection connection, ServerState seen) {
        ServerState.Replication r = seen.replication();
        if (r != null && r.ioState() == ServerState.IoState.RUNNING) {
            replacedBy.remove(seen.serverId());
            replacedAt.remove(seen.serverId());
        }
        return seen;
    }

    @Override
    public boolean superseded(long serverId) {
        Long by = replacedBy.get(serverId);
        if (by == null) {
            return false;
        }
        Node replacement = byServerId(state.current(), by);
        if (replacement == null || replacement.health() == Health.DOWN) {
            return false;
        }
        ServerState s = monitor.lastState(replacement.address());
        return s != null && s.role() == Role.PRIMARY && s.routable();
    }

    @Override
    public long replacedAtNanos(long serverId) {
        Long at = replacedAt.get(serverId);
        return at == null ? Long.MIN_VALUE : at;
    }

    @Override
    public void onEvent(HavenEvent event) {
        if (event.type() != HavenEvent.Type.TOPOLOGY_CHANGED) {
            return;
        }
        Topology t = state.current();
        Node primary = t.primary();
        if (primary == null || primary.health() != Health.UP || primary.serverId() == 0) {
            return;
        }
        long previous = primaryServerId;
        if (previous != 0 && previous != primary.serverId()) {
            Node old = byServerId(t, previous);
            if (old == null || old.health() != Health.UP) {
                replacedBy.put(previous, primary.serverId());
                replacedAt.putIfAbsent(previous, System.nanoTime());
            }
        }
        replacedBy.remove(primary.serverId());
        replacedAt.remove(primary.serverId());
        primaryServerId = primary.serverId();
    }

    private static Node byServerId(Topology t, long serverId) {
        for (Node n : t.nodes()) {
            if (n.serverId() == serverId) {
                return n;
            }
        }
        return null;
    }
}
