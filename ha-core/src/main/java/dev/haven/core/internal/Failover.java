package dev.haven.core.internal;

import dev.haven.core.ClusterState;
import dev.haven.core.HavenConfig;
import dev.haven.core.HavenEvent;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.NodeConnector;
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

    private final HavenConfig config;
    private final NodeConnector connector;
    private final TopologyDiscovery discovery;
    private final ClusterState state;
    private final HealthMonitor monitor;
    private final LongSupplier nanoTime;
    private final Thread thread;
    private final Set<Long> superseded = ConcurrentHashMap.newKeySet();
    private final Set<Long> rejoinRefused = ConcurrentHashMap.newKeySet();
    /** Per replica server_id: the last probe seen and since when its link showed no sign of life. Thread-confined. */
    private final Map<Long, LinkWatch> links = new HashMap<>();
    /** Per server_id, since when it has been a writable rival of the primary. Thread-confined. */
    private final Map<Long, Long> rivalsSince = new HashMap<>();
    private volatile boolean running = true;
    private long lastPromotionNanos;
    private boolean promoted;
    private long primaryServerId;
    private String lastRefusal;
    private long lastProbeRequestNanos;

    public Failover(HavenConfig config, NodeConnector connector, TopologyDiscovery discovery, ClusterState state,
                    HealthMonitor monitor, LongSupplier nanoTime) {
        this.config = config;
        this.connector = connector;
        this.discovery = discovery;
        this.state = state;
        this.monitor = monitor;
        this.nanoTime = nanoTime;
        this.thread = new Thread(this::run, "haven-failover");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------- fencing hook

    @Override
    public boolean superseded(long serverId) {
        return superseded.contains(serverId);
    }

    @Override
    public ServerState inspect(Connection connection, ServerState seen) throws SQLException {
        if (!superseded.contains(seen.serverId())) {
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
        ServerAdmin admin = new ServerAdmin(connection, seen.flavor());
        try {
            admin.makeReadOnly();
        } catch (SQLException e) {
            state.emit(HavenEvent.Type.FAILOVER_REFUSED, seen.address(), null, null,
                    "the replaced primary is writable again and could not be fenced: " + e.getMessage()
                            + "; Haven sends it no writes");
            return seen;
        }
        state.emit(HavenEvent.Type.FENCED, seen.address(), "read_only=OFF", "read_only=ON",
                "the replaced primary came back writable and was made read-only before taking a write");
        ServerState fenced = discovery.probe(connection, seen.address());
        maybeRejoin(connection, fenced);
        return fenced;
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
            errant = FailoverRules.parse(primaryState.gtidPosition()).missing(FailoverRules.parse(mine));
        }
        if (errant > 0) {
            rejoinRefused.add(old.serverId());
            state.emit(HavenEvent.Type.FAILOVER_REFUSED, old.address(), null, null, "rejoin refused: "
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
            log.info("{} rejoined as a replica of {}", old.address(), primary.address());
            state.emit(HavenEvent.Type.ROLE_CHANGED, old.address(), "FORMER_PRIMARY", "REPLICA",
                    "the old primary rejoined as a replica of " + primary.address());
        } catch (SQLException e) {
            rejoinRefused.add(old.serverId());
            state.emit(HavenEvent.Type.FAILOVER_REFUSED, old.address(), null, null,
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
            return;
        }
        Node dead = byServerId(t, primaryServerId);
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
        promote(t, dead, decision);
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
            if (n.serverId() == primary.serverId() || n.serverId() == 0 || superseded.contains(n.serverId())) {
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
            state.emit(HavenEvent.Type.FAILOVER_REFUSED, primary, null, null, "no promotion: " + reason);
        }
    }

    private void supersede(long serverId, String why) {
        if (superseded.add(serverId)) {
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
    private static final class LinkWatch {
        private ServerState last;
        private String signature;
        private long since;
        private long latest;

        void sample(ServerState s, long now) {
            if (s == last) {
                return; // no new probe since the last look
            }
            last = s;
            ServerState.Replication r = s.replication();
            String sig = r.heartbeatsReceived() + "/" + r.receivedGtid() + "/" + r.sourceServerId();
            if (!sig.equals(signature)) {
                signature = sig;
                since = now;
            }
            latest = now;
        }

        long quietNanos() {
            return latest - since;
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
            state.emit(HavenEvent.Type.FAILOVER_STARTED, decision.candidate().node().address(),
                    dead.address().toString(), null, "primary " + dead.address() + " is down; " + decision.reason());
            Node candidate = chooseAgain(dead, decision, locked, fresh);
            if (candidate == null) {
                return;
            }
            // Nothing more is applied anywhere: whatever a waking old primary might still send stays in relay logs.
            for (Map.Entry<Node, Connection> e : locked.entrySet()) {
                if (e.getKey() != candidate) {
                    new ServerAdmin(e.getValue(), fresh.get(e.getKey()).flavor()).stopApplying();
                }
            }
            ServerState candidateState = fresh.get(candidate);
            ServerAdmin target = new ServerAdmin(locked.get(candidate), candidateState.flavor());
            String received = target.receivedPosition();
            if (!target.awaitApplied(received, config.failoverTimeout())) {
                restartReplication(locked, fresh);
                finish(candidate, dead, started, "abandoned: " + candidate.address() + " did not apply " + received
                        + " within " + config.failoverTimeout().toMillis() + " ms");
                return;
            }
            target.stopApplying();
            boolean semiSync = target.semiSyncReplica();
            target.makeWritable();
            promoted = true;
            lastPromotionNanos = nanoTime.getAsLong();
            supersede(dead.serverId(), "replaced by " + candidate.address());
            state.emit(HavenEvent.Type.PROMOTED, candidate.address(), "REPLICA", "PRIMARY",
                    "promoted in place of " + dead.address() + " after " + TimeUnit.NANOSECONDS.toMillis(
                            lastPromotionNanos - started) + " ms (the most advanced eligible replica)");
            monitor.probeNow(candidate.address());
            Map<Node, ServerState.Flavor> flavors = new HashMap<>();
            for (Map.Entry<Node, ServerState> e : fresh.entrySet()) {
                flavors.put(e.getKey(), e.getValue().flavor());
            }
            Thread settle = new Thread(() -> settle(dead, candidate, flavors, semiSync, started),
                    "haven-failover-settle");
            settle.setDaemon(true);
            settle.start();
        } catch (SQLException | RuntimeException e) {
            if (!promoted || lastPromotionNanos < started) {
                restartReplication(locked, fresh);
            }
            finish(decision.candidate().node().address(), dead, started, "failed: " + e.getMessage());
            log.warn("Promotion failed", e);
        } finally {
            for (Map.Entry<Node, Connection> e : locked.entrySet()) {
                try {
                    new ServerAdmin(e.getValue(), ServerState.Flavor.MARIADB).unlock(LOCK);
                } catch (SQLException ignored) {
                    // closing the connection releases it too
                }
                close(e.getValue());
            }
        }
    }

    private void finish(Node candidate, Node dead, long started, String outcome) {
        finish(candidate.address(), dead, started, outcome);
    }

    private void finish(NodeAddress candidate, Node dead, long started, String outcome) {
        long millis = TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - started);
        state.emit(HavenEvent.Type.FAILOVER_FINISHED, candidate, dead.address().toString(), String.valueOf(millis),
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
            Thread th = new Thread(() -> {
                try (Connection c = adminConnection(e.getKey().address())) {
                    // A stop waits for the receiver's read from a hung source to time out (up to a few times the
                    // replica's slave_net_timeout, one minute by default): no socket timeout may cut it short.
                    c.setNetworkTimeout(Runnable::run, (int) SETTLE_TIMEOUT.toMillis());
                    ServerAdmin admin = new ServerAdmin(c, e.getValue());
                    admin.stopReceiving();
                    if (e.getKey() == candidate) {
                        admin.forgetSource();
                    }
                } catch (SQLException ex) {
                    failures.put(e.getKey(), ex);
                }
            }, "haven-failover-stop-" + e.getKey().address());
            th.setDaemon(true);
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
        for (Map.Entry<Node, ServerState.Flavor> e : flavors.entrySet()) {
            Node n = e.getKey();
            if (n == candidate || failures.containsKey(n)) {
                continue;
            }
            try (Connection c = adminConnection(n.address())) {
                new ServerAdmin(c, e.getValue()).repoint(candidate.address());
                repointed++;
            } catch (SQLException ex) {
                failures.put(n, ex);
            }
        }
        if (semiSync && !failures.containsKey(candidate)) {
            // Only now: with no replica connected yet, every commit would wait for an acknowledgement. Replicas that
            // connected before count as semi-synchronous from here on (checked on MariaDB 11.4).
            try (Connection c = adminConnection(candidate.address())) {
                new ServerAdmin(c, flavors.get(candidate)).startSemiSyncPrimary();
            } catch (SQLException ex) {
                failures.put(candidate, ex);
            }
        }
        for (Map.Entry<Node, SQLException> f : failures.entrySet()) {
            state.emit(HavenEvent.Type.FAILOVER_REFUSED, f.getKey().address(), null, null,
                    "could not " + (f.getKey() == candidate ? "finish setting up the new primary (its old link, semi-sync): "
                            : "re-point it to the new primary " + candidate.address() + ": ") + f.getValue().getMessage());
        }
        monitor.probeAllNow();
        finish(candidate, dead, started, "promoted " + candidate.address() + ", " + repointed + " replica(s) re-pointed");
    }

    /** The candidate by the positions the replicas report now that they receive nothing more. */
    private Node chooseAgain(Node dead, FailoverRules.Decision first, Map<Node, Connection> locked,
                             Map<Node, ServerState> fresh) throws SQLException {
        List<FailoverRules.Replica> now = new ArrayList<>();
        for (Map.Entry<Node, Connection> e : locked.entrySet()) {
            ServerState s = discovery.probe(e.getValue(), e.getKey().address());
            fresh.put(e.getKey(), s);
            now.add(new FailoverRules.Replica(e.getKey(), s, true));
        }
        FailoverRules.Decision decision = FailoverRules.decide(dead, monitor.lastState(dead.address()), now,
                Long.MAX_VALUE, 0, config.failoverMaxDataLoss());
        if (!decision.promote()) {
            finish(first.candidate().node(), dead, nanoTime.getAsLong(), "abandoned: " + decision.reason());
            return null;
        }
        return decision.candidate().node();
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

    private Connection adminConnection(NodeAddress address) throws SQLException {
        Duration socketTimeout = config.failoverTimeout().plusSeconds(5);
        return connector.connect(address, config.connectTimeout(), socketTimeout);
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
