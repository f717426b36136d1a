package dev.haven.testkit.campaign;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * The campaign's workload, through plain JDBC on the client's data sources, a connection per operation: writers
 * mixing auto-commit inserts, two-insert transactions that read their own rows, and counter increments in
 * transactions (optionally read-your-write pairs); readers looking up ids acknowledged a while before on read-only
 * connections. Every operation is recorded as an {@link Operation}. A worker whose operation failed waits 100 ms,
 * as an application's retry would.
 */
final class Workload {

    static final String ROWS = "campaign_rows";
    static final String COUNTER = "campaign_counter";
    static final int COUNTER_KEYS = 4;
    static final long BACKOFF_MILLIS = 100;

    private final List<DataSource> dataSources;
    private final CampaignClock clock;
    private final long seed;
    private final long staleAfterMillis;
    private final boolean readYourWrites;
    private final AtomicLong ids = new AtomicLong();
    /** Acknowledged writes by the ms they were acknowledged at: what readers look up. */
    private final ConcurrentSkipListMap<Long, Long> ackedAt = new ConcurrentSkipListMap<>();
    private final List<Operation> operations = Collections.synchronizedList(new ArrayList<>());
    private final List<Worker> workers = new ArrayList<>();
    private volatile boolean running = true;

    Workload(List<DataSource> dataSources, CampaignClock clock, long seed, long staleAfterMillis,
             boolean readYourWrites) {
        this.dataSources = dataSources;
        this.clock = clock;
        this.seed = seed;
        this.staleAfterMillis = staleAfterMillis;
        this.readYourWrites = readYourWrites;
    }

    void start(int writers, int readers) {
        for (int i = 0; i < writers + readers; i++) {
            Worker w = new Worker(i, i < writers);
            workers.add(w);
            w.thread.start();
        }
    }

