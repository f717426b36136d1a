package dev.haven.core.internal;

import dev.haven.core.ClusterState;
import dev.haven.core.ErrorClassifier;
import dev.haven.core.ErrorKind;
import dev.haven.core.HavenConfig;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.NodeConnector;
import dev.haven.core.ReplicationPosition;
import dev.haven.core.Role;
import dev.haven.core.ServerState;
import dev.haven.core.Topology;
import dev.haven.core.TopologyDiscovery;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every node over a dedicated monitoring connection, feeds the {@link FailureDetector}, follows the
 * cluster's shape as {@link TopologyDiscovery} reports it, and publishes a new {@link Topology} whenever
 * something that routing cares about changed.
 *
 * <p>Threads: one prober per node ({@code haven-probe-<host:port>}), because a probe of a frozen server blocks
 * for up to the probe timeout and must not delay the other nodes' probes; and one ticker
 * ({@code haven-monitor-tick}) that re-evaluates the time-based detector rules and republishes even while a
 * prober is stuck, so a hung node turns {@code DOWN} on time. All are daemon threads; {@link #close()} stops
 * them and closes every monitoring connection.
 *
 * <p>Identity: nodes are told apart by {@code @@server_id}. A replica names its source by the address it
 * replicates from, which may differ from the address applications use (a proxy, NAT, another network); when an
 * address turns out to be a server already known under another address, the address known first (seeds come
 * first) is kept and the other is remembered as an alias and no longer probed.
 *
 * <p>Implementation notes: per-node state lives in {@link Prober} objects in a concurrent map; topology assembly
 * ({@link #republish()}) is serialised by a lock, is off the routing path, and is the only writer of the
 * {@link ClusterState}.
 */
public final class HealthMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

    /**
     * What failover does with probe results ({@code ha.failover=promote}); the default does nothing.
     */
    public interface ProbeHook {
        /**
         * Called on the prober's thread after a successful probe, before the result is used, with the node's
         * monitoring connection: the chance to fence a server that must not take writes.
         *
         * @return the state to use (probed again if the hook changed the server)
         */
        ServerState inspect(Connection connection, ServerState seen) throws SQLException;

        /** Whether the server was a primary that another one replaced: its claim to be primary never stands. */
        boolean superseded(long serverId);

        /**
         * When ({@code System.nanoTime()}) the server was seen replaced as the primary, {@link Long#MIN_VALUE} if it
         * was not (or has since rejoined as a replica). A replica still following it lacks everything written since.
         */
        default long replacedAtNanos(long serverId) {
            return Long.MIN_VALUE;
        }
    }

    /** The first retry period of a replaced primary that does not answer (see {@code replacedPrimaryRetryNanos}). */
    static final long RETURN_RETRY_MILLIS = 20;

    /** How long after a primary's last answer its replicas are probed four times as often (see spacingNanos). */
    static final long PRIMARY_DOUBT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final ProbeHook NO_HOOK = new ProbeHook() {
        @Override
        public ServerState inspect(Connection connection, ServerState seen) {
            return seen;
        }

        @Override
        public boolean superseded(long serverId) {
            return false;
        }
    };

    private final HavenConfig config;
    private final TopologyDiscovery discovery;
    private final NodeConnector connector;
    private final ClusterState state;
    private final FailureDetector detector;
    private final TopologyAssembler assembler;
    private final boolean followPeers;
    private final Set<NodeAddress> seeds;
    private final Map<NodeAddress, Prober> probers = new ConcurrentHashMap<>();
    /** Source addresses as the replicas name them, to the server_id a connected replica reported there. */
    private final Map<NodeAddress, Long> sourceIds = new ConcurrentHashMap<>();
    /** The primary's positions over the last probes: what a replica's staleness is held against. */
    private final PrimaryPositions primaryPositions = new PrimaryPositions();
    /**
     * Samples of what this data source saw acknowledged ({@link #acknowledgedWrites}), each taken before a probe:
     * a replica lacking one lacks a write the application was told is committed.
     */
    private final PrimaryPositions acknowledgedPositions = new PrimaryPositions();
    private volatile java.util.function.Supplier<ReplicationPosition> acknowledged = () -> ReplicationPosition.EMPTY;
    private final Set<NodeAddress> aliases = ConcurrentHashMap.newKeySet();
    private final Object assembly = new Object();
    private final Thread ticker;
    private volatile ProbeHook hook = NO_HOOK;
    private volatile boolean running = true;
    /** Set once the seeds' first probes are in, so the first topology published is a whole one. */
    private volatile boolean started;
    /** When {@link #start()} finished, for the check of the nodes the settings name. */
    private volatile long startedNanos;
    /** The "setting=node" pairs already warned about (ha.promotion, ha.zones naming no node): each warned once. */
    private final Set<String> unmatchedWarned = ConcurrentHashMap.newKeySet();
    /** The last conflict between primaries that was logged, so it is logged once, not at every tick. */
    private String lastConflict;

    public HealthMonitor(HavenConfig config, TopologyDiscovery discovery, NodeConnector connector, ClusterState state,
                         LongSupplier nanoTime) {
        this.config = Objects.requireNonNull(config, "config");
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.state = Objects.requireNonNull(state, "state");
        this.detector = new FailureDetector(config, nanoTime, this::probeNow);
        this.assembler = new TopologyAssembler(config, detector, state);
        this.followPeers = !"static".equals(discovery.name());
        this.seeds = new HashSet<>(config.seeds());
        this.ticker = new Thread(this::tick, "haven-monitor-tick");
        this.ticker.setDaemon(true);
    }

    /**
     * The server_id of a replica's source: as the replica reports it, or, before its receiver has connected since
     * the replica started (it then reports 0), as another replica connected to the same source address reported
     * it, or as the node Haven probes at that address; 0 if unknown. The address is the one the replicas use,
     * which need not be Haven's (a proxy, another network).
     */
    public long sourceServerId(ServerState.Replication replication) {
        if (replication.sourceServerId() != 0 || replication.sourceHost().isBlank()) {
            return replication.sourceServerId();
        }
        NodeAddress at = NodeAddress.of(replication.sourceHost(), replication.sourcePort());
        Long learned = sourceIds.get(at);
        if (learned != null) {
            return learned;
        }
        Prober source = probers.get(at);
        ServerState s = source == null ? null : source.lastState;
        return s == null ? 0 : s.serverId();
    }

    /**
     * What this data source saw acknowledged (the highest GTID per source, see {@code AcknowledgedWrites}): a
     * replica lacking a write acknowledged {@code t} ago is at least {@code t} stale, whoever holds that write now.
     * Found by the fault campaign (seed 14076): a delayed replica whose received but unapplied events were thrown
     * away (MariaDB's {@code CHANGE MASTER} empties the relay log) while its primary was dead served reads missing
     * seconds of acknowledged writes, since no live node showed what it lacked.
     */
    public void acknowledgedWrites(java.util.function.Supplier<ReplicationPosition> acknowledged) {
        this.acknowledged = Objects.requireNonNull(acknowledged, "acknowledged");
    }

    /** Installs failover's probe hook; call before {@link #start()}. */
    public void hook(ProbeHook hook) {
        this.hook = Objects.requireNonNull(hook, "hook");
    }

    /** The discovery the probes use. */
    public TopologyDiscovery discovery() {
        return discovery;
    }

    /**
     * Starts probing the seeds and waits until each has been probed once (successfully or not), at most one
     * connect timeout plus one probe timeout, so that the first topology is real.
     */
    public void start() {
        for (NodeAddress seed : config.seeds()) {
            add(seed);
        }
        ticker.start();
        long waitNanos = config.connectTimeout().plus(config.probeTimeout()).plusMillis(200).toNanos();
        long deadline = System.nanoTime() + waitNanos;
        for (Prober prober : probers.values()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                prober.firstProbe.await(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        startedNanos = System.nanoTime();
        started = true;
        republish();
    }

    /**
     * Warns once (log and {@link dev.haven.core.HavenEvent.Type#CONFIGURATION_WARNING} event) about each node that
     * {@code ha.promotion} or {@code ha.zones} names and that is not in the topology once discovery had time to
     * settle: every seed probed, the nodes they reported probed too (three probe intervals plus a connect and a
     * probe timeout after the start). A misspelt address there would otherwise silently never apply. Static
     * discovery refuses such names when the configuration is built.
     */
    void checkNamedNodes() {
        if (!started || unmatchedWarned.size() >= config.promotion().size() + config.zones().size()) {
            return;
        }
        long settle = 3 * config.probeInterval().toNanos() + config.connectTimeout().toNanos()
                + config.probeTimeout().toNanos();
        if (System.nanoTime() - startedNanos < settle) {
            return;
        }
        warnUnmatched("ha.promotion", config.promotion().keySet());
        warnUnmatched("ha.zones", config.zones().keySet());
    }

    private void warnUnmatched(String key, Set<NodeAddress> named) {
        for (NodeAddress node : named) {
            if (probers.containsKey(node) || aliases.contains(node) || !unmatchedWarned.add(key + "=" + node)) {
                continue;
            }
            String message = key + " names " + node + ", which is not a node of the cluster as discovered ("
                    + new java.util.TreeSet<>(probers.keySet()) + "); the setting does nothing for it. Name nodes as"
                    + " the seeds or the servers' report_host:report_port give them";
            log.warn(message);
            state.emit(dev.haven.core.HavenEvent.Type.CONFIGURATION_WARNING, node, null, null, message);
        }
    }

    /**
     * Passive signal: an application connection to the node failed. The node is {@code SUSPECT} in the next
     * topology, published before this returns (so the very next route avoids it), and is probed at once.
     */
    public void nodeFailed(NodeAddress address) {
        if (probers.containsKey(address)) {
            detector.passiveFailure(address);
            republish();
        }
    }

    /** Asks for an immediate probe of one node; returns at once. */
    public void probeNow(NodeAddress address) {
        Prober prober = probers.get(address);
        if (prober != null) {
            prober.wake();
        }
    }

    /** Asks for an immediate probe of every node; returns at once. */
    public void probeAllNow() {
        for (Prober prober : probers.values()) {
            prober.wake();
        }
    }

    /**
     * The nodes whose last probe was refused for authentication (SQLState {@code 28000}, error 1045): the monitor's
     * user or password is wrong for them. Empty when every login works.
     */
    public Set<NodeAddress> authenticationFailures() {
        Set<NodeAddress> refused = new java.util.TreeSet<>();
        for (Prober prober : probers.values()) {
            if (prober.loginRefused) {
                refused.add(prober.address);
            }
        }
        return refused;
    }

    /** What one node reported at its last successful probe, or null; no copy of the whole map. */
    public ServerState lastState(NodeAddress address) {
        Prober prober = probers.get(address);
        return prober == null ? null : prober.lastState;
    }

    /** The last state each node reported, for diagnostics and failover decisions. */
    public Map<NodeAddress, ServerState> lastStates() {
        Map<NodeAddress, ServerState> states = new LinkedHashMap<>();
        for (Prober prober : probers.values()) {
            ServerState seen = prober.lastState;
            if (seen != null) {
                states.put(prober.address, seen);
            }
        }
        return states;
    }

    @Override
    public void close() {
        running = false;
        ticker.interrupt();
        for (Prober prober : probers.values()) {
            prober.stop();
        }
        join(ticker);
        for (Prober prober : probers.values()) {
            join(prober.thread);
            prober.closeConnection();
        }
    }

    // ------------------------------------------------------------------------------------------------- probing

    private void add(NodeAddress address) {
        if (!running || aliases.contains(address)) {
            return;
        }
        probers.computeIfAbsent(address, a -> {
            detector.register(a);
            Prober prober = new Prober(a);
            prober.thread.start();
            log.debug("Monitoring {}", a);
            return prober;
        });
    }

    private void remove(NodeAddress address, String why) {
        Prober prober = probers.remove(address);
        if (prober != null) {
            prober.stop();
            detector.forget(address);
            log.info("No longer monitoring {}: {}", address, why);
        }
    }

    /** One node's probe loop and monitoring connection. */
    /**
     * The time from one probe of a node to the next, replaced primaries aside (see the prober's loop):
     * <ul>
     *   <li>a node in doubt (its probe failed, and it is not {@code DOWN} yet) a quarter interval: a crash is then
     *       confirmed by refused probes within a fraction of {@code ha.deadAfter};</li>
     *   <li>a replica serving reads whose lag could pass {@code ha.maxReplicaLag} before the next probe at the
     *       interval (its lag plus one interval is over it) also a quarter interval: its lag is only known at
     *       probes, and one that grows at the pace of the clock (an applier that stopped, a delay) would otherwise
     *       serve reads up to one whole interval past the bound. The campaign found reads 3.002 s old with a 2 s
     *       bound and 1 s probes on MySQL (seed 11000);</li>
     *   <li>a replica while the primary is in doubt a quarter interval too (see {@code primaryInDoubt});</li>
     *   <li>any other node the interval.</li>
     * </ul>
     *
     * @param servingReads whether the node answered and is a replica, replicating, not lagging
     * @param lagMillis    its last judged lag, {@link Node#LAG_UNKNOWN} if none
     * @param primaryInDoubt whether the node answered and is a replica while the primary is in doubt
     *                     ({@link #primaryInDoubt()}): whether the replicas still hear from a primary that stopped
     *                     answering is what a promotion waits for, and a link counts as lost only after its heartbeat
     *                     count stood still across probes for two heartbeat periods, measured from the first probe
     *                     that saw it stand; at a whole interval apart that first probe can come up to an interval
     *                     after the last heartbeat. The drill's frozen primary waited 1.1-1.35 s after it was DOWN.
     */
    static long spacingNanos(boolean answered, Health health, boolean servingReads, long lagMillis, long maxLagMillis,
                             boolean primaryInDoubt, long intervalNanos) {
        if (!answered) {
            return health == Health.DOWN ? intervalNanos : intervalNanos / 4;
        }
        if (primaryInDoubt) {
            return intervalNanos / 4;
        }
        if (servingReads && lagMillis >= 0 && lagMillis + intervalNanos / 1_000_000 > maxLagMillis) {
            return intervalNanos / 4;
        }
        return intervalNanos;
    }

    /**
     * Whether a node in the topology with the primary role is {@code SUSPECT} or {@code DOWN}, for at most
     * {@link #PRIMARY_DOUBT_NANOS} since it last answered: the time in which a failover is decided. A primary gone
     * for longer (nobody promoted: observe mode, or a refusal) costs its replicas no more probes than before.
     */
    private boolean primaryInDoubt() {
        Topology t = state.current();
        if (t == null) {
            return false;
        }
        long now = detector.now();
        for (Node n : t.nodes()) {
            if (n.role() == Role.PRIMARY && n.health() != Health.UP) {
                long last = detector.lastSuccessNanos(n.address());
                if (last != Long.MIN_VALUE && now - last < PRIMARY_DOUBT_NANOS) {
                    return true;
                }
            }
        }
        return false;
    }

    private final class Prober implements Runnable {
        final NodeAddress address;
        final Thread thread;
        final CountDownLatch firstProbe = new CountDownLatch(1);
        volatile boolean stopped;
        volatile boolean wakeRequested;
        volatile ServerState lastState;
        /** {@link #lastState}'s GTID position, parsed; null before the first probe or when unreadable. */
        volatile ReplicationPosition lastPosition;
        /** Whether the last probe was refused for authentication; an event is sent when it becomes true. */
        volatile boolean loginRefused;
        /** When this replica was first seen reconnecting to its source, {@code MIN_VALUE} when its link is up. */
        private long linkBrokenSince = Long.MIN_VALUE;
        /** The replica's lag when its link broke: what it keeps while its dead source cannot tell more. */
        private long lagAtBreak = Node.LAG_UNKNOWN;
        /** When the last probe that completed (answered or failed) was sent, {@code System.nanoTime()}. */
        volatile long lastCompletedProbeSentAt = Long.MIN_VALUE;
        /** Under the assembly lock: whether the node was ever UP, and since when it is UP again while in doubt. */
        boolean everUp;
        long upAgainSince = Long.MIN_VALUE;
        private Connection connection;
        /** Since when a replaced primary has not answered, {@code MIN_VALUE} otherwise; the prober's own thread. */
        private long returningSince = Long.MIN_VALUE;
        /**
         * What this replica reported received from its current source, probe by probe ({@link #receivedFrom}); the
         * prober's own thread. Kept when the replica forgets it: see {@link #positionLagMillis}.
         */
        private PrimaryPositions receivedPositions = new PrimaryPositions();
        /** The source ({@code host:port} as the replica names it) {@link #receivedPositions} came from. */
        private String receivedFrom = "";

        Prober(NodeAddress address) {
            this.address = address;
            this.thread = new Thread(this, "haven-probe-" + address);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            long interval = config.probeInterval().toNanos();
            while (running && !stopped) {
                long started = System.nanoTime();
                wakeRequested = false;
                boolean ok = probeOnce();
                firstProbe.countDown();
                republish();
                // After the topology that used this probe was published: whoever sees this time sees that topology.
                lastCompletedProbeSentAt = started;
                ServerState seen = lastState;
                boolean replica = ok && seen != null && seen.role() == Role.REPLICA;
                long spacing = spacingNanos(ok, detector.health(address),
                        replica && detector.isReplicating(address) && !detector.isLagging(address),
                        detector.lagMillis(address), config.maxReplicaLag().toMillis(),
                        replica && primaryInDoubt(), interval);
                long next = started + spacing;
                long returning = replacedPrimaryRetryNanos(ok, interval);
                if (returning > 0) {
                    // An attempt that hung and then failed (a partition that healed resets it) is followed at once:
                    // the server may be reachable from this moment. A refusal waits the period.
                    // An attempt that ran into its connect timeout (a frozen server, a partition still on) waits the
                    // probe interval as any down node's: a thaw is fenced by the fencing queued at the promotion,
                    // which a probe racing it would only duplicate.
                    long now = System.nanoTime();
                    long took = now - started;
                    if (took >= config.connectTimeout().toNanos()) {
                        next = started + interval;
                    } else {
                        next = took >= TimeUnit.MILLISECONDS.toNanos(RETURN_RETRY_MILLIS) ? now : now + returning;
                    }
                } else if (next - System.nanoTime() < spacing / 2) {
                    // The probe overran (a hung server that just came back): space the next one out, or two
                    // back-to-back successes would satisfy recoverAfter within milliseconds. Measured against the
                    // spacing wanted, not the interval: a node in doubt whose probe took its timeout is tried again
                    // a quarter interval later, not a whole one.
                    next = System.nanoTime() + spacing;
                }
                while (running && !stopped && !wakeRequested) {
                    long left = next - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
            closeConnection();
        }

        /**
         * How soon to try again a replaced primary that did not answer, 0 for any other node. It is fenced by the
         * first probe that reaches it, and until then it may be writable beside the new primary: a restarted server
         * (unless {@code read_only=ON} at boot) or one whose network healed is writable from the moment it answers.
         * So it is retried every {@value #RETURN_RETRY_MILLIS} ms for its first 10 s away instead of once per probe
         * interval, then slower as its absence lasts (1 % of it, up to the probe interval), so that a server gone for
         * good costs no more than any down node. A refused connection costs the server nothing; a connect that hangs
         * (a partition) takes its connect timeout anyway.
         */
        private long replacedPrimaryRetryNanos(boolean answered, long interval) {
            ServerState seen = lastState;
            if (answered || seen == null || !hook.superseded(seen.serverId())) {
                returningSince = Long.MIN_VALUE;
                return 0;
            }
            long now = System.nanoTime();
            if (returningSince == Long.MIN_VALUE) {
                returningSince = now;
            }
            // The first 10 s at the shortest period, then 1 % of the absence beyond that.
            return Math.min(interval, Math.max(TimeUnit.MILLISECONDS.toNanos(RETURN_RETRY_MILLIS),
                    (now - returningSince - TimeUnit.SECONDS.toNanos(10)) / 100));
        }

        private boolean probeOnce() {
            long attempt = System.nanoTime();
            // Before the position is read: every write in this sample was acknowledged before the reading.
            ReplicationPosition acked = acknowledged.get();
            if (!acked.isEmpty()) {
                acknowledgedPositions.record(attempt, acked);
            }
            detector.probeStarted(address);
            try {
                if (connection == null) {
                    connection = connector.connect(address, config.connectTimeout(), config.probeTimeout());
                }
                long start = System.nanoTime();
                ServerState seen = discovery.probe(connection, address);
                long latency = System.nanoTime() - start;
                seen = hook.inspect(connection, seen);
                if (!stopped) {
                    loginRefused = false;
                    accept(seen, latency);
                }
                return true;
            } catch (SQLException | RuntimeException e) {
                closeConnection();
                if (!stopped && running) {
                    if (isAuthenticationFailure(e)) {
                        loginRefused(e);
                    }
                    if (refused(e, System.nanoTime() - attempt)) {
                        detector.probeRefused(address);
                    } else {
                        detector.probeFailed(address, e);
                    }
                    log.debug("Probe of {} failed: {}", address, e.toString());
                }
                return false;
            }
        }

        private void accept(ServerState seen, long latencyNanos) {
            long answeredAt = System.nanoTime();
            lastState = seen;
            ReplicationPosition position = parsePosition(seen.gtidPosition());
            lastPosition = position;
            detector.probeSucceeded(address, latencyNanos);
            state.statsFor(address).recordLatency(latencyNanos); // what latency-weighted reads compare
            ServerState.Replication replication = seen.replication();
            if (replication == null || replication.ioState() != ServerState.IoState.CONNECTING) {
                linkBrokenSince = Long.MIN_VALUE;
            }
            if (seen.role() == Role.PRIMARY && position != null) {
                primaryPositions.record(answeredAt, position);
            }
            if (replication != null && replication.sourceServerId() != 0 && !replication.sourceHost().isBlank()) {
                sourceIds.put(NodeAddress.of(replication.sourceHost(), replication.sourcePort()),
                        replication.sourceServerId());
            }
            if (seen.role() == Role.REPLICA) {
                ReplicationPosition received = replication == null ? null : parsePosition(replication.receivedGtid());
                rememberReceived(replication, received, answeredAt);
                // A replica still following a primary that was replaced lacks everything written since: its own
                // lag counter and positions measure it against that source (found by the fault campaign, seed
                // 13171: a replica whose re-pointing failed served reads missing seconds of the new primary's writes
                // while the new primary was away, so that no live node showed what it lacked).
                long replacedAt = replication == null ? Long.MIN_VALUE : hook.replacedAtNanos(sourceServerId(replication));
                long sinceReplaced = replacedAt == Long.MIN_VALUE ? 0
                        : Math.max(0, TimeUnit.NANOSECONDS.toMillis(answeredAt - replacedAt));
                if (replication == null) {
                    // Static discovery: a read-only server with no replication channel to read; the list is trusted.
                    detector.lagObserved(address, 0);
                } else if (replication.isReplicating() && seen.routable()) {
                    detector.lagObserved(address, Math.max(sinceReplaced, Math.max(
                            lagUpperBoundMillis(replication.secondsBehind()),
                            positionLagMillis(position, received, answeredAt - latencyNanos))));
                } else if (lostADeadSource(replication)) {
                    // The source is gone for us too: nothing newer exists to read, so the replica keeps serving
                    // with the lag it had (reads must survive a primary crash), unless it lacks what another live
                    // node has. A replica that lost a source we still reach is falling behind, and is not eligible.
                    // Unknown (never measured since it came back): not eligible, it may have missed anything. The
                    // floor is the lag at the break while a received backlog remains; once it applied all it
                    // received, it has all there is for it to read.
                    boolean backlog = received == null || received.isEmpty() || position == null
                            || !position.covers(received);
                    // A lag the server still reports counts too: MySQL's for a delayed applier whose source died
                    // (its received set may be empty once the receiver reconnects, so the positions cannot tell).
                    long behind = replication.secondsBehind();
                    long reported = behind < 0 ? 0 : lagUpperBoundMillis(behind);
                    detector.lagObserved(address, lagAtBreak < 0 ? Node.LAG_UNKNOWN
                            : Math.max(Math.max(backlog ? lagAtBreak : 0, Math.max(reported, sinceReplaced)),
                                    positionLagMillis(position, received, answeredAt - latencyNanos)));
                } else {
                    detector.replicationStopped(address);
                }
            }
            if (followPeers) {
                for (ServerState.Peer peer : seen.peers()) {
                    add(peer.address());
                }
                if (replication != null && !replication.sourceHost().isBlank()) {
                    add(NodeAddress.of(replication.sourceHost(), replication.sourcePort()));
                }
            }
        }

        /**
         * How stale this replica at least is by positions (see {@link PrimaryPositions}): it lacks a transaction
         * that the primary had this long before the replica's position was read, and that another node, {@code UP},
         * holds, or that the replica itself received and has not applied yet; or a write this data source saw
         * acknowledged that long before. 0 when it lacks nothing such, or its position is unknown.
         */
        private long positionLagMillis(ReplicationPosition position, ReplicationPosition received, long readNanos) {
            if (position == null) {
                return 0;
            }
            // What it received but has not applied counts too: written before the reading, not yet visible (a
            // delayed applier whose source died holds seconds of it).
            long nanos = primaryPositions.stalenessAtLeastNanos(position, readNanos,
                    sample -> (received != null && received.covers(sample)) || heldElsewhere(sample));
            // An acknowledged write counts wherever it is, even on no live node (a replica that lost its relay log).
            long acked = acknowledgedPositions.stalenessAtLeastNanos(position, readNanos, sample -> true);
            // So does what the replica itself once reported received from this source and no longer has (found by
            // the campaign with a follower, seed 21036): a delayed replica's relay log emptied by MariaDB's CHANGE
            // MASTER while its source was dead, the writes on no live node. A data source that records no
            // acknowledged writes (observe mode, the default consistency) had nothing else to measure it by.
            long forgotten = receivedPositions.stalenessAtLeastNanos(position, readNanos, sample -> true);
            return TimeUnit.NANOSECONDS.toMillis(Math.max(Math.max(nanos, acked), forgotten));
        }

        /**
         * Notes what the replica received from its source by {@code answeredAt}. A replica pointed at another
         * source starts afresh: what the old one sent may never exist on the new one, and is no measure of it.
         */
        private void rememberReceived(ServerState.Replication replication, ReplicationPosition received,
                                      long answeredAt) {
            String source = replication == null ? "" : replication.sourceHost() + ":" + replication.sourcePort();
            if (!source.equals(receivedFrom)) {
                receivedFrom = source;
                receivedPositions = new PrimaryPositions();
            }
            if (received != null) {
                receivedPositions.record(answeredAt, received);
            }
        }

        private boolean heldElsewhere(ReplicationPosition sample) {
            for (Prober other : probers.values()) {
                ReplicationPosition p = other.lastPosition;
                // UP only: a primary that stopped answering (SUSPECT within ha.suspectAfter) no longer vouches for
                // its last transactions, which may have reached no replica; reads must survive its crash.
                if (other != this && p != null && detector.health(other.address) == Health.UP && p.covers(sample)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * The link to the source broke (not stopped), the applier runs, and the source is not known to be alive: it
         * is not healthy for us, or no probe of it has succeeded since the link broke. A replica notices a crashed
         * primary before the monitor does, and must not drop out of reads (leaving them to the dying primary) in
         * between; a probe of the source is asked for at once, and if it answers, the replica is really falling
         * behind and stops serving reads.
         */
        private boolean lostADeadSource(ServerState.Replication replication) {
            if (replication.ioState() != ServerState.IoState.CONNECTING || !replication.sqlRunning()) {
                linkBrokenSince = Long.MIN_VALUE;
                return false;
            }
            if (linkBrokenSince == Long.MIN_VALUE) {
                linkBrokenSince = detector.now();
                lagAtBreak = detector.lagMillis(address);
            }
            Node primary = state.current().primary();
            if (primary == null || primary.health() != Health.UP) {
                return true;
            }
            if (detector.lastSuccessNanos(primary.address()) < linkBrokenSince) {
                probeNow(primary.address());
                return true;
            }
            return false;
        }

        private void loginRefused(Throwable e) {
            if (loginRefused) {
                return;
            }
            loginRefused = true;
            String user = connector.user();
            String message = "the monitor's login" + (user == null ? "" : " as '" + user + "'") + " was refused ("
                    + describe(e) + "): check " + (config.adminUser() != null ? "ha.admin.user and ha.admin.password"
                    : "the user and password") + " for this node; it gets no traffic until the login works";
            log.warn("{}: {}", address, message);
            state.emit(dev.haven.core.HavenEvent.Type.AUTHENTICATION_FAILED, address, null, null, message);
        }

        void wake() {
            wakeRequested = true;
            LockSupport.unpark(thread);
        }

        void stop() {
            stopped = true;
            LockSupport.unpark(thread);
        }

        synchronized void closeConnection() {
            Connection c = connection;
            connection = null;
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException | RuntimeException e) {
                    log.trace("Closing the monitoring connection to {} failed", address, e);
                }
            }
        }
    }

    /**
     * Whether a probe failure is the host answering at once that no server serves there (refused, or closed before
     * the greeting), as opposed to a timeout (a hung server, a dropped network) or an error sent by a live server.
     */
    private boolean refused(Throwable e, long elapsedNanos) {
        long bound = Math.min(config.connectTimeout().toNanos(), config.probeTimeout().toNanos()) / 2;
        if (elapsedNanos >= bound || ErrorClassifier.classify(e) != ErrorKind.NODE_GONE) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException && ((SQLException) t).getErrorCode() >= 1000
                    && ((SQLException) t).getErrorCode() < 2000) {
                return false; // a server error (too many connections, shutting down): a server is there
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return true;
    }

    /**
     * The most a replica can be behind when it reports {@code secondsBehind} whole seconds: the servers truncate, so
     * 2 means anything up to 2.999 s, and a replica reporting 2 with {@code ha.maxReplicaLag=2s} may be further
     * behind than the setting allows ("replicas further behind do not serve reads"). The fault campaign found reads
     * 3.002 s stale with a 2 s bound (plus its 1 s margin for probing). 0 stays 0: below a second the setting's
     * resolution is the probe's anyway.
     */
    static long lagUpperBoundMillis(long secondsBehind) {
        return secondsBehind <= 0 ? secondsBehind * 1000 : secondsBehind * 1000 + 999;
    }

    /** A probe's GTID position, or null when it is unreadable (the rules that need it then do not apply). */
    static ReplicationPosition parsePosition(String text) {
        try {
            return ReplicationPosition.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** SQLState 28000 or MySQL error 1045 (access denied), anywhere in the cause chain. */
    static boolean isAuthenticationFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                SQLException s = (SQLException) t;
                if ("28000".equals(s.getSQLState()) || s.getErrorCode() == 1045) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** SQLState and error code of the first SQLException in the chain: what identifies a failure without its text. */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                SQLException s = (SQLException) t;
                return "SQLState " + s.getSQLState() + ", error " + s.getErrorCode();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return e.getClass().getSimpleName();
    }

    private void tick() {
        // Time-based rules (suspect/dead after silence) must fire even while probes hang, and a late probe must be
        // noticed soon after it became late.
        long period = Math.max(50_000_000L, Math.min(config.probeInterval().toNanos() / 2, detector.lateNanos() / 2));
        while (running) {
            long wakeAt = System.nanoTime() + period;
            LockSupport.parkNanos(this, period);
            detector.schedulingDelayObserved(System.nanoTime() - wakeAt);
            if (running) {
                try {
                    republish();
                    checkNamedNodes();
                } catch (RuntimeException e) {
                    log.warn("Could not publish the topology", e);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- assembly

    /** Builds the next topology from every node's last state and the detector, and publishes it if it changed. */
    void republish() {
        synchronized (assembly) {
            if (!running || !started) {
                return;
            }
            resolveAliases();
            Map<NodeAddress, ServerState> states = lastStates();
            NodeAddress primary = choosePrimary(states);
            List<NodeFacts> facts = new ArrayList<>();
            for (Prober prober : probers.values()) {
                ServerState seen = states.get(prober.address);
                if (seen == null) {
                    // A discovered address joins once a probe has told who it is (it may be an alias).
                    if (seeds.contains(prober.address)) {
                        facts.add(NodeFacts.unknown(prober.address));
                    }
                    continue;
                }
                Role role = seen.role();
                if (!seen.routable() || (role == Role.PRIMARY && !prober.address.equals(primary))) {
                    role = Role.UNKNOWN;
                }
                facts.add(new NodeFacts(prober.address, role, seen.serverId(), seen.gtidPosition()));
            }
            facts.sort((a, b) -> a.address().compareTo(b.address()));
            List<Node> nodes = new ArrayList<>(facts.size());
            for (NodeFacts f : facts) {
                nodes.add(assembler.node(f));
            }
            if (changed(state.current(), nodes)) {
                state.publish(nodes);
            }
            updateDoubt();
            forgetVanished(states);
        }
    }

    /**
     * Keeps each node's {@link dev.haven.core.NodeStats#doubt()}: in doubt from the moment it stops being UP, trusted
     * again once it is UP and every other live node has been probed since, so that a primary promoted elsewhere
     * while this one was frozen or cut off is in the topology before the data path trusts this one again. Runs
     * under the assembly lock, after the topology was published (the data path reads the topology first).
     */
    private void updateDoubt() {
        long now = System.nanoTime();
        for (Prober prober : probers.values()) {
            dev.haven.core.NodeStats stats = state.statsFor(prober.address);
            if (detector.health(prober.address) != Health.UP) {
                if (prober.everUp) {
                    stats.doubted();
                }
                prober.upAgainSince = Long.MIN_VALUE;
                continue;
            }
            prober.everUp = true;
            if ((stats.doubt() & 1) == 0) {
                continue;
            }
            if (prober.upAgainSince == Long.MIN_VALUE) {
                prober.upAgainSince = now;
            }
            if (othersProbedSince(prober.address, prober.upAgainSince)) {
                stats.trusted();
            }
        }
    }

    /**
     * Whether every node but {@code node} that is not DOWN has answered or failed a probe sent after
     * {@code nanoTime} ({@link System#nanoTime()}): what this instance knows of the others is at least that recent.
     */
    public boolean othersProbedSince(NodeAddress node, long nanoTime) {
        for (Prober other : probers.values()) {
            long sent = other.lastCompletedProbeSentAt;
            if (!other.address.equals(node) && detector.health(other.address) != Health.DOWN
                    && (sent == Long.MIN_VALUE || sent - nanoTime < 0)) {
                return false;
            }
        }
        return true;
    }

    /** Stops probing an address that turned out to be a server already known under another address. */
    private void resolveAliases() {
        Map<Long, NodeAddress> byServerId = new HashMap<>();
        List<Prober> ordered = new ArrayList<>(probers.values());
        // Seeds win, then the address known longest (lowest thread id is a good enough proxy for "first").
        ordered.sort((a, b) -> {
            boolean seedA = seeds.contains(a.address);
            boolean seedB = seeds.contains(b.address);
            if (seedA != seedB) {
                return seedA ? -1 : 1;
            }
            return Long.compare(a.thread.getId(), b.thread.getId());
        });
        for (Prober prober : ordered) {
            ServerState seen = prober.lastState;
            if (seen == null || seen.serverId() == 0) {
                continue;
            }
            NodeAddress first = byServerId.putIfAbsent(seen.serverId(), prober.address);
            if (first != null && !first.equals(prober.address)) {
                aliases.add(prober.address);
                remove(prober.address, "it is server_id " + seen.serverId() + ", already monitored as " + first);
            }
        }
    }

    /**
     * Which server's claim to be primary stands. One claim stands, whatever its health (the topology does not
     * route to a DOWN primary, but it stays the primary until another one appears). When several servers claim
     * the role (a promotion made elsewhere while the old primary is still suspect, or a restarted old primary that
     * nobody fenced yet), healthy ones beat suspect ones and suspect ones beat DOWN ones, then the one most
     * replicas replicate from wins, then the current primary; a tie beyond that stands for nobody, so writes wait
     * rather than go to two places.
     */
    private NodeAddress choosePrimary(Map<NodeAddress, ServerState> states) {
        List<ServerState> claims = new ArrayList<>();
        ProbeHook h = hook;
        for (ServerState seen : states.values()) {
            if (seen.role() == Role.PRIMARY && seen.routable() && !h.superseded(seen.serverId())) {
                claims.add(seen);
            }
        }
        if (claims.size() > 1) {
            List<ServerState> replaced = new ArrayList<>();
            for (ServerState claim : claims) {
                if (promotedInPlaceOf(claim, claims)) {
                    replaced.add(claim);
                }
            }
            if (replaced.size() < claims.size()) { // each promoted in the other's place: no telling, the rules below
                claims.removeAll(replaced);
            }
        }
        if (claims.size() <= 1) {
            lastConflict = null;
            return claims.isEmpty() ? null : claims.get(0).address();
        }
        Node current = state.current().primary();
        ServerState best = null;
        long bestScore = -1;
        boolean tie = false;
        for (ServerState claim : claims) {
            long followers = 0;
            for (ServerState seen : states.values()) {
                ServerState.Replication r = seen.replication();
                if (r != null && r.sourceServerId() == claim.serverId() && r.ioState() == ServerState.IoState.RUNNING) {
                    followers++;
                }
            }
            Health health = detector.health(claim.address());
            long liveness = health == Health.UP ? 2 : health == Health.SUSPECT ? 1 : 0;
            boolean isCurrent = current != null && current.address().equals(claim.address());
            long score = (liveness << 40) + (followers << 1) + (isCurrent ? 1 : 0);
            if (score > bestScore) {
                best = claim;
                bestScore = score;
                tie = false;
            } else if (score == bestScore) {
                tie = true;
            }
        }
        String verdict = addresses(claims) + (tie ? " -> nobody" : " -> " + best.address());
        if (!verdict.equals(lastConflict)) {
            lastConflict = verdict;
            if (tie) {
                log.warn("{} servers claim to be primary ({}) and none is followed by more replicas: no writes"
                        + " until one is fenced or promoted", claims.size(), addresses(claims));
            } else {
                log.warn("{} servers claim to be primary ({}); writes go to {}, which the replicas follow",
                        claims.size(), addresses(claims), best.address());
            }
        }
        return tie ? null : best.address();
    }

    /**
     * Whether another claimant was promoted in {@code claim}'s place: it is writable, its replication channel still
     * names {@code claim} as its source, and it no longer applies from it (a promotion stops the applier and makes
     * the replica writable; the channel is forgotten only later). Then {@code claim} is the old primary, back
     * (thawed, healed) before it was fenced, whatever its followers: a replica not re-pointed yet still follows it,
     * and the promoted replica's own receiver may even reconnect to it. This needs no memory of the promotion, so
     * it holds for an instance that never saw the new primary before the old one came back.
     */
    private static boolean promotedInPlaceOf(ServerState claim, List<ServerState> claims) {
        for (ServerState other : claims) {
            ServerState.Replication r = other.replication();
            if (other != claim && r != null && r.sourceServerId() != 0 && r.sourceServerId() == claim.serverId()
                    && !r.sqlRunning()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Forgets nodes that are down, were never seeds, and that no live server reports any more (a replica that
     * was removed and shut down).
     */
    private void forgetVanished(Map<NodeAddress, ServerState> states) {
        if (!followPeers) {
            return;
        }
        Set<NodeAddress> reported = new HashSet<>();
        for (ServerState seen : states.values()) {
            if (detector.health(seen.address()) == Health.DOWN) {
                continue;
            }
            for (ServerState.Peer peer : seen.peers()) {
                reported.add(peer.address());
            }
            ServerState.Replication r = seen.replication();
            if (r != null) {
                reported.add(NodeAddress.of(r.sourceHost(), r.sourcePort()));
            }
        }
        for (NodeAddress address : new ArrayList<>(probers.keySet())) {
            if (!seeds.contains(address) && !reported.contains(address)
                    && detector.health(address) == Health.DOWN) {
                remove(address, "down, and no member of the cluster reports it any more");
            }
        }
    }

    /** Whether the nodes differ from the topology in anything routing or failover looks at. */
    private static boolean changed(Topology current, List<Node> next) {
        if (current.nodes().size() != next.size()) {
            return true;
        }
        for (Node b : next) {
            Node a = current.node(b.address());
            if (a == null || a.role() != b.role() || a.health() != b.health()
                    || a.replicating() != b.replicating() || a.lagging() != b.lagging()
                    || a.serverId() != b.serverId() || !a.position().equals(b.position())
                    || a.eligibleForReads() != b.eligibleForReads()) {
                return true;
            }
        }
        return false;
    }

    private static String addresses(List<ServerState> states) {
        List<String> out = new ArrayList<>();
        for (ServerState s : states) {
            out.add(s.address().toString());
        }
        return String.join(", ", out);
    }

    private static void join(Thread thread) {
        if (thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
