package dev.haven.core;

import dev.haven.core.internal.EventDispatcher;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import static dev.haven.core.HavenEvent.Type.LAG_OVER;
import static dev.haven.core.HavenEvent.Type.LAG_UNDER;
import static dev.haven.core.HavenEvent.Type.NODE_DOWN;
import static dev.haven.core.HavenEvent.Type.NODE_SUSPECT;
import static dev.haven.core.HavenEvent.Type.NODE_UP;
import static dev.haven.core.HavenEvent.Type.ROLE_CHANGED;
import static dev.haven.core.HavenEvent.Type.TOPOLOGY_CHANGED;

/**
 * The live cluster state: the current {@link Topology}, the per-node {@link NodeStats}, and the
 * event listeners. One per cluster, shared by the health monitor (which publishes) and the routers
 * (which read).
 *
 * <p>{@link #publish} swaps the snapshot, fires an event for every difference (health, role, lag,
 * membership) and wakes threads in {@link #awaitPrimary}.
 *
 * <p>Implementation notes: the topology is one volatile field, read without a lock by
 * {@link #current()}. Publishing is serialised by a monitor lock, so epochs and events come in
 * order; waiting for a primary uses a {@link ReentrantLock} condition signalled by every publish
 * (no polling), and the waiter re-checks the volatile field under that lock, so no wake-up is
 * lost.
 */
public final class ClusterState {

    private final Object publishLock = new Object();
    private final ReentrantLock waitLock = new ReentrantLock();
    private final Condition published = waitLock.newCondition();
    private final ConcurrentHashMap<NodeAddress, NodeStats> stats = new ConcurrentHashMap<>();
    private final EventDispatcher events;
    private volatile Topology current;

    /** An empty state (epoch 0, no nodes) for a cluster configured by {@code config}; its zone is the local zone. */
    public ClusterState(HavenConfig config) {
        this(config.zone(), Clock.systemUTC());
    }

    ClusterState(String localZone, Clock clock) {
        this.current = Topology.empty(localZone);
        this.events = new EventDispatcher(clock);
    }

    /** The live snapshot; one volatile read, no lock. */
    public Topology current() {
        return current;
    }

    /**
     * The live load figures of an address, created on first use and kept for the life of this
     * state, so that every {@link Node} snapshot of that address shares them.
     */
    public NodeStats statsFor(NodeAddress address) {
        NodeStats s = stats.get(address);
        return s != null ? s : stats.computeIfAbsent(address, NodeStats::new);
    }

    /**
     * Makes {@code next} the live topology, fires events for what changed, and wakes threads
     * waiting for a primary.
     *
     * @throws IllegalArgumentException if {@code next.epoch()} is not greater than the current
     *                                  epoch (a stale snapshot) or its local zone differs
     */
    public void publish(Topology next) {
        Objects.requireNonNull(next, "next");
        synchronized (publishLock) {
            Topology prev = current;
            if (next.epoch() <= prev.epoch()) {
                throw new IllegalArgumentException("stale topology: epoch " + next.epoch() + " is not after the current epoch "
                        + prev.epoch() + "; build it with current().successor(nodes) or publish(nodes)");
            }
            if (!Objects.equals(next.localZone(), prev.localZone())) {
                throw new IllegalArgumentException("topology has local zone " + next.localZone() + ", this state has " + prev.localZone());
            }
            current = next;
            waitLock.lock();
            try {
                published.signalAll();
            } finally {
                waitLock.unlock();
            }
            fireDifferences(prev, next);
        }
    }

    /**
     * Publishes {@code nodes} as the successor of the current topology (epoch + 1), atomically
     * with respect to other publishers.
     *
     * @return the published topology
     */
    public Topology publish(List<Node> nodes) {
        synchronized (publishLock) {
            Topology next = current.successor(nodes);
            publish(next);
            return next;
        }
    }

    /**
     * Returns the primary, waiting up to {@code timeout} for one to appear. Returns at once when
     * there is a primary; otherwise sleeps until a topology is published (never polls).
     *
     * @throws NoPrimaryException when the time is up (or the thread is interrupted, whose flag is
     *                            then restored); the message says how long it waited and what to
     *                            check
     */
    public Node awaitPrimary(long timeout, TimeUnit unit) throws NoPrimaryException {
        Node primary = current.primary();
        if (primary != null) {
            return primary;
        }
        long budget = unit.toNanos(timeout);
        long remaining = budget;
        waitLock.lock();
        try {
            while ((primary = current.primary()) == null) {
                if (remaining <= 0) {
                    throw noPrimary(budget, false);
                }
                remaining = published.awaitNanos(remaining);
            }
            return primary;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw noPrimary(budget - remaining, true);
        } finally {
            waitLock.unlock();
        }
    }

    /**
     * Waits until a topology after {@code epoch} is published, or the time is up (woken by the publication, not
     * by polling).
     *
     * @return whether a newer topology is live now
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public boolean awaitTopologyAfter(long epoch, long timeoutNanos) throws InterruptedException {
        long remaining = timeoutNanos;
        waitLock.lock();
        try {
            while (current.epoch() <= epoch) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = published.awaitNanos(remaining);
            }
            return true;
        } finally {
            waitLock.unlock();
        }
    }

    /**
     * The failure of a wait for a primary that its caller ran itself (say, a read waiting for an eligible replica
     * or a primary, whichever comes first): what {@link #awaitPrimary} throws, naming the time waited.
     */
    public NoPrimaryException noPrimaryAfter(long waitedNanos) {
        return noPrimary(waitedNanos, false);
    }

