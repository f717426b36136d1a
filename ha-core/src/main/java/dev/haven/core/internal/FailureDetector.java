package dev.haven.core.internal;

import dev.haven.core.HavenConfig;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Decides each node's {@link Health} and replication freshness from probe results, passive
 * failures and lag observations, by Heartbeat-like rules:
 *
 * <ul>
 *   <li>a failed probe or a failed application connection ({@link #passiveFailure}) makes a node
 *       {@code SUSPECT} at once;</li>
 *   <li>silence alone never does: a node with no successful probe for {@code ha.suspectAfter} is
 *       {@code SUSPECT} only if the node is to blame, that is a probe of it failed since its last
 *       success, or a probe sent to it ({@link #probeStarted}) is unanswered for {@link #lateNanos()}
 *       (a quarter of {@code ha.probeTimeout}). A probe that was simply sent late, because the prober
 *       thread was not scheduled on a busy machine, is the monitor's delay, not the node's, and used to
 *       make healthy nodes suspect. As a backstop (a prober that cannot send at all), silence of
 *       {@code ha.suspectAfter + ha.probeInterval} with no probe in flight suspects the node anyway;</li>
 *   <li>a node whose last {@value #REFUSED_TO_DOWN} probes were all refused (the host answered at once that
 *       nothing serves there: connection refused or closed, with no error from a MySQL server) is {@code DOWN}
 *       without waiting for {@code ha.deadAfter}: a crashed server is told apart from a hung one by that
 *       answer, which a frozen process or a dropped network never gives;</li>
 *   <li>a node with no successful probe for {@code ha.deadAfter} is {@code DOWN}, on the same
 *       condition (a failed or late probe, or that silence plus {@code ha.probeInterval}), but a node never
 *       seen {@code UP} is not declared {@code DOWN} before {@code ha.initialGrace} has passed since
 *       this detector was created (Heartbeat's initdead: servers starting with the application get
 *       time to come up);</li>
 *   <li>a {@code SUSPECT} or {@code DOWN} node that was {@code UP} before needs
 *       {@code ha.recoverAfter} consecutive successful probes to be {@code UP} again; a node never
 *       seen {@code UP} (just discovered) is {@code UP} at its first success;</li>
 *   <li>a replica becomes lagging above {@code ha.maxReplicaLag} and fresh again only below
 *       {@code ha.maxReplicaLag - ha.lagHysteresis}; a replica that was not replicating (or is new)
 *       must also get below that lower mark. Stopped replication ({@code NULL} lag) means not
 *       replicating, never "lag 0".</li>
 * </ul>
 * Time comes from an injected {@link LongSupplier} of nanoseconds so that tests drive a fake
 * clock. Time-based transitions happen when {@link #health} is asked (the monitor asks every tick
 * when it builds the next topology), so a hung probe cannot delay them.
 *
 * <p>A node's initial state, on registration, is {@code SUSPECT} and not replicating.
 *
 * <p>Implementation notes: one small record per address, created once; state changes are CAS
 * operations on {@code volatile int} fields through field updaters, no object per change. Probe
 * results come from the monitor thread, passive failures from any application thread.
 */
public final class FailureDetector {

    /** Refused probes in a row that make a node {@code DOWN} before {@code ha.deadAfter}. */
    public static final int REFUSED_TO_DOWN = 3;

    private static final int UP = 0;
    private static final int SUSPECT = 1;
    private static final int DOWN = 2;
    private static final Health[] HEALTH = {Health.UP, Health.SUSPECT, Health.DOWN};

    /** {@code probeSentNanos} when no probe is outstanding. */
    private static final long NONE = Long.MIN_VALUE;

    private static final int NOT_REPLICATING = 0;
    private static final int FRESH = 1;
    private static final int LAGGING = 2;

    private final LongSupplier nanoTime;
    private final Consumer<NodeAddress> probeRequester;
    private final long startNanos;
    private final long suspectAfterNanos;
    private final long probeIntervalNanos;
    private final long lateNanos;
    private final long probeTimeoutNanos;
    /**
     * How late the monitor's own threads run lately (the ticker's wake-up delay, decaying): added to the lateness
     * bound, so that a probe whose answer waits for a starved prober thread is not taken for a slow node.
     */
    private volatile long schedulingSlackNanos;
    private final long deadAfterNanos;
    private final long initialGraceNanos;
    private final int recoverAfter;
    private final long maxLagMillis;
    private final long freshBelowMillis;
    private final ConcurrentHashMap<NodeAddress, NodeRecord> records = new ConcurrentHashMap<>();

    /**
     * @param nanoTime       the clock, {@code System::nanoTime} in production
     * @param probeRequester called (on the caller's thread) when a passive failure wants an
     *                       immediate probe of a node; must not block
     */
    public FailureDetector(HavenConfig config, LongSupplier nanoTime, Consumer<NodeAddress> probeRequester) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.probeRequester = Objects.requireNonNull(probeRequester, "probeRequester");
        this.startNanos = nanoTime.getAsLong();
        this.suspectAfterNanos = config.suspectAfter().toNanos();
        this.probeIntervalNanos = config.probeInterval().toNanos();
        this.lateNanos = Math.max(1, config.probeTimeout().toNanos() / 4);
        this.probeTimeoutNanos = config.probeTimeout().toNanos();
        this.deadAfterNanos = config.deadAfter().toNanos();
        this.initialGraceNanos = config.initialGrace().toNanos();
        this.recoverAfter = config.recoverAfter();
        this.maxLagMillis = config.maxReplicaLag().toMillis();
        this.freshBelowMillis = config.maxReplicaLag().minus(config.lagHysteresis()).toMillis();
    }

    /** Starts tracking a node (SUSPECT, not replicating) if it is not tracked yet. */
    public void register(NodeAddress address) {
        record(address);
    }

    /** Stops tracking a node that left the topology. */
    public void forget(NodeAddress address) {
        records.remove(address);
    }

    /** Whether a node is tracked. */
    public boolean knows(NodeAddress address) {
        return records.containsKey(address);
    }

    private NodeRecord record(NodeAddress address) {
        NodeRecord r = records.get(address);
        return r != null ? r : records.computeIfAbsent(address, a -> new NodeRecord(nanoTime.getAsLong()));
    }

    /**
     * How long a probe may go unanswered before it is late: a quarter of {@code ha.probeTimeout} (250 ms by
     * default; a probe on a healthy network answers in a few milliseconds, even on a loaded machine well under
     * that). The monitor re-evaluates health at least this often.
     */
    public long lateNanos() {
        return lateNanos;
    }

    /**
     * The monitor's ticker woke up {@code delayNanos} later than it asked to: the machine is busy, and the prober
     * threads are late by about as much. A probe is late only after {@link #lateNanos()} plus the largest such
     * delay seen lately (it decays by an eighth per observation), and never later than the probe timeout.
     */
    public void schedulingDelayObserved(long delayNanos) {
        long decayed = schedulingSlackNanos - (schedulingSlackNanos >> 3);
        schedulingSlackNanos = Math.max(Math.max(0, delayNanos), decayed);
    }

    /**
     * A probe of {@code address} is being sent now (the connect, if one is needed, counts as part of it); its
     * outcome comes through {@link #probeSucceeded}, {@link #probeFailed} or {@link #probeRefused}. Called by the
     * node's prober thread only. Registers unknown nodes.
     */
    public void probeStarted(NodeAddress address) {
        record(address).probeSentNanos = nanoTime.getAsLong();
    }

    /**
     * A probe of {@code address} succeeded. Registers unknown nodes.
     *
     * @param latencyNanos the probe's round trip, averaged into {@link #probeLatencyNanos}
     * @return the node's health now
     */
    public Health probeSucceeded(NodeAddress address, long latencyNanos) {
        NodeRecord r = record(address);
        long now = nanoTime.getAsLong();
        r.lastSuccessNanos = now;
        r.probeSentNanos = NONE;
        r.failedSinceSuccess = false;
        r.refusedInARow = 0;
        r.recordLatency(latencyNanos);
        r.probeWanted = 0;
        int successes = NodeRecord.SUCCESSES.incrementAndGet(r);
        for (;;) {
            int s = r.health;
            if (s == UP) {
                return Health.UP;
            }
            if (r.seenUp && successes < recoverAfter) {
                return HEALTH[s];
            }
            if (NodeRecord.HEALTH.compareAndSet(r, s, UP)) {
                r.seenUp = true;
                return Health.UP;
            }
        }
    }

    /**
     * A probe of {@code address} failed (refused, timed out, error). An {@code UP} node becomes
     * {@code SUSPECT} at once; {@code DOWN} still follows from time. Registers unknown nodes.
     *
     * @param cause why, for the caller's logging; not interpreted
     * @return the node's health now
     */
    public Health probeFailed(NodeAddress address, Throwable cause) {
        NodeRecord r = record(address);
        r.refusedInARow = 0;
        return failed(r);
    }

    /**
     * A probe of {@code address} was refused: the host answered at once that no server listens (connection
     * refused, or closed before the server's greeting), as after a crash. Like {@link #probeFailed}, and
     * {@value #REFUSED_TO_DOWN} of these in a row make the node {@code DOWN} (within the initial grace only if it
     * was seen {@code UP}). Registers unknown nodes.
     *
     * @return the node's health now
     */
    public Health probeRefused(NodeAddress address) {
        NodeRecord r = record(address);
        r.refusedInARow++;
        return failed(r);
    }

    private Health failed(NodeRecord r) {
        r.probeSentNanos = NONE;
        r.failedSinceSuccess = true;
        r.probeWanted = 0;
        r.successes = 0;
        NodeRecord.HEALTH.compareAndSet(r, UP, SUSPECT);
        return evaluate(r, nanoTime.getAsLong());
    }

    /**
     * An application connection to {@code address} failed with a "node gone" error: the node is
     * {@code SUSPECT} at once, and an immediate probe is requested from the monitor (once, until
     * the next probe result). Unknown nodes are ignored.
     *
     * @return whether this call requested a probe
     */
    public boolean passiveFailure(NodeAddress address) {
        NodeRecord r = records.get(address);
        if (r == null) {
            return false;
        }
        r.successes = 0;
        NodeRecord.HEALTH.compareAndSet(r, UP, SUSPECT);
        if (NodeRecord.PROBE_WANTED.compareAndSet(r, 0, 1)) {
            probeRequester.accept(address);
            return true;
        }
        return false;
    }

    /** The node's health now, applying the time-based rules; {@code SUSPECT} for unknown nodes. */
    public Health health(NodeAddress address) {
        NodeRecord r = records.get(address);
        return r == null ? Health.SUSPECT : evaluate(r, nanoTime.getAsLong());
    }

    private Health evaluate(NodeRecord r, long now) {
        for (;;) {
            int s = r.health;
            long silent = now - r.lastSuccessNanos;
            long sent = r.probeSentNanos;
            long late = Math.min(probeTimeoutNanos, lateNanos + schedulingSlackNanos);
            boolean toBlame = r.failedSinceSuccess || (sent != NONE && now - sent >= late);
            int target = s;
            boolean inFlight = sent != NONE;
            boolean dead = overdue(silent, deadAfterNanos, toBlame, inFlight) || r.refusedInARow >= REFUSED_TO_DOWN;
            if (dead && (r.seenUp || now - startNanos >= initialGraceNanos)) {
                target = DOWN;
            } else if (s == UP && overdue(silent, suspectAfterNanos, toBlame, inFlight)) {
                target = SUSPECT;
            }
            if (target == s || NodeRecord.HEALTH.compareAndSet(r, s, target)) {
                if (target != s) {
                    r.successes = 0;
                    if (target == DOWN) {
                        // Its lag is unknown from here: a replica that comes back (a restart, a kill) has missed
                        // what was written meanwhile, and must be measured again before it serves a read.
                        r.lagMillis = Node.LAG_UNKNOWN;
                        r.replication = NOT_REPLICATING;
                    }
                }
                return HEALTH[target];
            }
        }
    }

    /**
     * Whether a silence of {@code silent} crosses {@code threshold}: only when the node is to blame (a failed or
     * late probe), or when the silence lasted a whole probe interval longer with no probe in flight (none could
     * even be sent). A probe in flight that is not late yet decides nothing: it may answer in time.
     */
    private boolean overdue(long silent, long threshold, boolean toBlame, boolean inFlight) {
        return silent >= threshold && (toBlame || (!inFlight && silent >= threshold + probeIntervalNanos));
    }

    /**
     * A replica reported its lag ({@code Seconds_Behind_Master} or a heartbeat table) with both
     * replication threads running. {@link Node#LAG_UNKNOWN} (or any negative value) means the lag
     * is {@code NULL}: the same as {@link #replicationStopped}.
     *
     * @return whether the replica is lagging (over the threshold, with hysteresis)
     */
    public boolean lagObserved(NodeAddress address, long lagMillis) {
        NodeRecord r = record(address);
        if (lagMillis < 0) {
            replicationStopped(address);
            return false;
        }
        r.lagMillis = lagMillis;
        for (;;) {
            int s = r.replication;
            int target;
            if (lagMillis > maxLagMillis) {
                target = LAGGING;
            } else if (lagMillis < freshBelowMillis) {
                target = FRESH;
            } else {
                target = s == NOT_REPLICATING ? LAGGING : s;
            }
            if (NodeRecord.REPLICATION.compareAndSet(r, s, target)) {
                return target == LAGGING;
            }
        }
    }

    /** A replica's IO or SQL thread is not running, or its lag is {@code NULL}: not replicating, not eligible. */
    public void replicationStopped(NodeAddress address) {
        NodeRecord r = record(address);
        r.lagMillis = Node.LAG_UNKNOWN;
        r.replication = NOT_REPLICATING;
    }

    /** When the node's last successful probe was recorded (this detector's clock), {@link Long#MIN_VALUE} if never. */
    public long lastSuccessNanos(NodeAddress address) {
        NodeRecord r = records.get(address);
        return r == null || !r.seenUp ? Long.MIN_VALUE : r.lastSuccessNanos;
    }

    /** The detector's clock, for comparing with {@link #lastSuccessNanos}. */
    public long now() {
        return nanoTime.getAsLong();
    }

    /** Whether the node's replication runs, as last observed. */
    public boolean isReplicating(NodeAddress address) {
        NodeRecord r = records.get(address);
        return r != null && r.replication != NOT_REPLICATING;
    }

    /** Whether the node is over the lag threshold (with hysteresis); false when not replicating. */
    public boolean isLagging(NodeAddress address) {
        NodeRecord r = records.get(address);
        return r != null && r.replication == LAGGING;
    }

    /** Last observed lag in milliseconds, {@link Node#LAG_UNKNOWN} if unknown or not replicating. */
    public long lagMillis(NodeAddress address) {
        NodeRecord r = records.get(address);
        return r == null ? Node.LAG_UNKNOWN : r.lagMillis;
    }

    /** Average probe latency in nanoseconds (each sample weighs 1/4), {@link Node#LATENCY_UNKNOWN} before the first success. */
    public long probeLatencyNanos(NodeAddress address) {
        NodeRecord r = records.get(address);
        return r == null ? Node.LATENCY_UNKNOWN : r.latencyEwmaNanos;
    }

    private static final class NodeRecord {
        static final AtomicIntegerFieldUpdater<NodeRecord> HEALTH = AtomicIntegerFieldUpdater.newUpdater(NodeRecord.class, "health");
        static final AtomicIntegerFieldUpdater<NodeRecord> SUCCESSES = AtomicIntegerFieldUpdater.newUpdater(NodeRecord.class, "successes");
        static final AtomicIntegerFieldUpdater<NodeRecord> PROBE_WANTED = AtomicIntegerFieldUpdater.newUpdater(NodeRecord.class, "probeWanted");
        static final AtomicIntegerFieldUpdater<NodeRecord> REPLICATION = AtomicIntegerFieldUpdater.newUpdater(NodeRecord.class, "replication");

        volatile int health = SUSPECT;
        volatile int successes;
        volatile int probeWanted;
        volatile int replication = NOT_REPLICATING;
        /** Written by the node's prober thread only. */
        volatile int refusedInARow;
        volatile boolean seenUp;
        volatile long lastSuccessNanos;
        /** When the outstanding probe was sent, {@link #NONE} when none is; written by the prober thread only. */
        volatile long probeSentNanos = NONE;
        /** Whether a probe failed since the last success; written by the prober thread only. */
        volatile boolean failedSinceSuccess;
        volatile long lagMillis = Node.LAG_UNKNOWN;
        volatile long latencyEwmaNanos = Node.LATENCY_UNKNOWN;

        NodeRecord(long registeredNanos) {
            this.lastSuccessNanos = registeredNanos;
        }

        void recordLatency(long nanos) {
            if (nanos < 0) {
                return;
            }
            long old = latencyEwmaNanos;
            latencyEwmaNanos = old < 0 ? nanos : old + ((nanos - old) >> 2);
        }
    }
}
