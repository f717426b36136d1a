package dev.haven.jdbc;

import dev.haven.core.HavenEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Several application instances in one JVM for {@link FleetFailoverIT}: each is its own {@code HaDataSource} with
 * its own monitor, pools and failover logic, as if each were a separate service instance; only the JVM is shared.
 *
 * <p>It answers commands on standard input, one per line, and prints one line per answer:
 * <ul>
 *   <li>{@code LOAD millis}: every instance starts inserting one row per {@code millis} ms, each id unique to
 *       this process and instance, and remembers those acknowledged;</li>
 *   <li>{@code STOP}: the writers stop (the answer waits for them);</li>
 *   <li>{@code REPORT file}: each instance's acknowledged ids are written to {@code file} (one per line); then one
 *       line per instance: {@code INSTANCE i primary=server_id promoted=n started=n refused=n promotedAt=ms
 *       sawPrimary=host:port@ms,... failedWrites=n}, with wall-clock milliseconds;</li>
 *   <li>{@code EXIT}: the data sources are closed.</li>
 * </ul>
 *
 * <p>Arguments: URL, user, password, instances, id base (ids are {@code base + instance * 10^9 + n}).
 */
public final class FleetProcess {

    private FleetProcess() {
    }

    /** What one instance saw and did. */
    private static final class Instance {
        final HaDataSource ds;
        final AtomicInteger promoted = new AtomicInteger();
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicLong promotedAt = new AtomicLong();
        final AtomicLong failedWrites = new AtomicLong();
        /** Each node this instance saw become the primary, with when: {@code host:port@millis}. */
        final List<String> sawPrimary = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Set<Long> acked = ConcurrentHashMap.newKeySet();

        Instance(String url, String user, String password) throws SQLException {
            this.ds = HaDataSource.builder().url(url).user(user).password(password)
                    // A small pool per node: fifty instances with HikariCP's default of ten per node would need
                    // 1,500 server connections before any work is done.
                    .poolProperty("maximumPoolSize", "2").poolProperty("minimumIdle", "1")
                    .listener(this::onEvent).build();
        }

        private void onEvent(HavenEvent e) {
            switch (e.type()) {
                case PROMOTED -> {
                    promoted.incrementAndGet();
                    promotedAt.set(e.timestamp().toEpochMilli());
                }
                case FAILOVER_STARTED -> started.incrementAndGet();
                case FAILOVER_REFUSED -> refused.incrementAndGet();
                case ROLE_CHANGED -> {
                    if ("PRIMARY".equals(e.newValue())) {
                        sawPrimary.add(e.address() + "@" + e.timestamp().toEpochMilli());
                    }
                }
                default -> {
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String password = args[2];
        int count = Integer.parseInt(args[3]);
        long idBase = Long.parseLong(args[4]);
        PrintStream out = System.out;
        List<Instance> instances = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            instances.add(new Instance(url, user, password));
        }
        for (Instance instance : instances) {
            instance.ds.topology(); // each has found the cluster
        }
        out.println("READY");
        out.flush();
        List<Thread> writers = new ArrayList<>();
        AtomicInteger running = new AtomicInteger();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] command = line.split(" ");
            switch (command[0]) {
                case "LOAD" -> {
                    long periodNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(command[1]));
                    running.set(1);
                    for (int i = 0; i < instances.size(); i++) {
                        Instance instance = instances.get(i);
                        long base = idBase + i * 1_000_000_000L;
                        Thread t = new Thread(() -> write(instance, base, periodNanos, running), "fleet-writer-" + i);
                        t.setDaemon(true);
                        t.start();
                        writers.add(t);
                    }
                    out.println("LOADING");
                }
                case "STOP" -> {
                    running.set(0);
                    for (Thread t : writers) {
                        t.join(TimeUnit.SECONDS.toMillis(30));
                    }
                    out.println("STOPPED");
                }
                case "REPORT" -> {
                    List<String> ids = new ArrayList<>();
                    for (Instance instance : instances) {
                        for (Long id : instance.acked) {
                            ids.add(id.toString());
                        }
                    }
                    Files.write(Path.of(command[1]), ids, StandardCharsets.UTF_8);
                    for (int i = 0; i < instances.size(); i++) {
                        Instance instance = instances.get(i);
                        long serverId;
                        try (Connection c = instance.ds.getConnection()) {
                            serverId = ExternalPromotionIT.serverId(c); // read-write: the primary it writes to
                        }
                        StringJoiner saw = new StringJoiner(",");
                        instance.sawPrimary.forEach(saw::add);
                        out.println("INSTANCE " + i + " primary=" + serverId + " promoted=" + instance.promoted.get()
                                + " started=" + instance.started.get() + " refused=" + instance.refused.get()
                                + " promotedAt=" + instance.promotedAt.get() + " sawPrimary=" + saw
                                + " failedWrites=" + instance.failedWrites.get());
                    }
                    out.println("REPORTED");
                }
                case "EXIT" -> {
                    for (Instance instance : instances) {
                        instance.ds.close();
                    }
                    out.println("BYE");
                    out.flush();
                    return;
                }
                default -> out.println("UNKNOWN " + line);
            }
            out.flush();
        }
    }

    private static void write(Instance instance, long base, long periodNanos, AtomicInteger running) {
        long n = 0;
        long next = System.nanoTime();
        while (running.get() == 1) {
            long id = base + ++n;
            try (Connection c = instance.ds.getConnection()) {
                ExternalPromotionIT.insert(c, id);
                instance.acked.add(id);
            } catch (SQLException e) {
                instance.failedWrites.incrementAndGet();
            }
            next += periodNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else {
                next = System.nanoTime(); // fell behind (a failover): no burst to catch up
            }
        }
    }
}
