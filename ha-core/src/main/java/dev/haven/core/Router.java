package dev.haven.core;

import dev.haven.core.internal.ReadSelector;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Picks the node for each statement or transaction: the primary for writes, an eligible replica
 * for reads.
 *
 * <ul>
 *   <li>Reads go to replicas that are {@code UP}, replicating and within {@code ha.maxReplicaLag}
 *       (decided when the topology was built), chosen by {@code ha.readStrategy}. With
 *       {@code ha.zone} set, replicas in that zone are preferred and the others used when none
 *       of them is eligible.</li>
 *   <li>No eligible replica: the primary, or {@code null} with {@code ha.readFallback=fail}.</li>
 *   <li>No primary: {@link #routeWrite()} returns {@code null} at once; {@link #awaitWrite()}
 *       waits up to {@code ha.failover.timeout} for one.</li>
 * </ul>
 *
 * <p>Thread-safe. Every method except {@link #awaitWrite()} reads the live topology once (one
 * volatile read), takes no lock and allocates nothing; results are never cached, so a published
 * topology is used from the next call on.
 */
public final class Router {

    private final ClusterState state;
    private final ReadSelector selector;
    private final boolean readFallbackToPrimary;
    private final long writeWaitNanos;

    /** A router over {@code state}, with strategy, fallback and wait from {@code config}. */
    public Router(HavenConfig config, ClusterState state) {
        this.state = state;
        this.selector = ReadSelector.of(config.readStrategy());
        this.readFallbackToPrimary = config.readFallback() == HavenConfig.ReadFallback.PRIMARY;
        this.writeWaitNanos = config.failoverTimeout().toNanos();
    }

    /** The primary, or {@code null} when there is none now. Never blocks. */
    public Node routeWrite() {
        return state.current().primary();
    }

    /**
     * The primary, waiting up to {@code ha.failover.timeout} for one to appear (woken by the next
     * published topology, not by polling).
     *
     * @throws NoPrimaryException if none appeared in time; its message says what to check
     */
    public Node awaitWrite() throws NoPrimaryException {
        Node primary = state.current().primary();
        return primary != null ? primary : state.awaitPrimary(writeWaitNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * An eligible replica; without one, the primary ({@code ha.readFallback=primary}, the default)
     * or {@code null} ({@code fail}, or no primary either). Never blocks.
     */
    public Node routeRead() {
        Topology t = state.current();
        Node[] candidates = t.preferredReadArray();
        if (candidates.length != 0) {
            return selector.select(candidates);
        }
        return readFallbackToPrimary ? t.primary() : null;
    }

    /**
     * A node for a read that must see {@code position} (this application's last write), for
     * read-your-writes consistency. In order of preference: an eligible replica whose last known
     * position already covers it (local zone first, then any zone); else an eligible replica
     * picked by the read strategy, on which the caller waits (GTID wait, up to
     * {@code ha.consistency.timeout}) and falls back to the primary; else as {@link #routeRead()}
     * without replicas. The caller tells the cases apart with
     * {@code node.position().covers(position)} and {@code node.role()}. Never blocks.
     */
    public Node routeReadAfter(ReplicationPosition position) {
        if (position.isEmpty()) {
            return routeRead();
        }
        Topology t = state.current();
        Node[] preferred = t.preferredReadArray();
        if (preferred.length == 0) {
            return readFallbackToPrimary ? t.primary() : null;
        }
        Node covering = firstCovering(preferred, position);
        if (covering != null) {
            return covering;
        }
        Node[] all = t.readReplicaArray();
        if (all != preferred && (covering = firstCovering(all, position)) != null) {
            return covering;
        }
        return selector.select(preferred);
    }

    /** The first replica covering the position, scanning from a random start so the load spreads. */
    private static Node firstCovering(Node[] candidates, ReplicationPosition position) {
        int n = candidates.length;
        int start = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
        for (int k = 0; k < n; k++) {
            int i = start + k;
            if (i >= n) {
                i -= n;
            }
            if (candidates[i].position().covers(position)) {
                return candidates[i];
            }
        }
        return null;
    }
}
