package dev.haven.samples.drill;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * One run of the drill: a fresh local cluster (1 primary, 2 replicas, semi-sync), {@value #WRITERS} writer and
 * {@value #READERS} reader threads through one client, the scenario's fault {@value #FAULT_AT_MILLIS} ms in, the
 * orchestrator's promotion when the scenario loses the primary (not in Haven's promote mode: Haven promotes), and
 * the figures of {@link RunResult}.
 *
 * <p>Measured from outside the client, the same way for every client:
 * <ul>
 *   <li>an acknowledged write is an {@code INSERT} (auto-commit) whose {@code executeUpdate} returned; each is
 *       checked on the final primary at the end ({@code lostAckedWrites});</li>
 *   <li>a read looks up the newest id acknowledged at least {@value #STALE_AFTER_MILLIS} ms before
 *       ({@code ha.maxReplicaLag} plus a second for the lag's whole-second resolution and the probe interval); not
 *       finding it is a stale read;</li>
 *   <li>two samplers ask every node {@code SELECT @@read_only} every {@value #SAMPLE_MILLIS} ms: one through the
 *       node's proxy, the network path the application has ({@code maxWritableNodes}: writable nodes a client could
 *       reach at once), one straight at the server (a node seen read-only, then writable, is a promotion, whoever
 *       made it).</li>
 * </ul>
 */
final class DrillRun {

    static final int BUCKET_MILLIS = 100;
    static final int BUCKETS = 1200; // two minutes: runs last about ten seconds, plus the wind-down
    static final long FAULT_AT_MILLIS = 2000;
    /** A run lasts at least this long, and at least {@link #SETTLE_MILLIS} after the last thing the drill did. */
    static final long MIN_RUN_MILLIS = 8000;
    static final long SETTLE_MILLIS = 3000;
    static final int WRITERS = 4;
    static final int READERS = 4;
    /** Haven's {@code ha.maxReplicaLag} in the drill. */
    static final int MAX_REPLICA_LAG_SECONDS = 2;
    /** The lag-replica scenario's {@code MASTER_DELAY}, beyond {@link #MAX_REPLICA_LAG_SECONDS}. */
    static final int LAG_SECONDS = 5;
    static final long STALE_AFTER_MILLIS = MAX_REPLICA_LAG_SECONDS * 1000L + 1000;
    static final int SAMPLE_MILLIS = 100;
    /**
     * How long operations in flight at the end may take to finish (a socket timeout plus a pool wait, with room);
     * the ones still stuck in the driver are reported, not waited for.
     */
    static final long WIND_DOWN_MILLIS = 5000;
    /**
     * A worker whose operation failed waits this long before its next one, as an application's retry would: failure
     * counts then tell how long failures lasted rather than how fast a driver can fail.
     */
    static final long BACKOFF_MILLIS = 100;
    private static final String INSERT = "INSERT INTO drill (id) VALUES (?)";
    private static final String LOOKUP = "SELECT COUNT(*) FROM drill WHERE id = ?";

    private final Scenario scenario;
    private final Client client;
    private final DrillOptions options;
    private final PrintStream out;

    private final AtomicLongArray okWrites = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray failedWrites = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray okReads = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray failedReads = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray staleReads = new AtomicLongArray(BUCKETS);
    /** Per bucket, the highest id acknowledged in it: what readers look up. */
    private final AtomicLongArray ackedIdByBucket = new AtomicLongArray(BUCKETS);
    private final Set<Long> acked = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong firstFailedWrite = new AtomicLong(-1);
    private final AtomicLong firstWriteBack = new AtomicLong(-1);
    private final AtomicLong lastAck = new AtomicLong(-1);
    private final AtomicLong longestWriteGap = new AtomicLong();
    private final AtomicInteger maxWritable = new AtomicInteger();
    private final AtomicInteger writableNow = new AtomicInteger();
    private final AtomicInteger promotions = new AtomicInteger();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final List<RunResult.Mark> marks = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** Off once the run ended: an operation that completes later (it was stuck in the driver) is not counted. */
    private final AtomicBoolean recording = new AtomicBoolean(true);
    private final AtomicBoolean sampling = new AtomicBoolean(true);
    private volatile long faultAt = FAULT_AT_MILLIS;
    private volatile int blockedAtEnd;
    private long start;

    DrillRun(Scenario scenario, Client client, DrillOptions options, PrintStream out) {
        this.scenario = scenario;
        this.client = client;
        this.options = options;
        this.out = out;
    }

    RunResult execute() throws Exception {
        LocalCluster.Builder builder = LocalCluster.builder().replicas(2);
        if (scenario.replicationThroughProxy()) {
            builder.replicationThroughProxy(true);
        }
        try (LocalCluster cluster = builder.start()) {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE drill (id BIGINT PRIMARY KEY, at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3))");
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
            LocalNode oldPrimary = cluster.primary();
            long endMillis;
            try (Client.Target target = client.open(cluster, options)) {
                endMillis = drive(cluster, target, oldPrimary);
            }
            return finish(cluster, oldPrimary, endMillis);
        }
    }

    /** Runs the workload, injects the fault, plays the orchestrator; returns when the run ended, in ms. */
    private long drive(LocalCluster cluster, Client.Target target, LocalNode oldPrimary) throws Exception {
        DataSource ds = target.dataSource();
        List<Thread> workers = new ArrayList<>();
        List<Thread> samplers = new ArrayList<>();
        start = System.nanoTime();
        for (int w = 0; w < WRITERS; w++) {
            workers.add(loop("drill-writer-" + w, running, () -> write(ds)));
        }
        for (int r = 0; r < READERS; r++) {
            workers.add(loop("drill-reader-" + r, running, () -> read(ds)));
        }
        samplers.add(sampler("drill-sampler-app", cluster, true));
        samplers.add(sampler("drill-sampler-direct", cluster, false));
        samplers.add(loop("drill-progress", sampling, new Progress()::tick));
        workers.forEach(Thread::start);
        samplers.forEach(Thread::start);

        sleepUntil(FAULT_AT_MILLIS);
        faultAt = millis();
        long lastAction = faultAt;
        switch (scenario) {
            case KILL_PRIMARY -> cluster.kill(oldPrimary);
            case FREEZE_PRIMARY -> cluster.freeze(oldPrimary);
            case PARTITION_PRIMARY, PARTITION_APP_ONLY -> cluster.partition(oldPrimary);
            case KILL_REPLICA -> cluster.kill(cluster.replica(1));
            case LAG_REPLICA -> cluster.delayReplication(cluster.replica(1), LAG_SECONDS);
            case SWITCHOVER -> { } // below: it is the fault and the promotion at once
        }
        mark(faultAt, "fault", "fault: " + describeFault(cluster, oldPrimary));
        switch (scenario) {
            case SWITCHOVER -> {
                Duration pause = target.haven().switchover(cluster.replica(0).hostAndPort());
                lastAction = millis();
                mark(lastAction, "note", "switchover done, writes held back " + pause.toMillis() + " ms");
            }
            case PARTITION_APP_ONLY -> {
                sleepUntil(faultAt + options.healAfterMillis());
                cluster.heal(oldPrimary);
                lastAction = millis();
                mark(lastAction, "heal", "heal: " + oldPrimary.name() + " reachable again");
            }
            case LAG_REPLICA -> lastAction = faultAt + LAG_SECONDS * 1000L;
            default -> { }
        }
        if (scenario.primaryLost && !(client == Client.HAVEN && options.promote())) {
            // The external orchestrator that Haven follows in observe mode, and that the peers rely on.
            sleepUntil(faultAt + options.promoteAfterMillis());
            mark(millis(), "orchestrator", "orchestrator: promoting the most advanced replica");
            LocalNode promoted = cluster.promoteMostAdvanced();
            lastAction = millis();
            mark(lastAction, "note", "orchestrator: promoted " + promoted.name());
        }
        sleepUntil(Math.max(MIN_RUN_MILLIS, lastAction + SETTLE_MILLIS));
        running.set(false);
        long end = millis();
        for (Thread t : workers) {
            t.join(Math.max(1, end + WIND_DOWN_MILLIS - millis()));
        }
        recording.set(false);
        blockedAtEnd = (int) workers.stream().filter(Thread::isAlive).count();
        if (blockedAtEnd > 0) {
            mark(millis(), "note", blockedAtEnd + " operation(s) still blocked in the client "
                    + WIND_DOWN_MILLIS + " ms after the end; not counted");
        }
        // writes that never came back: the gap runs to the end
        longestWriteGap.accumulateAndGet(end - Math.max(0, lastAck.get()), Math::max);
        sampling.set(false);
        for (Thread t : samplers) {
            t.join(10_000);
        }
        return end;
    }

    private String describeFault(LocalCluster cluster, LocalNode oldPrimary) {
        return switch (scenario) {
            case KILL_PRIMARY -> "SIGKILL " + oldPrimary.name() + " (primary)";
            case FREEZE_PRIMARY -> "SIGSTOP " + oldPrimary.name() + " (primary)";
            case PARTITION_PRIMARY -> oldPrimary.name() + " (primary) cut off from the application and the replicas";
            case PARTITION_APP_ONLY -> oldPrimary.name() + " (primary) cut off from the application only";
            case KILL_REPLICA -> "SIGKILL " + cluster.replica(1).name() + " (replica)";
            case LAG_REPLICA -> cluster.replica(1).name() + " (replica) applies " + LAG_SECONDS + " s late";
            case SWITCHOVER -> "switchover to " + cluster.replica(0).name();
        };
    }

    /** After the workload: the old primary disposed of when it was replaced, acknowledged writes checked. */
    private RunResult finish(LocalCluster cluster, LocalNode oldPrimary, long endMillis) {
        List<LocalNode> writable = writableNodes(cluster);
        boolean replaced = writable.stream().anyMatch(n -> n != oldPrimary);
        if (scenario == Scenario.FREEZE_PRIMARY || scenario == Scenario.PARTITION_PRIMARY) {
            if (replaced) {
                cluster.kill(oldPrimary); // never let back a demoted primary that nobody fenced
            } else {
                cluster.thaw(oldPrimary); // nobody replaced it: it is still the primary
                cluster.heal(oldPrimary);
            }
            writable = writableNodes(cluster);
        }
        LocalNode finalPrimary = null;
        if (writable.size() == 1) {
            finalPrimary = writable.get(0);
        } else if (writable.size() > 1) {
            finalPrimary = writable.contains(cluster.primary()) ? cluster.primary() : writable.get(0);
            out.printf(Locale.ROOT, "   %d nodes are writable at the end (%s); acknowledged writes checked on %s%n",
                    writable.size(), names(writable), finalPrimary.name());
        } else {
            out.println("   no node is writable at the end: acknowledged writes cannot be checked");
        }
        Long lost = null;
        if (finalPrimary != null) {
            Set<Long> stored = new HashSet<>();
            try (Connection c = cluster.adminConnection(finalPrimary); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id FROM app.drill")) {
                while (rs.next()) {
                    stored.add(rs.getLong(1));
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the writes back from " + finalPrimary.name(), e);
            }
            long missing = 0;
            for (Long id : acked) {
                if (!stored.contains(id)) {
                    missing++;
                }
            }
            lost = missing;
        }
        Long rto;
        if (firstFailedWrite.get() < 0) {
            rto = 0L; // no write failed
        } else if (firstWriteBack.get() < 0) {
            rto = null; // writes did not come back before the run ended
        } else {
            rto = firstWriteBack.get() - firstFailedWrite.get();
        }
        Map<String, Long> errorCounts = new LinkedHashMap<>();
        errors.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
                .forEach(e -> errorCounts.put(e.getKey(), e.getValue().sum()));
        List<RunResult.Mark> sortedMarks = new ArrayList<>(marks);
        sortedMarks.sort((a, b) -> Long.compare(a.millis(), b.millis()));
        return new RunResult(rto, longestWriteGap.get(), sum(failedWrites), sum(failedReads), sum(staleReads),
                acked.size(), lost, maxWritable.get(), promotions.get(), blockedAtEnd, faultAt, endMillis,
                new RunResult.Timeline(toArray(okWrites), toArray(failedWrites), toArray(okReads),
                        toArray(failedReads), toArray(staleReads)),
                sortedMarks, errorCounts);
    }

    // ------------------------------------------------------------------------------------------ the workload

    private void write(DataSource ds) {
        long id = ids.incrementAndGet();
        long begin = millis();
        boolean failed = false;
        Connection c = null;
        try {
            c = ds.getConnection();
            try (PreparedStatement p = c.prepareStatement(INSERT)) {
                p.setLong(1, id);
                p.executeUpdate();
            }
            long now = millis();
            if (!recording.get()) {
                return;
            }
            acked.add(id);
            ackedIdByBucket.accumulateAndGet(bucket(now), id, Math::max);
            okWrites.incrementAndGet(bucket(now));
            long previous = lastAck.getAndAccumulate(now, Math::max);
            if (now >= faultAt && previous >= 0) {
                longestWriteGap.accumulateAndGet(now - previous, Math::max);
            }
            long failedAt = firstFailedWrite.get();
            if (failedAt >= 0 && begin >= failedAt) {
                firstWriteBack.compareAndSet(-1, now); // the first write begun after the failure that succeeded
            }
        } catch (Exception e) {
            long now = millis();
            if (!recording.get()) {
                return;
            }
            failedWrites.incrementAndGet(bucket(now));
            if (now >= faultAt) {
                firstFailedWrite.compareAndSet(-1, now);
            }
            error("write", e);
            failed = true;
        } finally {
            close(c);
        }
        if (failed) {
            sleep(BACKOFF_MILLIS);
        }
    }

    private void read(DataSource ds) {
        long expected = ackedBefore(millis() - STALE_AFTER_MILLIS);
        boolean failed = false;
        Connection c = null;
        try {
            c = ds.getConnection();
            c.setReadOnly(true);
            long found;
            try (PreparedStatement p = c.prepareStatement(LOOKUP)) {
                p.setLong(1, expected > 0 ? expected : Math.max(1, ids.get()));
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    found = rs.getLong(1);
                }
            }
            int b = bucket(millis());
            if (!recording.get()) {
                return;
            }
            if (expected > 0 && found == 0) {
                staleReads.incrementAndGet(b);
            } else {
                okReads.incrementAndGet(b);
            }
        } catch (Exception e) {
            if (!recording.get()) {
                return;
            }
            failedReads.incrementAndGet(bucket(millis()));
            error("read", e);
            failed = true;
        } finally {
            close(c);
        }
        if (failed) {
            sleep(BACKOFF_MILLIS);
        }
    }

    /** The newest id acknowledged before {@code millis}, or 0 when none. */
    private long ackedBefore(long millis) {
        if (millis < 0) {
            return 0;
        }
        for (int i = bucket(millis) - 1; i >= 0; i--) { // a whole bucket earlier: acknowledged before millis
            long id = ackedIdByBucket.get(i);
            if (id > 0) {
                return id;
            }
        }
        return 0;
    }

    private void close(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            error("close", e); // not a failed operation: it had succeeded or failed already
        }
    }

    /** Counts an error by what the application saw: class, SQLState and message without numbers. */
    private void error(String what, Exception e) {
        StringBuilder key = new StringBuilder(what).append(": ").append(e.getClass().getSimpleName());
        if (e instanceof SQLException sql && sql.getSQLState() != null) {
            key.append(" [").append(sql.getSQLState()).append(']');
        }
        String message = String.valueOf(e.getMessage()).replaceAll("\\s+", " ").replaceAll("[0-9]+", "#");
        key.append(' ').append(message, 0, Math.min(message.length(), 120));
        errors.computeIfAbsent(key.toString(), k -> new LongAdder()).increment();
    }

    // ------------------------------------------------------------------------------------------ sampling

    /**
     * Asks each node {@code SELECT @@read_only} every {@value #SAMPLE_MILLIS} ms over a kept connection with 300 ms
     * timeouts: through its proxy ({@code viaApplicationPath}, counting writable nodes), or straight at the server
     * (counting promotions: a node seen read-only, then writable).
     */
    private Thread sampler(String name, LocalCluster cluster, boolean viaApplicationPath) {
        List<LocalNode> nodes = cluster.nodes();
        Probe[] probes = new Probe[nodes.size()];
        Boolean[] last = new Boolean[nodes.size()];
        for (int i = 0; i < probes.length; i++) {
            LocalNode node = nodes.get(i);
            probes[i] = new Probe(viaApplicationPath ? node.port() : node.serverPort(), cluster.adminUser(),
                    cluster.adminPassword());
        }
        Runnable pass = () -> {
            int writable = 0;
            for (int i = 0; i < probes.length; i++) {
                LocalNode node = nodes.get(i);
                if (!viaApplicationPath && (!node.isRunning() || node.isFrozen())) {
                    probes[i].close();
                    continue; // asking would only hang
                }
                Boolean w = probes[i].writable();
                if (Boolean.TRUE.equals(w)) {
                    writable++;
                }
                if (!viaApplicationPath && w != null) {
                    if (w && Boolean.FALSE.equals(last[i])) {
                        promotions.incrementAndGet();
                        mark(millis(), "promotion", "promotion: " + node.name() + " is writable");
                    }
                    last[i] = w;
                }
            }
            if (viaApplicationPath) {
                writableNow.set(writable);
                maxWritable.accumulateAndGet(writable, Math::max);
            }
        };
        Thread t = new Thread(() -> {
            try {
                while (sampling.get()) {
                    pass.run();
                    sleep(SAMPLE_MILLIS);
                }
            } finally {
                for (Probe p : probes) {
                    p.close();
                }
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    /** Nodes answering {@code read_only = 0} straight at the server now (frozen or dead ones are not asked). */
    private static List<LocalNode> writableNodes(LocalCluster cluster) {
        List<LocalNode> writable = new ArrayList<>();
        for (LocalNode node : cluster.nodes()) {
            if (!node.isRunning() || node.isFrozen()) {
                continue;
            }
            Probe probe = new Probe(node.serverPort(), cluster.adminUser(), cluster.adminPassword());
            if (Boolean.TRUE.equals(probe.writable())) {
                writable.add(node);
            }
            probe.close();
        }
        return writable;
    }

    /** One kept monitoring connection to one port. */
    private static final class Probe {
        private final String url;
        private final String user;
        private final String password;
        private Connection connection;

        Probe(int port, String user, String password) {
            this.url = "jdbc:mariadb://127.0.0.1:" + port + "/?connectTimeout=300&socketTimeout=300";
            this.user = user;
            this.password = password;
        }

        /** Whether the node is writable; null when it does not answer. */
        Boolean writable() {
            try {
                if (connection == null) {
                    connection = DriverManager.getConnection(url, user, password);
                }
                try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT @@read_only")) {
                    rs.next();
                    return rs.getInt(1) == 0;
                }
            } catch (SQLException e) {
                close();
                return null;
            }
        }

        void close() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    // gone anyway
                }
                connection = null;
            }
        }
    }

    /** The live console line, once a second: what happened in that second. */
    private final class Progress {
        private long next = 1000;
        private final long[] seen = new long[5];

        void tick() {
            sleepUntil(next);
            if (!sampling.get()) {
                return;
            }
            long[] now = {sum(okWrites), sum(failedWrites), sum(okReads), sum(failedReads), sum(staleReads)};
            out.printf(Locale.ROOT, "   %5d ms  writes %5d ok %4d failed | reads %5d ok %4d failed %4d stale"
                            + " | writable nodes %d%n", millis(), now[0] - seen[0], now[1] - seen[1],
                    now[2] - seen[2], now[3] - seen[3], now[4] - seen[4], writableNow.get());
            System.arraycopy(now, 0, seen, 0, seen.length);
            next += 1000;
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private void mark(long millis, String kind, String label) {
        marks.add(new RunResult.Mark(millis, kind, label));
        out.printf(Locale.ROOT, "   %5d ms  %s%n", millis, label);
    }

    private static String names(List<LocalNode> nodes) {
        return String.join(", ", nodes.stream().map(LocalNode::name).toList());
    }

    private interface Step {
        void run() throws Exception;
    }

    /** A daemon thread running {@code step} while {@code flag} holds; a step's exception ends the run loudly. */
    private static Thread loop(String name, AtomicBoolean flag, Step step) {
        Thread t = new Thread(() -> {
            while (flag.get()) {
                try {
                    step.run();
                } catch (Exception e) {
                    throw new IllegalStateException(name + " failed", e);
                }
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private long millis() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static int bucket(long millis) {
        return (int) Math.max(0, Math.min(BUCKETS - 1, millis / BUCKET_MILLIS));
    }

    private void sleepUntil(long millis) {
        sleep(millis - millis());
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long sum(AtomicLongArray counts) {
        long total = 0;
        for (int i = 0; i < counts.length(); i++) {
            total += counts.get(i);
        }
        return total;
    }

    private static long[] toArray(AtomicLongArray counts) {
        long[] copy = new long[counts.length()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = counts.get(i);
        }
        return copy;
    }
}
