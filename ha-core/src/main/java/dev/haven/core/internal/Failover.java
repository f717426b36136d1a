package dev.haven.core.internal;

import dev.haven.core.ClusterState;
import dev.haven.core.HavenConfig;
import dev.haven.core.HavenEvent;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.ReplicationPosition;
import dev.haven.core.NodeAddress;
import dev.haven.core.NodeConnector;
import dev.haven.core.PrimaryFencer;
import dev.haven.core.Role;
import dev.haven.core.ServerState;
import dev.haven.core.Topology;
import dev.haven.core.TopologyDiscovery;
import dev.haven.core.internal.discovery.AutoDiscovery;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ha.failover=promote}: watches the topology, promotes a replica when {@link FailoverRules} allow it, and
 * fences a replaced primary whenever it shows up again.
 *
 * <p>Several application instances may run this at once. A promotion first takes the named lock
 * {@code haven_failover} ({@code GET_LOCK}, never waiting) on a majority of the old primary's replicas, in
 * {@code server_id} order; an instance that cannot is not the one promoting and just waits to see the new primary.
 * Under the locks it re-reads every locked replica: if one is already writable, or replicates from a live server
 * other than the old primary, somebody promoted already and nothing is done. Then every replica stops receiving
 * (so nothing more arrives from an old primary that could wake up), the candidate is chosen again from the
 * positions they report now, applies what it received, stops replicating, and becomes writable; the others are
 * re-pointed to it with GTID positioning.
 *
 * <p>Fencing: a primary replaced by another (promoted here or elsewhere while it was not {@code UP}) is
 * remembered by {@code server_id}. When a probe finds it writable again, the prober makes it read-only on the spot,
 * before the topology is published, so no Haven instance routes a write to it; with {@code ha.failover.rejoin} it
 * is then made a replica of the new primary unless it has transactions the new primary lacks. It stays remembered
 * until it is seen replicating.
 *
 * <p>Implementation notes: one daemon thread ({@code haven-failover}) evaluates on every topology change and every
 * quarter probe interval; probes call {@link #inspect} on their own threads.
 */
public final class Failover implements HealthMonitor.ProbeHook, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Failover.class);
    static final String LOCK = "haven_failover";
    private static final String GROUP = "group-replication";
    private static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(10);
    /** How long fencing may take on its own connection (it no longer queues behind the writes it fences). */
    private static final Duration FENCE_TIMEOUT = Duration.ofSeconds(10);
    /** How often the idle standby connection to the primary is checked (a ping: no cost worth counting). */
    private static final long STANDBY_CHECK_NANOS = TimeUnit.MINUTES.toNanos(5);
    /** After a failed attempt to open the standby connection, the next one waits this long. */
    private static final long STANDBY_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** How long {@link #close()} waits for the threads it ends; their connections are cut off first. */
    static final Duration CLOSE_BOUND = Duration.ofSeconds(3);

    private final HavenConfig config;
    private final NodeConnector connector;
    private final TopologyDiscovery discovery;
    private final ClusterState state;
    private final HealthMonitor monitor;
    private final LongSupplier nanoTime;
    /** The application's fencer, or {@code ha.failover.fencer} instantiated once; null when there is none. */
    private final PrimaryFencer fencer;
    /** The fencer's class name for events and the log; a lambda's generated name says nothing to an operator. */
    private final String fencerName;
    /** Whether the fencer's last call failed, and when it began; the failover thread's own. */
    private boolean fencerFailed;
    private long fencerFailedNanos;
    private final Thread thread;
    /** Replaced primaries by server_id, to when they were replaced ({@code System.nanoTime()}). */
    private final Map<Long, Long> superseded = new ConcurrentHashMap<>();
    private final Set<Long> rejoinRefused = ConcurrentHashMap.newKeySet();
    /** Per replica server_id: the last probe seen and since when its link showed no sign of life. Thread-confined. */
    private final Map<Long, LinkWatch> links = new HashMap<>();
    /** Per replica server_id, when re-pointing it away from a replaced primary was last tried. Thread-confined. */
    private final Map<Long, Long> strandedTried = new HashMap<>();
    /** Stranded replicas refused a re-pointing (they hold what the primary lacks): reported once each. */
    private final Set<Long> strandedRefused = ConcurrentHashMap.newKeySet();
    /** Per server_id, since when it has been a writable rival of the primary. Thread-confined. */
    private final Map<Long, Long> rivalsSince = new HashMap<>();
    private volatile boolean running = true;
    /** Held to deliver an event; {@link #close()} takes it to stop delivery, so none arrives after it returns. */
    private final Object emitLock = new Object();
    /** Every administrative connection open now, cut off by {@link #close()} so no statement outlives it. */
    private final Set<Connection> adminOpen = ConcurrentHashMap.newKeySet();
    /** The settling's connections: cut off by {@link #close()} only once its grace is over. */
    private final Set<Connection> settleOpen = ConcurrentHashMap.newKeySet();
    /** Set by {@link #close()} when the settling's grace is over: no administrative connection at all any more. */
    private volatile boolean cutOff;
    /** Threads started for a promotion's settling, ended by {@link #close()}. */
    private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.Executor aborts = Disconnect.threads("haven-failover-abort");
    /** The highest GTID per source of this data source's acknowledged writes (AcknowledgedWrites); EMPTY if none. */
    private volatile java.util.function.Supplier<ReplicationPosition> acknowledged = () -> ReplicationPosition.EMPTY;
    private long lastPromotionNanos;
    private boolean promoted;
    /** When {@link #maybeReopen} last went past its cheap checks; the failover thread's own. */
    private long lastReopenCheckNanos = Long.MIN_VALUE / 2;
    private long primaryServerId;
    private String lastRefusal;
    private long lastProbeRequestNanos;
    /**
     * An idle admin connection to the primary, opened while it is healthy, on which a promotion queues the old
     * primary's fencing right after making the candidate writable ({@link #queueFencing}). Failover thread only.
     */
    private Connection standby;
    private long standbyServerId;
    private ServerState.Flavor standbyFlavor;
    /** The standby's session id, known ahead so that the first statement a thawed server reads is the fencing. */
    private long standbyConnectionId;
    /** When the standby connection was last checked or opened, or when opening it may be tried again. */
    private long standbyCheckedNanos;

    /**
     * @param fencer the application's {@link PrimaryFencer}, or null for {@code ha.failover.fencer}'s (if any);
     *               {@link dev.haven.core.HavenCluster#start} allows only one of the two
     */
    public Failover(HavenConfig config, NodeConnector connector, TopologyDiscovery discovery, ClusterState state,
                    HealthMonitor monitor, LongSupplier nanoTime, PrimaryFencer fencer) {
        this.config = config;
        this.connector = connector;
        this.discovery = discovery;
        this.state = state;
        this.monitor = monitor;
        this.nanoTime = nanoTime;
        this.fencer = fencer != null ? fencer : newFencer(config.failoverFencer());
        this.fencerName = this.fencer == null ? null : nameOf(this.fencer);
        this.thread = new Thread(this::run, "haven-failover");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /**
     * The client-side RPO guard: never promote a replica lacking a write that {@code acknowledged} covers (the
     * highest GTID per source of the writes this data source saw acknowledged). With asynchronous replication a
     * replica may lack what the primary acknowledged; the best-ranked replica that has them all is promoted, and
     * when none has, the promotion is refused ({@code FAILOVER_REFUSED}, naming what each replica lacks) and
     * considered again at every tick, so it waits for one that receives them or for the old primary to return.
     * Per data source: writes acknowledged to other instances are theirs to guard.
     */
    public void guardAcknowledgedWrites(java.util.function.Supplier<ReplicationPosition> acknowledged) {
        this.acknowledged = Objects.requireNonNull(acknowledged, "acknowledged");
    }

    /** The first of the ranked replicas that has every acknowledged write, or null if none has. */
    private FailoverRules.Replica keeperOfAcknowledged(FailoverRules.Decision decision, ReplicationPosition need) {
        return FailoverRules.keeperOf(decision.ranked(), FailoverRules.parse(need.toString()));
    }

    private String lostAcknowledged(FailoverRules.Decision decision, ReplicationPosition need) {
        return FailoverRules.acknowledgedLoss(decision.ranked(), FailoverRules.parse(need.toString()));
    }

    /**
     * Ends every thread this started within {@link #CLOSE_BOUND}: their administrative connections are cut off
     * (a statement waiting on a hung server, such as a replica's receiver stop, fails at once), and no event is
     * delivered once this returns.
     *
     * <p>A promotion already made gets the first half of the bound to settle before its connections are cut off:
     * until then the new primary still has its link to the old one and the other replicas still point there, so
     * when the old primary comes back, every receiver reconnects to it and an instance started later sees it as
     * the primary the replicas follow (two writable servers, and writes routed to the replaced one). After a crash
     * the settling takes well under a second; after a hang it waits on the receivers' stops and is cut short here,
     * leaving its re-pointing undone.
     */
    @Override
    public void close() {
        synchronized (emitLock) {
            running = false;
        }
        thread.interrupt();
        for (Connection c : adminOpen) {
            Disconnect.cutOff(c, aborts);
        }
        long deadline = System.nanoTime() + CLOSE_BOUND.toNanos();
        long grace = System.nanoTime() + CLOSE_BOUND.toNanos() / 2;
        // The failover thread first: a promotion it just made starts its settling on the way out.
        List<Thread> settling = new ArrayList<>(List.of(thread));
        for (int i = 0; i < settling.size(); i++) {
            Thread w = settling.get(i);
            long left = TimeUnit.NANOSECONDS.toMillis(grace - System.nanoTime());
            try {
                if (left > 0 && w.isAlive()) {
                    w.join(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (i == 0) {
                settling.addAll(workers);
            }
        }
        cutOff = true;
        for (Thread w : workers) {
            w.interrupt();
        }
        for (Connection c : settleOpen) {
            Disconnect.cutOff(c, aborts);
        }
        List<Thread> all = new ArrayList<>(workers);
        all.add(thread);
        for (Thread t : all) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                if (left > 0 && t.isAlive()) {
                    t.join(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (t.isAlive()) {
                log.warn("{} did not end within {} ms of close()", t.getName(), CLOSE_BOUND.toMillis());
            }
        }
    }

    /** Delivers an event unless closed: no event reaches a listener after {@link #close()} returned. */
    private void emit(HavenEvent.Type type, NodeAddress address, String oldValue, String newValue, String detail) {
        synchronized (emitLock) {
            if (running) {
                state.emit(type, address, oldValue, newValue, detail);
            }
        }
    }

    private Thread worker(Runnable task, String name) {
        Thread t = new Thread(() -> {
            try {
                task.run();
            } finally {
                workers.remove(Thread.currentThread());
            }
        }, name);
        t.setDaemon(true);
        workers.add(t);
        return t;
    }

    // ------------------------------------------------------------------------------------------- fencing hook

    @Override
    public boolean superseded(long serverId) {
        return superseded.containsKey(serverId);
    }

    @Override
    public long replacedAtNanos(long serverId) {
        Long at = superseded.get(serverId);
        return at == null ? Long.MIN_VALUE : at;
    }

    @Override
    public ServerState inspect(Connection connection, ServerState seen) throws SQLException {
        if (!superseded.containsKey(seen.serverId()) || !running) {
            return seen;
        }
        if (seen.replication() != null && seen.replication().ioState() == ServerState.IoState.RUNNING) {
            superseded.remove(seen.serverId()); // it rejoined as a replica: a later promotion of it is legitimate
            rejoinRefused.remove(seen.serverId());
            return seen;
        }
        if (seen.readOnly()) {
            maybeRejoin(connection, seen);
            return seen;
        }
        long began = nanoTime.getAsLong();
        int killed;
        try {
            killed = fence(connection, seen);
        } catch (SQLException e) {
            emit(HavenEvent.Type.FAILOVER_REFUSED, seen.address(), null, null,
                    "the replaced primary is writable again and could not be fenced (SQLState " + e.getSQLState()
                            + ", error " + e.getErrorCode() + "); Haven sends it no writes");
            return seen;
        }
        emit(HavenEvent.Type.FENCED, seen.address(), "read_only=OFF", "read_only=ON",
                "the replaced primary came back writable and was made read-only before taking a write, in "
                        + TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - began) + " ms (" + killed
                        + " running session(s) killed)");
        ServerState fenced = discovery.probe(connection, seen.address());
        maybeRejoin(connection, fenced);
        return fenced;
    }

    /**
     * Fences on a connection of its own with a timeout longer than a probe's, while a second one kills the
     * sessions running statements there ({@link ServerAdmin#fence}), so that the fencing neither waits behind the
     * old primary's late commits nor lets one of them succeed. The probe connection is spared; it is the fallback
     * when no other connection can be opened.
     */
    private int fence(Connection probe, ServerState seen) throws SQLException {
        long spare = new ServerAdmin(probe, seen.flavor()).connectionId();
        try (Connection admin = adminConnection(seen.address(), FENCE_TIMEOUT)) {
            return new ServerAdmin(admin, seen.flavor()).fence(0, spare,
                    () -> adminConnection(seen.address(), FENCE_TIMEOUT));
        } catch (SQLException e) {
            log.info("Fencing {} on its own connection failed ({}); trying on the probe connection", seen.address(),
                    e.getSQLState());
            return new ServerAdmin(probe, seen.flavor()).fence(0, 0, null);
        }
    }

    private void maybeRejoin(Connection connection, ServerState old) {
        if (!config.failoverRejoin() || old.replication() != null || rejoinRefused.contains(old.serverId())) {
            return;
        }
        Topology t = state.current();
        Node primary = t.primary();
        if (primary == null || primary.health() != Health.UP || primary.serverId() == old.serverId()) {
            return;
        }
        ServerState primaryState = monitor.lastState(primary.address());
        if (primaryState == null) {
            return;
        }
        String mine = old.gtidPosition();
        long errant;
        if (old.flavor() == ServerState.Flavor.MARIADB) {
            // MariaDB positions keep one sequence number per domain, whoever wrote it: an old primary's own
            // transaction 0-1-8 and the new primary's 0-2-8 look alike. The binary log state keeps the last one of
            // each (domain, server), which tells them apart.
            try (Connection p = adminConnection(primary.address())) {
                mine = new ServerAdmin(connection, old.flavor()).binlogState();
                errant = ServerAdmin.missingFromBinlogState(new ServerAdmin(p, old.flavor()).binlogState(), mine);
            } catch (SQLException e) {
                return; // try again at the next probe
            }
        } else {
            // MySQL: the new primary itself subtracts what it executed from what the old primary has.
            try (Connection p = adminConnection(primary.address())) {
                errant = ServerAdmin.countTransactions(new ServerAdmin(p, old.flavor()).errantTransactions(mine));
            } catch (SQLException e) {
                return; // try again at the next probe
            }
        }
        if (errant > 0) {
            rejoinRefused.add(old.serverId());
            emit(HavenEvent.Type.FAILOVER_REFUSED, old.address(), null, null, "rejoin refused: "
                    + old.address() + " has " + (errant == Long.MAX_VALUE ? "unknown" : errant)
                    + " transaction(s) the new primary " + primary.address() + " lacks (" + mine
                    + "); it stays read-only and out of the topology's roles until an operator repairs it");
            return;
        }
        try {
            Map<String, String> template = null;
            boolean semiSync = false;
            for (Node n : t.nodes()) {
                if (n.role() == Role.REPLICA && n.health() == Health.UP) {
                    try (Connection c = adminConnection(n.address())) {
                        ServerAdmin a = new ServerAdmin(c, old.flavor());
                        template = a.replicaStatus();
                        semiSync = a.semiSyncReplica();
                    }
                    if (template != null) {
                        break;
                    }
                }
            }
            new ServerAdmin(connection, old.flavor()).replicateFrom(primary.address(), config.replicationUser(),
                    config.replicationPassword(), template, semiSync);
            if (semiSync) {
                // A primary left alone by earlier failovers runs without semi-sync; it has a semi-sync replica again.
                try (Connection p = adminConnection(primary.address())) {
                    ServerAdmin a = new ServerAdmin(p, old.flavor());
                    if (!a.semiSyncPrimary()) {
                        a.startSemiSyncPrimary();
                    }
                }
            }
            log.info("{} rejoined as a replica of {}", old.address(), primary.address());
            emit(HavenEvent.Type.ROLE_CHANGED, old.address(), "FORMER_PRIMARY", "REPLICA",
                    "the old primary rejoined as a replica of " + primary.address());
        } catch (SQLException e) {
            rejoinRefused.add(old.serverId());
            emit(HavenEvent.Type.FAILOVER_REFUSED, old.address(), null, null,
                    "rejoin failed: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------- the loop

    private void run() {
        long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(50),
                Math.min(TimeUnit.MILLISECONDS.toNanos(250), config.probeInterval().toNanos() / 4));
        while (running) {
            Topology t = state.current();
            try {
                step(t);
            } catch (RuntimeException e) {
                log.warn("Failover check failed", e);
            }
            try {
                state.awaitTopologyAfter(t.epoch(), tick);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void step(Topology t) {
        long now = nanoTime.getAsLong();
        sampleLinks(t, now);
        Node primary = t.primary();
        if (primary != null && primary.health() == Health.UP) {
            if (primaryServerId != 0 && primary.serverId() != primaryServerId) {
                Node old = byServerId(t, primaryServerId);
                if (old == null || old.health() != Health.UP) {
                    supersede(primaryServerId, "replaced by " + primary.address());
                    if (!promoted || now - lastPromotionNanos > TimeUnit.SECONDS.toNanos(5)) {
                        // Promoted by another instance (or elsewhere): ha.failover.minInterval counts from it too.
                        promoted = true;
                        lastPromotionNanos = now;
                    }
                }
            }
            primaryServerId = primary.serverId();
            lastRefusal = null;
            supersedeRivals(t, primary);
            keepStandby(primary, now);
            for (Node n : stranded(t, primary)) {
                repointStranded(n, primary, now);
            }
            return;
        }
        Node dead = byServerId(t, primaryServerId);
        if (dead != null && primary == null && dead.role() != Role.PRIMARY && dead.health() == Health.UP) {
            maybeReopen(t, dead, now);
            return;
        }
        if (dead == null || dead.role() != Role.PRIMARY) {
            return;
        }
        if (now - lastProbeRequestNanos >= TimeUnit.MILLISECONDS.toNanos(200)) {
            // The primary is in doubt: fresh replica views make the agreement and the candidate current.
            monitor.probeAllNow();
            lastProbeRequestNanos = now;
        }
        if (dead.health() != Health.DOWN || electsItsOwnPrimary(dead)) {
            return;
        }
        FailoverRules.Decision decision = FailoverRules.decide(dead, monitor.lastState(dead.address()),
                replicasOf(t, dead, now), promoted ? now - lastPromotionNanos : Long.MAX_VALUE,
                config.failoverMinInterval().toNanos(), config.failoverMaxDataLoss());
        if (!decision.promote()) {
            refuse(dead.address(), decision.reason());
            return;
        }
        ReplicationPosition need = acknowledged.get();
        if (keeperOfAcknowledged(decision, need) == null) {
            refuse(dead.address(), lostAcknowledged(decision, need));
            return;
        }
        if (fencerFailed && now - fencerFailedNanos < fencerPauseNanos()) {
            refuse(dead.address(), "the fencer failed " + TimeUnit.NANOSECONDS.toMillis(now - fencerFailedNanos)
                    + " ms ago; it is called again " + TimeUnit.NANOSECONDS.toMillis(fencerPauseNanos())
                    + " ms after a failure");
            return;
        }
        promote(t, dead, decision);
    }

    /** How long a failed fencer is left alone: its agent (a cloud or power API) is not asked at every tick. */
    private long fencerPauseNanos() {
        return Math.max(TimeUnit.SECONDS.toNanos(1), config.probeInterval().toNanos());
    }

    /**
     * The primary is back, read-only, and nobody replaced it: a server restarted with {@code read_only=ON} at boot
     * (what docs/failover-safety.md recommends, so that a returning old primary never takes a write before it is
     * fenced) comes back so even when no failover happened, and without this step the cluster would stay without a
     * writable node until an operator stepped in. It is made writable again, under the failover lock on every
     * other node, once fresh reads under that lock show that no node is writable, that every other node still
     * replicates from it (applier running, so nobody began a promotion; its receiver running or reconnecting, which
     * with the server's default {@code MASTER_CONNECT_RETRY} of 60 s may take that long), and that it holds everything
     * any of them applied. Any node this instance cannot lock or read (one it cannot see might be a promoted
     * primary) leaves it read-only; the next tick tries again. Not a failover: {@code ha.failover.minInterval}
     * does not count it.
     */
    private void maybeReopen(Topology t, Node old, long now) {
        ServerState seen = monitor.lastState(old.address());
        if (seen == null || !seen.readOnly() || superseded.containsKey(old.serverId())
                || now - lastReopenCheckNanos < TimeUnit.MILLISECONDS.toNanos(500)) {
            return;
        }
        if (seen.replication() != null) {
            if (replacedSourceOf(seen) != 0) {
                lastReopenCheckNanos = now;
                cutStaleLink(old);
            }
            return;
        }
        lastReopenCheckNanos = now;
        List<Node> stranded = stranded(t, old);
        if (!stranded.isEmpty()) {
            // Replicas that still follow a primary this one replaced (their re-pointing failed, or they were away
            // during the promotion): re-pointed to it first, then the next check finds every node following it.
            for (Node n : stranded) {
                repointStranded(n, old, now);
            }
            return;
        }
        List<Node> others = new ArrayList<>();
        List<Node> replaced = new ArrayList<>();
        for (Node n : t.nodes()) {
            if (n.serverId() != old.serverId()) {
                ServerState s = monitor.lastState(n.address());
                if (superseded.containsKey(n.serverId())) {
                    // A primary this instance replaced earlier: fenced, it follows nobody (unless rejoined). It only
                    // has to be read-only, checked again under the lock when it answers; away, it is fenced on return.
                    if (n.health() == Health.UP) {
                        replaced.add(n);
                    }
                    continue;
                }
                // A replica re-pointed while the primary was down has not connected yet (its receiver retries every
                // MASTER_CONNECT_RETRY, 60 s by default) and reports no source server_id: known by the address.
                if (n.health() != Health.UP || s == null || s.replication() == null
                        || monitor.sourceServerId(s.replication()) != old.serverId()) {
                    return; // the cheap check first: nothing to lock for while a node is away or follows another
                }
                others.add(n);
            }
        }
        others.sort(Comparator.comparingLong(Node::serverId));
        Map<Node, Connection> locked = new IdentityHashMap<>();
        try (Connection oldConnection = adminConnection(old.address())) {
            for (Node n : others) {
                Connection c = adminConnection(n.address());
                if (!tryLock(c, n)) {
                    close(c);
                    return; // another instance is promoting or reopening
                }
                locked.put(n, c);
            }
            for (Node n : replaced) {
                try (Connection c = adminConnection(n.address())) {
                    if (!discovery.probe(c, n.address()).readOnly()) {
                        return;
                    }
                }
            }
            ServerState fresh = discovery.probe(oldConnection, old.address());
            ReplicationPosition held = HealthMonitor.parsePosition(fresh.gtidPosition());
            if (!fresh.readOnly() || fresh.replication() != null || held == null) {
                return;
            }
            for (Map.Entry<Node, Connection> e : locked.entrySet()) {
                ServerState s = discovery.probe(e.getValue(), e.getKey().address());
                ServerState.Replication r = s.replication();
                ReplicationPosition applied = HealthMonitor.parsePosition(s.gtidPosition());
                if (!s.readOnly() || r == null || monitor.sourceServerId(r) != old.serverId() || !r.sqlRunning()
                        || r.ioState() == ServerState.IoState.STOPPED || applied == null || !held.covers(applied)) {
                    return;
                }
            }
            new ServerAdmin(oldConnection, fresh.flavor()).makeWritable();
            emit(HavenEvent.Type.PROMOTED, old.address(), "READ_ONLY", "PRIMARY", "made writable again: the primary"
                    + " came back read-only, nobody replaced it, and all " + others.size() + " other node(s) follow it");
            monitor.probeNow(old.address());
        } catch (SQLException | RuntimeException e) {
            log.debug("The returned primary {} was not made writable again: {}", old.address(), e.toString());
        } finally {
            for (Map.Entry<Node, Connection> e : locked.entrySet()) {
                releaseLock(e.getValue());
                close(e.getValue());
            }
        }
    }

    /**
     * The primary this instance promoted came back (restarted before the promotion's settling made it forget its
     * source) with its replication link to the primary it replaced, which the server resumes at boot: it looks like a
     * replica of a replaced primary, and without this no node would ever be writable again (found by the fault
     * campaign, seed 16096: the new primary killed 0.7 s after its promotion, while the settling still waited for its
     * receiver to stop). Under the failover lock on it, after a fresh read shows it still read-only and following a
     * replaced primary, the link is stopped and forgotten; then {@link #maybeReopen}'s own checks decide whether it is
     * made writable again.
     */
    private void cutStaleLink(Node node) {
        try (Connection c = adminConnection(node.address())) {
            if (!tryLock(c, node)) {
                return; // another instance is promoting, reopening or re-pointing
            }
            try {
                ServerState fresh = discovery.probe(c, node.address());
                long from = replacedSourceOf(fresh);
                if (from == 0 || !fresh.readOnly()) {
                    return;
                }
                ServerAdmin admin = new ServerAdmin(c, fresh.flavor());
                admin.stopApplying(); // at once: nothing more from the replaced primary is applied
                admin.forgetSource(); // waits for the receiver (a hung source: its slave_net_timeout, bounded here)
                emit(HavenEvent.Type.ROLE_CHANGED, node.address(), "STRANDED_PRIMARY", "READ_ONLY", "the primary"
                        + " came back replicating from the primary it replaced (server_id " + from + "), a link its"
                        + " promotion had not removed yet: the link is removed");
                monitor.probeNow(node.address());
            } finally {
                releaseLock(c);
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("The stale replication link of {} was not removed: {}", node.address(), e.toString());
        }
    }

    /**
     * The live replicas that replicate from a primary this instance saw replaced, rather than from {@code primary}:
     * their re-pointing by the promotion failed (found by the fault campaign, seed 13171: a replica restarting
     * during the settling), or they were away when it ran. Empty while a promotion is still settling (it re-points
     * them itself).
     */
    private List<Node> stranded(Topology t, Node primary) {
        if (!workers.isEmpty() || superseded.isEmpty()) {
            return List.of();
        }
        List<Node> out = new ArrayList<>();
        for (Node n : t.nodes()) {
            if (n.serverId() == primary.serverId() || n.health() != Health.UP || superseded.containsKey(n.serverId())) {
                continue;
            }
            ServerState s = monitor.lastState(n.address());
            if (s != null && replacedSourceOf(s) != 0) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * The server_id of the replaced primary that {@code s} replicates from, 0 if it follows none (see
     * {@link HealthMonitor#sourceServerId} for a replica not connected since it started).
     */
    private long replacedSourceOf(ServerState s) {
        ServerState.Replication r = s.replication();
        if (r == null) {
            return 0;
        }
        long source = monitor.sourceServerId(r);
        return source != 0 && superseded.containsKey(source) ? source : 0;
    }

    /**
     * Re-points a stranded replica to {@code target}, the primary (or the returned primary nobody replaced), under
     * the failover lock on the replica and after fresh reads: only if it still follows a replaced primary, is
     * read-only, and holds nothing {@code target} lacks (what a replaced primary sent it after the promotion would be
     * lost; such a replica is reported once and left to an operator). Tried at most once a second per replica.
     * Until it follows the primary its lag counts from the replacement, so it serves no stale read meanwhile.
     */
    private void repointStranded(Node n, Node target, long now) {
        Long tried = strandedTried.get(n.serverId());
        if (tried != null && now - tried < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        strandedTried.put(n.serverId(), now);
        try (Connection c = adminConnection(n.address())) {
            if (!tryLock(c, n)) {
                return; // another instance is promoting or re-pointing it
            }
            try {
                ServerState fresh = discovery.probe(c, n.address());
                long from = replacedSourceOf(fresh);
                if (from == 0 || !fresh.readOnly()) {
                    return;
                }
                ServerState held;
                try (Connection p = adminConnection(target.address())) {
                    held = discovery.probe(p, target.address());
                }
                ReplicationPosition has = HealthMonitor.parsePosition(held.gtidPosition());
                ReplicationPosition applied = HealthMonitor.parsePosition(fresh.gtidPosition());
                if (held.serverId() != target.serverId() || has == null || applied == null || !has.covers(applied)) {
                    if (has != null && applied != null && strandedRefused.add(n.serverId())) {
                        emit(HavenEvent.Type.FAILOVER_REFUSED, n.address(), null, null, n.address()
                                + " still replicates from the replaced primary (server_id " + from + ") and holds"
                                + " transactions " + target.address() + " lacks (" + fresh.gtidPosition()
                                + "); it is not re-pointed, serves no reads, and waits for an operator");
                    }
                    return;
                }
                ServerAdmin admin = new ServerAdmin(c, fresh.flavor());
                admin.repoint(target.address());
                if (admin.semiSyncReplica()) {
                    // A primary left without semi-sync replicas by the promotion has one again.
                    try (Connection p = adminConnection(target.address())) {
                        ServerAdmin a = new ServerAdmin(p, held.flavor());
                        if (!a.semiSyncPrimary()) {
                            a.startSemiSyncPrimary();
                        }
                    }
                }
                strandedRefused.remove(n.serverId());
                log.info("{} still replicated from the replaced primary (server_id {}); re-pointed to {}", n.address(),
                        from, target.address());
                emit(HavenEvent.Type.ROLE_CHANGED, n.address(), "STRANDED_REPLICA", "REPLICA", "re-pointed to "
                        + target.address() + ": it still replicated from the replaced primary (server_id " + from + ")");
                monitor.probeNow(n.address());
            } finally {
                releaseLock(c);
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("Re-pointing {} to {} failed: {}", n.address(), target.address(), e.toString());
        }
    }

    /**
     * Another writable server that replicates from nobody while the replicas follow the primary: an old primary
     * that came back while no instance that saw the promotion was running. It lost the claim to the primary role
     * (see {@code HealthMonitor}); it is fenced like any replaced primary.
     */
    private void supersedeRivals(Topology t, Node primary) {
        boolean followed = false;
        for (Node n : t.nodes()) {
            ServerState s = n.role() == Role.REPLICA ? monitor.lastState(n.address()) : null;
            if (s != null && s.replication() != null && s.replication().sourceServerId() == primary.serverId()
                    && s.replication().ioState() == ServerState.IoState.RUNNING) {
                followed = true;
                break;
            }
        }
        if (!followed) {
            return;
        }
        long now = nanoTime.getAsLong();
        // A planned switchover makes its target writable a moment before the replicas follow it: only a rival that
        // stays one for a while is fenced.
        long patience = Math.max(TimeUnit.SECONDS.toNanos(2), 3 * config.probeInterval().toNanos());
        for (Node n : t.nodes()) {
            if (n.serverId() == primary.serverId() || n.serverId() == 0 || superseded.containsKey(n.serverId())) {
                continue;
            }
            ServerState s = monitor.lastState(n.address());
            if (s == null || s.readOnly() || s.replication() != null || followers(t, n.serverId()) != 0) {
                rivalsSince.remove(n.serverId());
                continue;
            }
            long since = rivalsSince.computeIfAbsent(n.serverId(), id -> now);
            if (now - since >= patience) {
                rivalsSince.remove(n.serverId());
                supersede(n.serverId(), "writable beside the primary " + primary.address() + ", which the replicas follow");
                monitor.probeNow(n.address());
            }
        }
    }

    private int followers(Topology t, long serverId) {
        int count = 0;
        for (Node n : t.nodes()) {
            ServerState s = monitor.lastState(n.address());
            if (s != null && s.replication() != null && s.replication().sourceServerId() == serverId
                    && s.replication().ioState() == ServerState.IoState.RUNNING) {
                count++;
            }
        }
        return count;
    }

    /** Group Replication elects its primary itself; Haven only follows it there. */
    private boolean electsItsOwnPrimary(Node primary) {
        if (discovery instanceof AutoDiscovery) {
            return GROUP.equals(((AutoDiscovery) discovery).detectedKind(primary.address()))
                    || GROUP.equals(((AutoDiscovery) discovery).lastKind());
        }
        return GROUP.equals(discovery.name());
    }

    private void refuse(NodeAddress primary, String reason) {
        // Once per kind of reason and outage, not at every tick or whenever a count changes.
        String kind = reason.replaceAll("[0-9]+", "#");
        if (!kind.equals(lastRefusal)) {
            lastRefusal = kind;
            emit(HavenEvent.Type.FAILOVER_REFUSED, primary, null, null, "no promotion: " + reason);
        }
    }

    private void supersede(long serverId, String why) {
        if (superseded.putIfAbsent(serverId, System.nanoTime()) == null) {
            log.info("server_id {} is no longer the primary ({}); it is fenced if it comes back writable", serverId, why);
        }
    }

    private List<FailoverRules.Replica> replicasOf(Topology t, Node primary, long now) {
        List<FailoverRules.Replica> out = new ArrayList<>();
        for (Node n : t.nodes()) {
            if (n.role() != Role.REPLICA) {
                continue;
            }
            ServerState s = monitor.lastState(n.address());
            ServerState.Replication r = s == null ? null : s.replication();
            if (r != null && r.sourceServerId() != 0 && r.sourceServerId() != primary.serverId()) {
                continue; // replicates from another server: not a replica of this primary
            }
            LinkWatch watch = links.get(n.serverId());
            long quiet = watch == null ? 0 : watch.quietNanos();
            out.add(new FailoverRules.Replica(n, s, r != null && FailoverRules.linkLost(r, quiet)));
        }
        return out;
    }

    /** Notes, per replica, since when its heartbeat count and received position have not moved across probes. */
    private void sampleLinks(Topology t, long now) {
        for (Node n : t.nodes()) {
            ServerState s = monitor.lastState(n.address());
            if (s == null || s.replication() == null) {
                continue;
            }
            links.computeIfAbsent(s.serverId(), id -> new LinkWatch()).sample(s, now);
        }
    }

    /** Time between the first probe that showed a replica's current link signature and the latest probe. */
    static final class LinkWatch {
        private ServerState last;
        private String signature;
        private long since;
        private long latest;

        void sample(ServerState s, long now) {
            if (s == last || (last != null && s.replication() == last.replication())) {
                // No new probe since the last look, or one that did not read the link again (a MariaDB replica's
                // periodic check keeps the status it had): the link was not seen quiet any longer.
                return;
            }
            last = s;
            ServerState.Replication r = s.replication();
            String sig = signature(r);
            if (!sig.equals(signature)) {
                signature = sig;
                since = now;
            }
            latest = now;
        }

        long quietNanos() {
            return latest - since;
        }

        /** As {@link #quietNanos()} up to {@code now} if {@code fresh} still shows the same link, else 0. */
        long quietNanosIfStill(ServerState.Replication fresh, long now) {
            return signature(fresh).equals(signature) ? now - since : 0;
        }

        private static String signature(ServerState.Replication r) {
            return r.heartbeatsReceived() + "/" + r.receivedGtid() + "/" + r.sourceServerId();
        }
    }

    // ------------------------------------------------------------------------------------------- promotion

    private void promote(Topology t, Node dead, FailoverRules.Decision decision) {
        long started = nanoTime.getAsLong();
        List<Node> replicas = new ArrayList<>();
        for (Node n : t.nodes()) {
            if (n.role() == Role.REPLICA) {
                replicas.add(n);
            }
        }
        replicas.sort(Comparator.comparingLong(Node::serverId));
        int quorum = replicas.size() / 2 + 1;
        Map<Node, Connection> locked = new IdentityHashMap<>();
        Map<Node, ServerState> fresh = new HashMap<>();
        try {
            for (Node n : replicas) {
                Connection c;
                try {
                    c = adminConnection(n.address());
                } catch (SQLException e) {
                    log.debug("No promotion lock on {}: {} (SQLState {})", n.address(), e.getMessage(), e.getSQLState());
                    continue; // unreachable: it cannot be promoted and holds no lock for anyone
                }
                if (!tryLock(c, n)) {
                    close(c);
                    log.info("Another application instance is promoting (it holds the failover lock on {})", n.address());
                    return;
                }
                locked.put(n, c);
            }
            if (locked.size() < quorum) {
                refuse(dead.address(), "only " + locked.size() + " of " + replicas.size()
                        + " replicas could be locked; a promotion needs " + quorum);
                return;
            }
            for (Map.Entry<Node, Connection> e : locked.entrySet()) {
                ServerState s = discovery.probe(e.getValue(), e.getKey().address());
                fresh.put(e.getKey(), s);
                ServerState.Replication r = s.replication();
                if (!s.readOnly() && (r == null || !r.sqlRunning())) {
                    log.info("{} is already writable: another instance promoted it", e.getKey().address());
                    monitor.probeAllNow();
                    return;
                }
                if (r != null && r.sourceServerId() != 0 && r.sourceServerId() != dead.serverId()
                        && r.ioState() == ServerState.IoState.RUNNING) {
                    log.info("{} already replicates from server_id {}: another instance promoted", e.getKey().address(),
                            r.sourceServerId());
                    monitor.probeAllNow();
                    return;
                }
            }
            int freshLost = 0;
            long checked = nanoTime.getAsLong();
            for (Map.Entry<Node, ServerState> e : fresh.entrySet()) {
                ServerState.Replication r = e.getValue().replication();
                LinkWatch watch = links.get(e.getKey().serverId());
                if (r != null && FailoverRules.linkLost(r, watch == null ? 0 : watch.quietNanosIfStill(r, checked))) {
                    freshLost++;
                }
            }
            String unconfirmed = FailoverRules.confirmUnderLock(replicas.size(), freshLost);
            if (unconfirmed != null) {
                refuse(dead.address(), unconfirmed);
                monitor.probeAllNow();
                return;
            }
            FailoverRules.Decision fin = chooseAgain(dead, locked, fresh);
            Node named = fin.promote() ? fin.candidate().node() : decision.candidate().node();
            // Before anything changes anywhere: this instance's connections to the old primary are cut off here
            // (the pools listen), so no acknowledgement from it reaches the application once a replica is promoted.
            emit(HavenEvent.Type.FAILOVER_STARTED, named.address(), dead.address().toString(), null,
                    "primary " + dead.address() + " is down; " + decision.reason());
            if (!fin.promote()) {
                finish(named, dead, started, "abandoned: " + fin.reason());
                return;
            }
            ReplicationPosition need = acknowledged.get();
            FailoverRules.Replica keeper = keeperOfAcknowledged(fin, need);
            if (keeper == null) {
                finish(named, dead, started, "abandoned: " + lostAcknowledged(fin, need));
                return;
            }
            Node candidate = keeper.node();
            ServerState candidateState = fresh.get(candidate);
            ServerAdmin target = new ServerAdmin(locked.get(candidate), candidateState.flavor());
            // The other replicas keep applying (and serving reads) while the candidate catches up: nothing is
            // stopped anywhere before the choice is final.
            String received = target.receivedPosition();
            if (!target.awaitApplied(received, config.failoverTimeout())) {
                finish(candidate, dead, started, "abandoned: " + candidate.address() + " did not apply " + received
                        + " within " + config.failoverTimeout().toMillis() + " ms");
                return;
            }
            String unfenced = isolate(dead);
            if (unfenced != null) {
                finish(candidate, dead, started, "abandoned: " + unfenced);
                return;
            }
            // Final. The others stop applying first (whatever a waking old primary might still send them stays in
            // their relay logs), then the candidate: it holds at least what any of them applied.
            for (Map.Entry<Node, Connection> e : locked.entrySet()) {
                if (e.getKey() != candidate) {
                    new ServerAdmin(e.getValue(), fresh.get(e.getKey()).flavor()).stopApplying();
                }
            }
            target.stopApplying();
            boolean semiSync = target.semiSyncReplica();
            if (target.semiSyncPrimary()) {
                // Until semi-sync replicas follow it, waiting for their acknowledgement would hold every commit.
                target.stopSemiSyncPrimary();
            }
            target.makeWritable();
            promoted = true;
            lastPromotionNanos = nanoTime.getAsLong();
            supersede(dead.serverId(), "replaced by " + candidate.address());
            // The primary this instance knows from now on, before any probe has seen it as one: killed and back
            // read-only before that, it is still the node maybeReopen looks at (a race StrandedReplicaIT met).
            primaryServerId = candidate.serverId();
            queueFencing(dead);
            emit(HavenEvent.Type.PROMOTED, candidate.address(), "REPLICA", "PRIMARY",
                    "promoted in place of " + dead.address() + " after " + TimeUnit.NANOSECONDS.toMillis(
                            lastPromotionNanos - started) + " ms (the most advanced eligible replica)");
            monitor.probeNow(candidate.address());
            Map<Node, ServerState.Flavor> flavors = new HashMap<>();
            for (Map.Entry<Node, ServerState> e : fresh.entrySet()) {
                flavors.put(e.getKey(), e.getValue().flavor());
            }
            worker(() -> settle(dead, candidate, flavors, semiSync, started), "haven-failover-settle").start();
        } catch (SQLException | RuntimeException e) {
            if (!promoted || lastPromotionNanos < started) {
                restartReplication(locked, fresh);
            }
            finish(decision.candidate().node().address(), dead, started, "failed: " + e.getMessage());
            log.warn("Promotion failed", e);
        } finally {
            for (Map.Entry<Node, Connection> e : locked.entrySet()) {
                releaseLock(e.getValue());
                close(e.getValue());
            }
        }
    }

    /** A class's name, or "PrimaryFencer" for a lambda's (a hidden class whose generated name changes every run). */
    public static String nameOf(PrimaryFencer fencer) {
        Class<?> type = fencer.getClass();
        return type.isHidden() || type.isSynthetic() ? PrimaryFencer.class.getSimpleName() : type.getName();
    }

    private static PrimaryFencer newFencer(String className) {
        if (className == null) {
            return null;
        }
        Class<?> type = SettingType.ClassNameType.load(className);
        try {
            return (PrimaryFencer) Objects.requireNonNull(type, className).getConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
            throw new IllegalArgumentException(ConfigKey.FAILOVER_FENCER.key() + ": '" + className
                    + "' could not be instantiated (" + cause + ")", cause);
        }
    }

    /**
     * Calls the configured {@link PrimaryFencer} for the primary being replaced, on a thread of its own bounded by
     * {@code ha.failover.timeout}, before any server is changed. Returns null once the old primary is isolated (or
     * when no fencer is configured), else why the promotion must not go on. The fencer's own message goes to the
     * log only: it is the application's text, and an event reaches endpoints.
     */
    private String isolate(Node dead) {
        if (fencer == null) {
            return null;
        }
        long began = nanoTime.getAsLong();
        fencerFailed = true; // until it returns
        fencerFailedNanos = began;
        Throwable[] failure = new Throwable[1];
        Thread t = worker(() -> {
            try {
                fencer.fence(dead.address(), dead.serverId());
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "haven-failover-fencer");
        t.start();
        try {
            t.join(Math.max(1, config.failoverTimeout().toMillis()));
        } catch (InterruptedException e) {
            t.interrupt();
            Thread.currentThread().interrupt();
            return "interrupted while " + fencerName + " fenced " + dead.address();
        }
        if (t.isAlive()) {
            t.interrupt();
            return fencerName + " did not fence " + dead.address() + " within "
                    + config.failoverTimeout().toMillis() + " ms";
        }
        if (failure[0] != null) {
            log.warn("{} could not fence {}; no promotion", fencerName, dead.address(), failure[0]);
            return fencerName + " could not fence " + dead.address() + " ("
                    + failure[0].getClass().getName() + ", see the log)";
        }
        fencerFailed = false;
        emit(HavenEvent.Type.FENCED, dead.address(), "PRIMARY", "ISOLATED", fencerName
                + " isolated the primary being replaced in " + TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - began)
                + " ms");
        return null;
    }

    /**
     * Keeps {@link #standby} open to the healthy primary: reopened when the primary changed or the connection broke
     * (checked every few minutes; a server closes idle sessions after {@code wait_timeout}).
     */
    private void keepStandby(Node primary, long now) {
        if (standby != null && standbyServerId == primary.serverId()) {
            if (now - standbyCheckedNanos < STANDBY_CHECK_NANOS) {
                return;
            }
            standbyCheckedNanos = now;
            try {
                if (standby.isValid(1)) {
                    return;
                }
            } catch (SQLException broken) {
                // reopened below
            }
        } else if (standby == null && now - standbyCheckedNanos < 0) {
            return; // the last attempt failed a moment ago
        }
        if (standby != null) {
            close(standby);
            standby = null;
        }
        ServerState seen = monitor.lastState(primary.address());
        if (seen == null) {
            return;
        }
        try {
            // No socket timeout to speak of: a fencing queued on it waits for a frozen server as long as it is frozen.
            Connection c = adminConnection(primary.address(), SETTLE_TIMEOUT);
            try {
                standbyConnectionId = new ServerAdmin(c, seen.flavor()).connectionId();
            } catch (SQLException e) {
                close(c);
                throw e;
            }
            standby = c;
            standbyServerId = primary.serverId();
            standbyFlavor = seen.flavor();
            standbyCheckedNanos = now;
        } catch (SQLException e) {
            log.debug("No standby connection to {} for fencing: {}", primary.address(), e.getSQLState());
            standbyCheckedNanos = now + STANDBY_RETRY_NANOS;
        }
    }

    /**
     * Queues the replaced primary's fencing on the standby connection opened while it was healthy. A frozen
     * server's kernel holds the statement, and the server reads it the moment it thaws, before any write sent
     * after the thaw: the old primary is read-only within a few round trips of its return, instead of after the
     * monitor has reconnected and probed it (a probe interval and more, with two writable nodes meanwhile). A
     * crashed or restarted primary dropped the connection, so the queued fencing fails at once and the probe
     * fences it as before ({@link #inspect}); a partitioned one reads it when the network heals.
     */
    private void queueFencing(Node dead) {
        Connection c = standby;
        if (c == null || standbyServerId != dead.serverId()) {
            return;
        }
        standby = null; // it belongs to the fencing now
        ServerState.Flavor flavor = standbyFlavor;
        long standbyId = standbyConnectionId;
        long queued = nanoTime.getAsLong();
        Thread t = new Thread(() -> {
            try {
                int killed = new ServerAdmin(c, flavor).fence(standbyId, 0,
                        () -> adminConnection(dead.address(), FENCE_TIMEOUT));
                emit(HavenEvent.Type.FENCED, dead.address(), "read_only=OFF", "read_only=ON",
                        "the replaced primary ran the fencing queued at the promotion as soon as it answered again, "
                                + TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - queued) + " ms after it was"
                                + " queued (" + killed + " running session(s) killed)");
            } catch (SQLException | RuntimeException e) {
                log.debug("The fencing queued for {} did not run ({}); the monitor fences it if it comes back"
                        + " writable", dead.address(), e.toString());
            } finally {
                close(c);
            }
        }, "haven-failover-fence");
        t.setDaemon(true);
        t.start();
    }

    private void finish(Node candidate, Node dead, long started, String outcome) {
        finish(candidate.address(), dead, started, outcome);
    }

    private void finish(NodeAddress candidate, Node dead, long started, String outcome) {
        long millis = TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - started);
        emit(HavenEvent.Type.FAILOVER_FINISHED, candidate, dead.address().toString(), String.valueOf(millis),
                outcome + " in " + millis + " ms");
    }

    private boolean tryLock(Connection c, Node n) throws SQLException {
        return new ServerAdmin(c, ServerState.Flavor.MARIADB).tryLock(LOCK);
    }

    /**
     * Finishes a promotion in the background: every replica's receiver stops (with a hung old primary each stop
     * waits for the replica's read to time out, its {@code slave_net_timeout}, and they wait together), the new
     * primary forgets its source, the others are re-pointed to it, and then it takes the primary side of
     * semi-synchronous replication. Writes run on the new primary meanwhile, acknowledged without semi-sync for that
     * time (about 0.1 s after a crash; the replicas' {@code slave_net_timeout} or more after a hang).
     */
    private void settle(Node dead, Node candidate, Map<Node, ServerState.Flavor> flavors, boolean semiSync,
                        long started) {
        List<Thread> stops = new ArrayList<>();
        Map<Node, SQLException> failures = new ConcurrentHashMap<>();
        for (Map.Entry<Node, ServerState.Flavor> e : flavors.entrySet()) {
            // A stop waits for the receiver's read from a hung source to time out (up to a few times the replica's
            // slave_net_timeout, one minute by default): no socket timeout may cut it short. close() cuts the
            // connection off instead.
            Thread th = worker(() -> {
                try (Connection c = adminConnection(e.getKey().address(), SETTLE_TIMEOUT)) {
                    ServerAdmin admin = new ServerAdmin(c, e.getValue());
                    admin.stopReceiving();
                    if (e.getKey() == candidate) {
                        admin.forgetSource();
                    }
                } catch (SQLException ex) {
                    failures.put(e.getKey(), ex);
                }
            }, "haven-failover-stop-" + e.getKey().address());
            th.start();
            stops.add(th);
        }
        for (Thread th : stops) {
            try {
                th.join();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        int repointed = 0;
        int semiSyncReplicas = 0;
        for (Map.Entry<Node, ServerState.Flavor> e : flavors.entrySet()) {
            Node n = e.getKey();
            if (n == candidate || failures.containsKey(n) || cutOff) {
                continue;
            }
            try (Connection c = adminConnection(n.address())) {
                ServerAdmin admin = new ServerAdmin(c, e.getValue());
                admin.repoint(candidate.address());
                repointed++;
                if (admin.semiSyncReplica()) {
                    semiSyncReplicas++;
                }
            } catch (SQLException ex) {
                failures.put(n, ex);
            }
        }
        if (!failures.containsKey(candidate) && !cutOff) {
            // Semi-sync on the new primary only with a semi-synchronous replica following it: with none, every
            // commit would wait the whole semi-sync timeout (and then be acknowledged without any replica anyway).
            // Turned on only now, after the re-pointing; replicas that connected before count as semi-synchronous
            // from here on (checked on MariaDB 11.4).
            try (Connection c = adminConnection(candidate.address())) {
                ServerAdmin admin = new ServerAdmin(c, flavors.get(candidate));
                if (semiSync && semiSyncReplicas > 0) {
                    admin.startSemiSyncPrimary();
                } else if (admin.semiSyncPrimary()) {
                    admin.stopSemiSyncPrimary();
                }
            } catch (SQLException ex) {
                failures.put(candidate, ex);
            }
        }
        if (!running) {
            return;
        }
        for (Map.Entry<Node, SQLException> f : failures.entrySet()) {
            emit(HavenEvent.Type.FAILOVER_REFUSED, f.getKey().address(), null, null,
                    "could not " + (f.getKey() == candidate ? "finish setting up the new primary (its old link, semi-sync): "
                            : "re-point it to the new primary " + candidate.address() + ": ") + f.getValue().getMessage());
        }
        monitor.probeAllNow();
        finish(candidate, dead, started, "promoted " + candidate.address() + ", " + repointed + " replica(s) re-pointed"
                + (semiSync ? ", semi-sync " + (semiSyncReplicas > 0 ? "on with " + semiSyncReplicas
                        + " semi-sync replica(s)" : "off (no semi-sync replica follows it)") : ""));
    }

    /**
     * The final choice, from what every locked replica reports now, including what its applier still has to do and
     * whether it applies late on purpose ({@code SQL_Delay}), which the monitor's probes do not show.
     */
    private FailoverRules.Decision chooseAgain(Node dead, Map<Node, Connection> locked, Map<Node, ServerState> fresh)
            throws SQLException {
        List<FailoverRules.Replica> now = new ArrayList<>();
        for (Map.Entry<Node, Connection> e : locked.entrySet()) {
            ServerState s = discovery.probe(e.getValue(), e.getKey().address());
            fresh.put(e.getKey(), s);
            long delay = FailoverRules.delaySeconds(new ServerAdmin(e.getValue(), s.flavor()).replicaStatus());
            now.add(new FailoverRules.Replica(e.getKey(), s, true, delay));
        }
        return FailoverRules.decide(dead, monitor.lastState(dead.address()), now, Long.MAX_VALUE, 0,
                config.failoverMaxDataLoss());
    }

    private void restartReplication(Map<Node, Connection> locked, Map<Node, ServerState> fresh) {
        for (Map.Entry<Node, Connection> e : locked.entrySet()) {
            ServerState s = fresh.get(e.getKey());
            if (s == null) {
                continue;
            }
            try {
                new ServerAdmin(e.getValue(), s.flavor()).startReplication();
            } catch (SQLException ignored) {
                // best effort: the replica may not have been stopped, or may be gone
            }
        }
    }

    /** Releases the failover lock taken on {@code c}; a failure changes nothing, closing the connection releases it too. */
    private static void releaseLock(Connection c) {
        try {
            new ServerAdmin(c, ServerState.Flavor.MARIADB).unlock(LOCK);
        } catch (SQLException ignored) {
            // released when the connection closes
        }
    }

    private Connection adminConnection(NodeAddress address) throws SQLException {
        return adminConnection(address, config.failoverTimeout().plusSeconds(5));
    }

    /**
     * A connection with the admin credentials, cut off by {@link #close()} if still open then (a promotion's
     * settling keeps its own until the end of its grace there).
     */
    private Connection adminConnection(NodeAddress address, Duration socketTimeout) throws SQLException {
        boolean settling = workers.contains(Thread.currentThread());
        if (refusedWhileClosing(settling)) {
            throw new SQLException("Haven is closing", "08003");
        }
        Connection c = connector.connect(address, config.connectTimeout(), socketTimeout);
        Set<Connection> open = settling ? settleOpen : adminOpen;
        open.removeIf(Failover::isClosed);
        open.add(c);
        if (refusedWhileClosing(settling)) {
            Disconnect.cutOff(c, aborts); // closed while connecting: close() may not have seen it
            throw new SQLException("Haven is closing", "08003");
        }
        return c;
    }

    private boolean refusedWhileClosing(boolean settling) {
        return settling ? cutOff : !running;
    }

    private static boolean isClosed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    private static Node byServerId(Topology t, long serverId) {
        if (serverId == 0) {
            return null;
        }
        for (Node n : t.nodes()) {
            if (n.serverId() == serverId) {
                return n;
            }
        }
        return null;
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing to do
        }
    }
}