    private NoPrimaryException noPrimary(long waitedNanos, boolean interrupted) {
        Topology t = current;
        StringBuilder sb = new StringBuilder("No primary available for a write: ");
        sb.append(interrupted ? "interrupted after " : "waited ").append(TimeUnit.NANOSECONDS.toMillis(waitedNanos))
                .append(" ms (ha.failover.timeout). ");
        int claimants = 0;
        for (Node n : t.nodes()) {
            if (n.role() == Role.PRIMARY && n.health() != Health.DOWN) {
                claimants++;
            }
        }
        if (t.nodes().isEmpty()) {
            sb.append("No node has been discovered yet; check ha.seeds and that the servers are reachable from this host. ");
        } else {
            sb.append("Topology epoch ").append(t.epoch()).append(':');
            for (Node n : t.nodes()) {
                sb.append(' ').append(n.address()).append(' ').append(n.role()).append(' ').append(n.health()).append(';');
            }
            sb.append(' ');
            if (claimants > 1) {
                sb.append(claimants).append(" nodes claim to be primary (read_only=OFF): writes are held back to avoid a split brain; "
                        + "make all but one read-only. ");
            }
        }
        sb.append("Check that the primary is running, reachable from this host and writable (read_only=OFF), or that a replica "
                + "has been promoted (ha.failover=observe relies on another tool; ha.failover=promote lets Haven do it); "
                + "raise ha.failover.timeout to wait longer.");
        return new NoPrimaryException(sb.toString());
    }

    /** Registers a listener for every future event. */
    public void addListener(HavenEventListener listener) {
        events.addListener(listener);
    }

    /** Unregisters a listener; unknown listeners are ignored. */
    public void removeListener(HavenEventListener listener) {
        events.removeListener(listener);
    }

    /**
     * Logs and delivers an event that is not a topology difference, such as
     * {@link HavenEvent.Type#FAILOVER_STARTED}; for Haven's own components (failover, fencing).
     *
     * @param detail extra words for the message, {@code null} for none; never credentials
     */
    public void emit(HavenEvent.Type type, NodeAddress address, String oldValue, String newValue, String detail) {
        events.emit(type, address, oldValue, newValue, detail);
    }

    private void fireDifferences(Topology prev, Topology next) {
        Map<NodeAddress, Node> before = new HashMap<>();
        for (Node n : prev.nodes()) {
            before.put(n.address(), n);
        }
        boolean changed = prev.nodes().size() != next.nodes().size() || prev.primary() != next.primary() && !sameAddress(prev.primary(), next.primary());
        for (Node n : next.nodes()) {
            Node old = before.remove(n.address());
            if (old == null) {
                changed = true;
                if (n.health() != Health.SUSPECT) {
                    events.emit(healthEvent(n.health()), n.address(), null, n.health().name(), "role " + n.role());
                }
                continue;
            }
            if (old.health() != n.health()) {
                changed = true;
                events.emit(healthEvent(n.health()), n.address(), old.health().name(), n.health().name(), null);
            }
            if (old.role() != n.role()) {
                changed = true;
                events.emit(ROLE_CHANGED, n.address(), old.role().name(), n.role().name(), null);
            }
            if (n.role() == Role.REPLICA) {
                boolean wasFresh = old.replicating() && !old.lagging();
                boolean isFresh = n.replicating() && !n.lagging();
                if (wasFresh != isFresh) {
                    events.emit(isFresh ? LAG_UNDER : LAG_OVER, n.address(), lagText(old), lagText(n), null);
                }
            }
            if (old.eligibleForReads() != n.eligibleForReads()) {
                changed = true;
            }
        }
        if (!before.isEmpty()) {
            changed = true;
        }
        if (changed) {
            events.emit(TOPOLOGY_CHANGED, null, Long.toString(prev.epoch()), Long.toString(next.epoch()), summary(next, before));
        }
    }

    private static boolean sameAddress(Node a, Node b) {
        return a != null && b != null && a.address().equals(b.address());
    }

    private static HavenEvent.Type healthEvent(Health h) {
        return h == Health.UP ? NODE_UP : h == Health.SUSPECT ? NODE_SUSPECT : NODE_DOWN;
    }

    private static String lagText(Node n) {
        if (!n.replicating()) {
            return "not replicating";
        }
        return n.lagMillis() == Node.LAG_UNKNOWN ? "lag unknown" : "lag " + n.lagMillis() + "ms";
    }

    private static String summary(Topology t, Map<NodeAddress, Node> removed) {
        List<NodeAddress> readable = new ArrayList<>();
        for (Node n : t.readReplicas()) {
            readable.add(n.address());
        }
        String s = "primary " + (t.primary() == null ? "none" : t.primary().address()) + ", readable " + readable;
        return removed.isEmpty() ? s : s + ", removed " + new ArrayList<>(removed.keySet());
    }
}
