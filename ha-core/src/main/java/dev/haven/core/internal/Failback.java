package dev.haven.core.internal;

import dev.haven.core.HavenCluster;
import dev.haven.core.HavenConfig;
import dev.haven.core.HavenEvent;
import dev.haven.core.HavenEventListener;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.NodeConnector;
import dev.haven.core.PromotionRule;
import dev.haven.core.Role;
import dev.haven.core.ServerState;
import dev.haven.core.Topology;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ha.failover.autoFailback=true}: once the home node (the one marked {@code prefer}, else the primary this
 * data source first saw) has rejoined as a healthy, fresh replica of the current primary, and no primary change
 * happened for {@code ha.failover.minInterval}, the primary role moves back to it by a planned {@link Switchover}:
 * no committed write is lost or fails.
 *
 * <p>Several application instances may try at once: the switchover runs under the lock {@code haven_failover} on
 * the home node, and the conditions are checked again under it, so one instance moves the role and the others see
 * it done. Checks run on the event thread and cost a few field reads; the switchover runs on its own thread.
 */
public final class Failback implements HavenEventListener {

    private static final Logger log = LoggerFactory.getLogger(Failback.class);
    private static final String LOCK = "haven_failover";

    private final HavenCluster cluster;
    private final HavenConfig config;
    private final NodeConnector admin;
    private final WriteBarrier gate;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile long homeServerId;
    private volatile long primaryServerId;
    private volatile long primarySinceNanos = System.nanoTime();

    /** Listens to {@code cluster}'s events; the switchover connects with {@code admin} and holds {@code gate}. */
    public Failback(HavenCluster cluster, HavenConfig config, NodeConnector admin, WriteBarrier gate) {
        this.cluster = cluster;
        this.config = config;
        this.admin = admin;
        this.gate = gate;
        Node primary = cluster.topology().primary();
        if (primary != null) {
            homeServerId = primary.serverId();
            primaryServerId = primary.serverId();
        }
    }

    @Override
    public void onEvent(HavenEvent event) {
        if (event.type() != HavenEvent.Type.TOPOLOGY_CHANGED && event.type() != HavenEvent.Type.LAG_UNDER
                && event.type() != HavenEvent.Type.ROLE_CHANGED) {
            return;
        }
        Topology t = cluster.topology();
        Node primary = t.primary();
        if (primary == null) {
            return;
        }
        if (primary.serverId() != primaryServerId) {
            if (homeServerId == 0) {
                homeServerId = primary.serverId();
            }
            primaryServerId = primary.serverId();
            primarySinceNanos = System.nanoTime();
        }
        Node home = home(t);
        if (home == null || !ready(t, primary, home) || !running.compareAndSet(false, true)) {
            return;
        }
        Thread th = new Thread(() -> failBack(home.address()), "haven-failback");
        th.setDaemon(true);
        th.start();
    }

    /** The node marked {@code prefer} if any, else the first primary this data source saw. */
    private Node home(Topology t) {
        for (Node n : t.nodes()) {
            if (n.promotionRule() == PromotionRule.PREFER) {
                return n;
            }
        }
        for (Node n : t.nodes()) {
            if (n.serverId() == homeServerId) {
                return n;
            }
        }
        return null;
    }

    private boolean ready(Topology t, Node primary, Node home) {
        if (home.serverId() == primary.serverId() || primary.health() != Health.UP || home.role() != Role.REPLICA
                || !home.eligibleForReads()) {
            return false;
        }
        ServerState s = cluster.serverState(home.address());
        return s != null && s.replication() != null && s.replication().sourceServerId() == primary.serverId();
    }

    private void failBack(NodeAddress home) {
        // The topology may stay still once the home node is ready: wait out ha.failover.minInterval here.
        long left;
        while ((left = primarySinceNanos + config.failoverMinInterval().toNanos() - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
        try (Connection lock = admin.connect(home, config.connectTimeout(),
                config.failoverTimeout().plusSeconds(5))) {
            if (!new ServerAdmin(lock, flavor(home)).tryLock(LOCK)) {
                return; // another instance moves the role
            }
            Topology t = cluster.topology();
            Node primary = t.primary();
            Node node = t.node(home);
            if (primary == null || node == null || !ready(t, primary, node)
                    || System.nanoTime() - primarySinceNanos < config.failoverMinInterval().toNanos()) {
                return;
            }
            log.info("Failing back: moving the primary role from {} to its home {}", primary.address(), home);
            new Switchover(cluster, config, admin, gate).run(home);
        } catch (SQLException | RuntimeException e) {
            cluster.state().emit(HavenEvent.Type.FAILOVER_REFUSED, home, null, null,
                    "automatic fail-back failed: " + e.getMessage());
        } finally {
            running.set(false);
        }
    }

    private ServerState.Flavor flavor(NodeAddress node) {
        ServerState s = cluster.serverState(node);
        return s == null ? ServerState.Flavor.MARIADB : s.flavor();
    }
}