    /**
     * Stops the workers, waits up to {@code waitMillis} for the operations in flight, and records those still
     * blocked in the client as {@link Operation.Outcome#BLOCKED}.
     */
    List<Operation> stop(long waitMillis) throws InterruptedException {
        running = false;
        long deadline = System.currentTimeMillis() + waitMillis;
        for (Worker w : workers) {
            w.thread.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
        for (Worker w : workers) {
            synchronized (w) {
                if (w.thread.isAlive() && w.current != null) {
                    w.abandoned = true;
                    operations.add(w.current);
                }
            }
        }
        synchronized (operations) {
            List<Operation> copy = new ArrayList<>(operations);
            copy.sort((a, b) -> Long.compare(a.startMillis(), b.startMillis()));
            return copy;
        }
    }

    private final class Worker implements Runnable {
        final int index;
        final boolean writer;
        final Thread thread;
        final SplittableRandom random;
        /** The operation in flight, as it would be recorded if it never returned. */
        Operation current;
        boolean abandoned;
        int next;

        Worker(int index, boolean writer) {
            this.index = index;
            this.writer = writer;
            this.random = new SplittableRandom(seed * 1_000_003L + index);
            this.thread = new Thread(this, "campaign-" + (writer ? "writer-" : "reader-") + index);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                boolean ok;
                if (!writer) {
                    ok = read();
                } else {
                    int dice = random.nextInt(100);
                    if (readYourWrites && dice < 10) {
                        ok = readYourWrite();
                    } else if (dice < 45) {
                        ok = insert();
                    } else if (dice < 75) {
                        ok = transaction();
                    } else {
                        ok = counter();
                    }
                }
                if (!ok) {
                    CampaignClock.sleep(BACKOFF_MILLIS);
                }
            }
        }

        private DataSource ds() {
            return dataSources.get(next++ % dataSources.size());
        }

        private void begin(Operation.Kind kind, long start, List<Long> written, int key, long lookedFor) {
            synchronized (this) {
                current = Operation.blocked(index, kind, start, written, key, lookedFor);
            }
        }

        private boolean record(Operation op) {
            synchronized (this) {
                current = null;
                if (abandoned) {
                    return op.ok(); // the run already counted it as blocked
                }
                operations.add(op);
            }
            if (op.ok() && op.kind().writes() && op.kind() != Operation.Kind.COUNTER) {
                for (Long id : op.ids()) {
                    ackedAt.put(op.endMillis() * 1000 + (id % 1000), id); // unique keys, ordered by time
                }
            }
            return op.ok();
        }

        private boolean insert() {
            long id = ids.incrementAndGet();
            List<Long> written = List.of(id);
            long start = clock.millis();
            begin(Operation.Kind.INSERT, start, written, -1, -1);
            try (Connection c = ds().getConnection(); PreparedStatement p = c.prepareStatement(
                    "INSERT INTO " + ROWS + " (id, worker) VALUES (?, ?)")) {
                p.setLong(1, id);
                p.setInt(2, index);
                p.executeUpdate();
                return record(Operation.ok(index, Operation.Kind.INSERT, start, clock.millis(), written, -1, -1, -1));
            } catch (Exception e) {
                return record(Operation.failed(index, Operation.Kind.INSERT, start, clock.millis(), written, -1, -1,
                        e));
            }
        }

        private boolean transaction() {
            long first = ids.incrementAndGet();
            long second = ids.incrementAndGet();
            List<Long> written = List.of(first, second);
            long start = clock.millis();
            begin(Operation.Kind.TRANSACTION, start, written, -1, -1);
            try (Connection c = ds().getConnection()) {
                long seen;
                try {
                    c.setAutoCommit(false);
                    try (PreparedStatement p = c.prepareStatement("INSERT INTO " + ROWS
                            + " (id, worker) VALUES (?, ?)")) {
                        for (long id : new long[] {first, second}) {
                            p.setLong(1, id);
                            p.setInt(2, index);
                            p.executeUpdate();
                        }
                    }
                    try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM " + ROWS
                            + " WHERE id IN (?, ?)")) {
                        p.setLong(1, first);
                        p.setLong(2, second);
                        try (ResultSet rs = p.executeQuery()) {
                            rs.next();
                            seen = rs.getLong(1);
                        }
                    }
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                }
                return record(Operation.ok(index, Operation.Kind.TRANSACTION, start, clock.millis(), written, -1,
                        seen, -1));
            } catch (Exception e) {
                return record(Operation.failed(index, Operation.Kind.TRANSACTION, start, clock.millis(), written, -1,
                        -1, e));
            }
        }

        private boolean counter() {
            int key = random.nextInt(COUNTER_KEYS);
            long start = clock.millis();
            begin(Operation.Kind.COUNTER, start, List.of(), key, -1);
            try (Connection c = ds().getConnection()) {
                long value;
                try {
                    c.setAutoCommit(false);
                    try (PreparedStatement p = c.prepareStatement("UPDATE " + COUNTER + " SET n = n + 1 WHERE k = ?")) {
                        p.setInt(1, key);
                        p.executeUpdate();
                    }
                    try (PreparedStatement p = c.prepareStatement("SELECT n FROM " + COUNTER + " WHERE k = ?")) {
                        p.setInt(1, key);
                        try (ResultSet rs = p.executeQuery()) {
                            rs.next();
                            value = rs.getLong(1);
                        }
                    }
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                }
                return record(Operation.ok(index, Operation.Kind.COUNTER, start, clock.millis(), List.of(), key,
                        value, -1));
            } catch (Exception e) {
                return record(Operation.failed(index, Operation.Kind.COUNTER, start, clock.millis(), List.of(), key,
                        -1, e));
            }
        }

        private boolean read() {
            long start = clock.millis();
            Map.Entry<Long, Long> acked = ackedAt.floorEntry((start - staleAfterMillis - 1) * 1000);
            if (acked == null) {
                CampaignClock.sleep(20); // nothing old enough to look up yet
                return true;
            }
            long id = acked.getValue();
            begin(Operation.Kind.READ, start, List.of(), -1, id);
            try (Connection c = ds().getConnection()) {
                c.setReadOnly(true);
                long found = lookup(c, id);
                return record(Operation.ok(index, Operation.Kind.READ, start, clock.millis(), List.of(), -1, found,
                        id));
            } catch (Exception e) {
                return record(Operation.failed(index, Operation.Kind.READ, start, clock.millis(), List.of(), -1, id,
                        e));
            }
        }

        private boolean readYourWrite() {
            long id = ids.incrementAndGet();
            List<Long> written = List.of(id);
            long start = clock.millis();
            begin(Operation.Kind.READ_YOUR_WRITE, start, written, -1, id);
            DataSource ds = ds();
            try {
                try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(
                        "INSERT INTO " + ROWS + " (id, worker) VALUES (?, ?)")) {
                    p.setLong(1, id);
                    p.setInt(2, index);
                    p.executeUpdate();
                }
                long found;
                try (Connection c = ds.getConnection()) {
                    c.setReadOnly(true);
                    found = lookup(c, id);
                }
                return record(Operation.ok(index, Operation.Kind.READ_YOUR_WRITE, start, clock.millis(), written, -1,
                        found, id));
            } catch (Exception e) {
                return record(Operation.failed(index, Operation.Kind.READ_YOUR_WRITE, start, clock.millis(), written,
                        -1, id, e));
            }
        }

        private long lookup(Connection c, long id) throws SQLException {
            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM " + ROWS + " WHERE id = ?")) {
                p.setLong(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }

        private void rollbackQuietly(Connection c) {
            try {
                c.rollback();
            } catch (SQLException | RuntimeException ignored) {
                // the failure that led here is what the operation reports
            }
        }
    }
}
