package dev.haven.samples.drill;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
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
 * One run of the drill: {@value #WRITERS} writer and {@value #READERS} reader threads through one client, in a
 * {@link DrillEnvironment} that provides the cluster, the fault and the samplers, and the figures of
 * {@link RunResult}.
 *
 * <p>Measured from outside the client, the same way for every client:
 * <ul>
 *   <li>an acknowledged write is an {@code INSERT} (auto-commit) whose {@code executeUpdate} returned; each is
 *       checked on the final primary at the end ({@code lostAckedWrites});</li>
 *   <li>a read looks up the newest id acknowledged at least {@value #STALE_AFTER_MILLIS} ms before
 *       ({@code ha.maxReplicaLag} plus a second for the lag's whole-second resolution and the probe interval); not
 *       finding it is a stale read;</li>
 *   <li>the environment's samplers count writable nodes ({@code maxWritableNodes}) and promotions.</li>
 * </ul>
 */
final class DrillRun {

    static final int BUCKET_MILLIS = 100;
    static final long FAULT_AT_MILLIS = 2000;
    /** A run lasts at least this long, and at least {@link #SETTLE_MILLIS} after the last thing the drill did. */
    static final long MIN_RUN_MILLIS = 8000;
    static final long SETTLE_MILLIS = 3000;
    static final int WRITERS = 4;
    static final int READERS = 4;
    /**
     * Besides the writers: threads running two-insert transactions that read their own rows back before the commit,
     * and threads incrementing the counter in transactions ({@code UPDATE ... SET n = n + 1}, then a read of it).
     */
    static final int TRANSACTION_WRITERS = 1;
    static final int COUNTER_WRITERS = 1;
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

    private final DrillEnvironment env;
    private final PrintStream out;
    private final int buckets;
    /** This run's rows in a shared table, or null when the table is the run's own. */
    private final String runId;
    private final String insert;
    private final String lookup;

    private final AtomicLongArray okWrites;
    private final AtomicLongArray failedWrites;
    private final AtomicLongArray okReads;
    private final AtomicLongArray failedReads;
    private final AtomicLongArray staleReads;
    /** Per bucket, the highest id acknowledged in it: what readers look up. */
    private final AtomicLongArray ackedIdByBucket;
    private final Set<Long> acked = ConcurrentHashMap.newKeySet();
    private final AtomicLong failedTransactions = new AtomicLong();
    private final AtomicLong ackedIncrements = new AtomicLong();
    /** Increments that failed: applied or not, the application cannot know. */
    private final AtomicLong unknownIncrements = new AtomicLong();
    private final String lookupPair;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong firstFailedWrite = new AtomicLong(-1);
    private final AtomicLong firstWriteBack = new AtomicLong(-1);
    private final AtomicLong lastAck = new AtomicLong(-1);
    private final AtomicLong longestWriteGap = new AtomicLong();
    private final AtomicInteger maxWritable = new AtomicInteger();
    /** Writable nodes at the last sample; -1 when the last sample had no answer ({@link #writableUnknown()}). */
    private final AtomicInteger writableNow = new AtomicInteger();
    private final AtomicInteger promotions = new AtomicInteger();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final List<RunResult.Mark> marks = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** Off once the run ended: an operation that completes later (it was stuck in the driver) is not counted. */
    private final AtomicBoolean recording = new AtomicBoolean(true);
    private final AtomicBoolean sampling = new AtomicBoolean(true);
    private volatile long faultAt;
    private volatile int blockedAtEnd;
    private volatile long start;

    /** A run on a fresh local cluster with {@code scenario}'s fault. */
    DrillRun(Scenario scenario, Client client, DrillOptions options, PrintStream out) {
        this(new LocalClusterEnvironment(scenario, client, options), out);
    }

    DrillRun(DrillEnvironment env, PrintStream out) {
        this.env = env;
        this.out = out;
        this.buckets = env.buckets();
        this.runId = env.runId();
        if (runId == null) {
            insert = "INSERT INTO drill (id) VALUES (?)";
            lookup = "SELECT COUNT(*) FROM drill WHERE id = ?";
            lookupPair = "SELECT COUNT(*) FROM drill WHERE id IN (?, ?)";
        } else {
            insert = "INSERT INTO drill (id, run_id) VALUES (?, ?)";
            lookup = "SELECT COUNT(*) FROM drill WHERE id = ? AND run_id = ?";
            lookupPair = "SELECT COUNT(*) FROM drill WHERE id IN (?, ?) AND run_id = ?";
        }
        okWrites = new AtomicLongArray(buckets);
        failedWrites = new AtomicLongArray(buckets);
        okReads = new AtomicLongArray(buckets);
        failedReads = new AtomicLongArray(buckets);
        staleReads = new AtomicLongArray(buckets);
        ackedIdByBucket = new AtomicLongArray(buckets);
        faultAt = env.faultExpectedAt();
    }

    RunResult execute() throws Exception {
        try (DrillEnvironment e = env) {
            e.prepare();
            long endMillis;
            HavenEvents events;
            try (Client.Target target = e.open()) {
                events = target.events();
                endMillis = drive(target);
            }
            Set<Long> stored = e.storedIds(this);
            Long counter = e.counter() ? e.storedCounter() : null;
            return finish(stored, counter, endMillis, events);
        }
    }

    /** Runs the workload and the environment's part; returns when the run ended, in ms. */
    private long drive(Client.Target target) throws Exception {
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
        for (int t = 0; t < TRANSACTION_WRITERS; t++) {
            workers.add(loop("drill-transaction-" + t, running, () -> transaction(ds)));
        }
        if (env.counter()) {
            for (int t = 0; t < COUNTER_WRITERS; t++) {
                workers.add(loop("drill-counter-" + t, running, () -> increment(ds)));
            }
        }
        samplers.addAll(env.samplers(this));
        samplers.add(loop("drill-progress", sampling, new Progress()::tick));
        workers.forEach(Thread::start);
        samplers.forEach(Thread::start);

        env.act(this, target);
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

    /**
     * After the workload: acknowledged writes checked against {@code stored} (null: nothing to check them on), and
     * the counter's acknowledged increments against {@code counter} (null: no counter, or no node to read it on).
     */
    private RunResult finish(Set<Long> stored, Long counter, long endMillis, HavenEvents events) {
        Long lost = null;
        if (stored != null) {
            long missing = 0;
            for (Long id : acked) {
                if (!stored.contains(id)) {
                    missing++;
                }
            }
            lost = missing;
        }
        Long duplicates = null;
        if (counter != null) {
            long acknowledged = ackedIncrements.get();
            if (counter < acknowledged) {
                lost = (lost == null ? 0 : lost) + acknowledged - counter; // acknowledged increments missing
                mark(endMillis, "note", "counter is " + counter + " but " + acknowledged + " increments were"
                        + " acknowledged");
            }
            duplicates = Math.max(0, counter - acknowledged - unknownIncrements.get());
            if (duplicates > 0) {
                mark(endMillis, "note", "counter is " + counter + ": " + duplicates + " increment(s) applied twice ("
                        + acknowledged + " acknowledged, " + unknownIncrements.get() + " failed)");
            }
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
                acked.size(), lost, env.writableSampled() ? Integer.valueOf(maxWritable.get()) : null,
                promotions.get(), blockedAtEnd, faultAt, endMillis,
                new RunResult.Timeline(toArray(okWrites), toArray(failedWrites), toArray(okReads),
                        toArray(failedReads), toArray(staleReads)),
                sortedMarks, errorCounts, duplicates, failedTransactions.get(),
                events == null ? null : events.replayed(), events == null ? null : events.replayMismatches(),
                events == null ? null : events.commitOutcomesResolved(), null);
    }

    // ------------------------------------------------------------------------------------------ for environments

    PrintStream out() {
        return out;
    }

    /** The fault happened at {@code millis}: failed writes count for {@code writeRtoMillis} from then on. */
    void faultAt(long millis) {
        faultAt = millis;
    }

    /** A promotion seen, marked on the timeline. */
    void promotion(String label) {
        promotions.incrementAndGet();
        mark(millis(), "promotion", label);
    }

    /** Writable nodes now, as sampled. */
    void writableNodes(int writable) {
        writableNow.set(writable);
        maxWritable.accumulateAndGet(writable, Math::max);
    }

    /** The last sample had no answer from any node: the console shows n/a. */
    void writableUnknown() {
        writableNow.set(-1);
    }

    /** Whether samplers should go on. */
    boolean sampling() {
        return sampling.get();
    }

    /**
     * A daemon thread running {@code pass} every {@value #SAMPLE_MILLIS} ms while the run samples, closing
     * {@code probes} at the end.
     */
    static Thread samplerThread(DrillRun run, String name, Runnable pass, Probe... probes) {
        Thread t = new Thread(() -> {
            try {
                while (run.sampling()) {
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

    // ------------------------------------------------------------------------------------------ the workload

    private void write(DataSource ds) {
        long id = ids.incrementAndGet();
        long begin = millis();
        boolean failed = false;
        Connection c = null;
        try {
            c = ds.getConnection();
            try (PreparedStatement p = c.prepareStatement(insert)) {
                p.setLong(1, id);
                if (runId != null) {
                    p.setString(2, runId);
                }
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

    /** Two inserts and a read of both in one transaction; both ids acknowledged at the commit. */
    private void transaction(DataSource ds) {
        long first = ids.incrementAndGet();
        long second = ids.incrementAndGet();
        boolean failed = false;
        Connection c = null;
        try {
            c = ds.getConnection();
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement(insert)) {
                for (long id : new long[] {first, second}) {
                    p.setLong(1, id);
                    if (runId != null) {
                        p.setString(2, runId);
                    }
                    p.executeUpdate();
                }
            }
            long seen;
            try (PreparedStatement p = c.prepareStatement(lookupPair)) {
                p.setLong(1, first);
                p.setLong(2, second);
                if (runId != null) {
                    p.setString(3, runId);
                }
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    seen = rs.getLong(1);
                }
            }
            c.commit();
            if (!recording.get()) {
                return;
            }
            acked.add(first);
            acked.add(second);
            if (seen != 2) {
                errors.computeIfAbsent("transaction: saw " + seen + " of its own 2 rows before the commit",
                        k -> new LongAdder()).increment();
            }
        } catch (Exception e) {
            rollback(c);
            if (!recording.get()) {
                return;
            }
            failedTransactions.incrementAndGet();
            error("transaction", e);
            failed = true;
        } finally {
            close(c);
        }
        if (failed) {
            sleep(BACKOFF_MILLIS);
        }
    }

    /** {@code UPDATE drill_counter SET n = n + 1}, then a read of it, in one transaction. */
    private void increment(DataSource ds) {
        boolean failed = false;
        Connection c = null;
        try {
            c = ds.getConnection();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE drill_counter SET n = n + 1 WHERE k = 0");
                try (ResultSet rs = s.executeQuery("SELECT n FROM drill_counter WHERE k = 0")) {
                    rs.next();
                }
            }
            c.commit();
            if (recording.get()) {
                ackedIncrements.incrementAndGet();
            } else {
                unknownIncrements.incrementAndGet(); // applied after the end: not acknowledged within the run
            }
        } catch (Exception e) {
            rollback(c);
            unknownIncrements.incrementAndGet(); // counted even after the end: it may have been applied
            if (!recording.get()) {
                return;
            }
            failedTransactions.incrementAndGet();
            error("counter", e);
            failed = true;
        } finally {
            close(c);
        }
        if (failed) {
            sleep(BACKOFF_MILLIS);
        }
    }

    private static void rollback(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.rollback();
        } catch (Exception ignored) {
            // the failure that led here is what is counted
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
            try (PreparedStatement p = c.prepareStatement(lookup)) {
                p.setLong(1, expected > 0 ? expected : Math.max(1, ids.get()));
                if (runId != null) {
                    p.setString(2, runId);
                }
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
                            + " | writable nodes %s%n", millis(), now[0] - seen[0], now[1] - seen[1],
                    now[2] - seen[2], now[3] - seen[3], now[4] - seen[4],
                    writableNow.get() < 0 ? "n/a" : Integer.toString(writableNow.get()));
            System.arraycopy(now, 0, seen, 0, seen.length);
            next += 1000;
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    void mark(long millis, String kind, String label) {
        marks.add(new RunResult.Mark(millis, kind, label));
        out.printf(Locale.ROOT, "   %5d ms  %s%n", millis, label);
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

    long millis() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private int bucket(long millis) {
        return (int) Math.max(0, Math.min(buckets - 1, millis / BUCKET_MILLIS));
    }

    /** Sleeps until {@code millis} into the run. */
    void sleepUntil(long millis) {
        sleep(millis - millis());
    }

    static void sleep(long millis) {
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
