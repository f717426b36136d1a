package dev.haven.core.internal;

import dev.haven.core.ClusterState;
import dev.haven.core.ErrorClassifier;
import dev.haven.core.ErrorKind;
import dev.haven.core.HavenConfig;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.NodeConnector;
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
    }

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
    private final Set<NodeAddress> aliases = ConcurrentHashMap.newKeySet();
    private final Object assembly = new Object();
    private final Thread ticker;
    private volatile ProbeHook hook = NO_HOOK;
    private volatile boolean running = true;
    /** Set once the seeds' first probes are in, so the first topology published is a whole one. */
    private volatile boolean started;
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
        started = true;
        republish();
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
    private final class Prober implements Runnable {
        final NodeAddress address;
        final Thread thread;
        final CountDownLatch firstProbe = new CountDownLatch(1);
        volatile boolean stopped;
        volatile boolean wakeRequested;
        volatile ServerState lastState;
        /** When this replica was first seen reconnecting to its source, {@code MIN_VALUE} when its link is up. */
        private long linkBrokenSince = Long.MIN_VALUE;
        private Connection connection;

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
                // A node in doubt is probed four times as often until it is UP or DOWN: a crash is then confirmed
                // by refused probes within a fraction of ha.deadAfter.
                long next = started + (ok || detector.health(address) == Health.DOWN ? interval : interval / 4);
                if (next - System.nanoTime() < interval / 2) {
                    // The probe overran (a hung server that just came back): space the next one out, or two
                    // back-to-back successes would satisfy recoverAfter within milliseconds.
                    next = System.nanoTime() + interval;
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

        private boolean probeOnce() {
            long attempt = System.nanoTime();
            try {
                if (connection == null) {
                    connection = connector.connect(address, config.connectTimeout(), config.probeTimeout());
                }
                long start = System.nanoTime();
                ServerState seen = discovery.probe(connection, address);
                long latency = System.nanoTime() - start;
                seen = hook.inspect(connection, seen);
                if (!stopped) {
                    accept(seen, latency);
                }
                return true;
            } catch (SQLException | RuntimeException e) {
                closeConnection();
                if (!stopped && running) {
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
            lastState = seen;
            detector.probeSucceeded(address, latencyNanos);
            state.statsFor(address).recordLatency(latencyNanos); // what latency-weighted reads compare
            ServerState.Replication replication = seen.replication();
            if (replication == null || replication.ioState() != ServerState.IoState.CONNECTING) {
                linkBrokenSince = Long.MIN_VALUE;
            }
            if (seen.role() == Role.REPLICA) {
                if (replication == null) {
                    // Static discovery: a read-only server with no replication channel to read; the list is trusted.
                    detector.lagObserved(address, 0);
                } else if (replication.isReplicating() && seen.routable()) {
                    detector.lagObserved(address, replication.secondsBehind() * 1000);
                } else if (lostADeadSource(replication)) {
                    // The source is gone for us too: nothing newer exists to read, so the replica keeps serving
                    // with the lag it had (reads must survive a primary crash). A replica that lost a source we
                    // still reach is falling behind, and is not eligible.
                    long last = detector.lagMillis(address);
                    detector.lagObserved(address, Math.max(0, last));
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

    private void tick() {
        // Time-based rules (suspect/dead after silence) must fire even while probes hang.
        long period = Math.max(50_000_000L, config.probeInterval().toNanos() / 2);
        while (running) {
            LockSupport.parkNanos(this, period);
            if (running) {
                try {
                    republish();
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
            forgetVanished(states);
        }
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
