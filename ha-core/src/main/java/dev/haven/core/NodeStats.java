package dev.haven.core;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * Live, mutable load figures of one node: requests in flight and a latency average. One instance
 * per address lives for as long as the {@link ClusterState} and is carried from one
 * {@link Topology} snapshot to the next, so the counters survive topology changes.
 *
 * <p>The JDBC layer calls {@link #requestStarted()} and {@link #requestFinished()} around each use
 * of a node; the health monitor (and optionally the JDBC layer) feeds {@link #recordLatency}.
 * The least-outstanding, power-of-two and latency-weighted read strategies read these figures.
 *
 * <p>Implementation notes: the counter is an {@code int} updated by field updater (no boxed or
 * atomic object per node); the average is updated without a lock and may lose a sample under
 * contention, which an average tolerates.
 */
public final class NodeStats {

    private static final AtomicIntegerFieldUpdater<NodeStats> OUTSTANDING =
            AtomicIntegerFieldUpdater.newUpdater(NodeStats.class, "outstanding");

    private final NodeAddress address;
    private volatile int outstanding;
    private volatile long latencyEwmaNanos;
    private volatile Object attachment;
    /** Even while the node is trusted, odd while it is in doubt; see {@link #doubt()}. */
    private volatile long doubt;

    NodeStats(NodeAddress address) {
        this.address = address;
    }

    /** The node these figures belong to. */
    public NodeAddress address() {
        return address;
    }

    /** Requests currently in flight on this node. */
    public int outstanding() {
        return outstanding;
    }

    /** Counts a request that starts using this node; pair with {@link #requestFinished()}. */
    public void requestStarted() {
        OUTSTANDING.incrementAndGet(this);
    }

    /** Counts a request that no longer uses this node. */
    public void requestFinished() {
        OUTSTANDING.decrementAndGet(this);
    }

    /**
     * Exponentially weighted moving average of recorded latencies in nanoseconds (each new sample
     * weighs 1/4); 0 until the first sample.
     */
    public long latencyEwmaNanos() {
        return latencyEwmaNanos;
    }

    /** Adds a latency sample in nanoseconds; negative samples are ignored. */
    public void recordLatency(long nanos) {
        if (nanos < 0) {
            return;
        }
        long old = latencyEwmaNanos;
        latencyEwmaNanos = old == 0 ? Math.max(1, nanos) : Math.max(1, old + ((nanos - old) >> 2));
    }

    /**
     * Whether the node is in doubt, and how often it was: even while it is trusted, odd from the moment it stops
     * being {@code UP} until it is {@code UP} again <em>and</em> every other live node has been probed since
     * (so that a promotion made elsewhere in the meantime is known). A caller that read an even value before a
     * write and reads the same value after it knows the node was trusted throughout; any other pair means the
     * acknowledgement may come from a node that was being replaced, and must be checked against the topology.
     */
    public long doubt() {
        return doubt;
    }

    /** The health monitor: the node stopped being {@code UP}. */
    public void doubted() {
        long d = doubt;
        if ((d & 1) == 0) {
            doubt = d + 1; // one writer (the monitor's topology assembly, under its lock)
        }
    }

    /** The health monitor: the node is {@code UP} and every other live node was probed since it came back. */
    public void trusted() {
        long d = doubt;
        if ((d & 1) == 1) {
            doubt = d + 1;
        }
    }

    /**
     * A slot for the layer above, which keeps its per-node resource here (the JDBC layer: the node's connection
     * pool) so that using a routed node needs no map lookup. Null until set.
     */
    public Object attachment() {
        return attachment;
    }

    /** Sets {@link #attachment()}; last writer wins. */
    public void attach(Object value) {
        attachment = value;
    }

    @Override
    public String toString() {
        return address + "{outstanding=" + outstanding + ", latencyEwma=" + latencyEwmaNanos / 1000 + "us}";
    }
}
