package dev.haven.samples.drill;

import dev.haven.jdbc.HaDataSource;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The failover drill: a mixed write/read workload through Haven on a real local cluster, one fault injected, and
 * a report of what the application saw: recovery time of writes, failed writes and reads, acknowledged writes
 * lost, and how many nodes were writable at once.
 *
 * <p>Scenarios: {@code kill-primary}, {@code freeze-primary} (an external orchestrator promotes a replica after
 * {@code --promote-after} ms, as Haven runs in observe mode), {@code kill-replica}, {@code switchover}.
 * Options: {@code --scenario S}, {@code --runs N}, {@code --json PATH}, {@code --html PATH},
 * {@code --promote-after MILLIS}. Only the {@code haven} client exists so far.
 */
public final class FailoverDrill {

    static final List<String> SCENARIOS = List.of("kill-primary", "freeze-primary", "kill-replica", "switchover");
    private static final int BUCKET_MILLIS = 100;
    private static final int WRITERS = 4;
    private static final int READERS = 4;
    private static final long FAULT_AT_MILLIS = 2000;
    private static final long RUN_MILLIS = 8000;

    private FailoverDrill() {
    }

    /** One run's figures. */
    record Run(long writeRtoMillis, long failedWrites, long failedReads, long ackedWrites, long lostAckedWrites,
               int maxWritableNodes, int promotions, long[] okPerBucket, long[] failedPerBucket, long promotedAtMillis) {
    }

    public static void main(String[] args) throws Exception {
        String scenario = "kill-primary";
        int runs = 1;
        Path json = Path.of("target", "failover-drill.json");
        Path html = Path.of("target", "failover-drill.html");
        long promoteAfter = 1000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--scenario" -> scenario = args[++i];
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--json" -> json = Path.of(args[++i]);
                case "--html" -> html = Path.of(args[++i]);
                case "--promote-after" -> promoteAfter = Long.parseLong(args[++i]);
                case "--client" -> {
                    if (!"haven".equals(args[++i])) {
                        throw new IllegalArgumentException("--client: '" + args[i] + "' is not available yet;"
                                + " allowed: haven");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'; allowed: --scenario "
                        + SCENARIOS + ", --runs N, --json PATH, --html PATH, --promote-after MILLIS, --client haven");
            }
        }
        if (!SCENARIOS.contains(scenario)) {
            throw new IllegalArgumentException("--scenario: '" + scenario + "' is not available; allowed: " + SCENARIOS);
        }
        if (runs < 1) {
            throw new IllegalArgumentException("--runs: " + runs + " is not allowed; allowed: 1 or more");
        }
        List<Run> results = new ArrayList<>();
        PrintStream out = System.out;
        for (int r = 1; r <= runs; r++) {
            out.printf(Locale.ROOT, "== run %d/%d: %s%n", r, runs, scenario);
            Run run = runOnce(scenario, promoteAfter, out);
            results.add(run);
            out.printf(Locale.ROOT, "   writeRto=%d ms, failedWrites=%d, failedReads=%d, ackedWrites=%d,"
                            + " lostAckedWrites=%d, maxWritableNodes=%d, promotions=%d%n", run.writeRtoMillis(),
                    run.failedWrites(), run.failedReads(), run.ackedWrites(), run.lostAckedWrites(),
                    run.maxWritableNodes(), run.promotions());
        }
        String report = json(scenario, results);
        Files.createDirectories(json.toAbsolutePath().getParent());
        Files.writeString(json, report, StandardCharsets.UTF_8);
        Files.createDirectories(html.toAbsolutePath().getParent());
        Files.writeString(html, html(scenario, results.get(0)), StandardCharsets.UTF_8);
        out.println();
        out.println(summary(scenario, results));
        out.println("JSON: " + json.toAbsolutePath());
        out.println("HTML: " + html.toAbsolutePath());
    }

    static Run runOnce(String scenario, long promoteAfter, PrintStream out) throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE drill (id BIGINT PRIMARY KEY, at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3))");
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
            String url = "jdbc:ha:mariadb://" + cluster.hostList() + "/app?socketTimeout=2000"
                    + "&ha.probeInterval=250ms&ha.suspectAfter=500ms&ha.deadAfter=1500ms&ha.connectTimeout=500ms"
                    + "&ha.probeTimeout=500ms&ha.failover.timeout=15s"
                    + "&ha.admin.user=" + cluster.adminUser() + "&ha.admin.password=" + cluster.adminPassword();
            LocalNode oldPrimary = cluster.primary();
            LocalNode target = cluster.replica(0);
            int buckets = 600; // a minute: runs last RUN_MILLIS plus whatever the fault's recovery takes
            AtomicLongArray ok = new AtomicLongArray(buckets);
            AtomicLongArray failed = new AtomicLongArray(buckets);
            Set<Long> acked = ConcurrentHashMap.newKeySet();
            AtomicLong failedWrites = new AtomicLong();
            AtomicLong failedReads = new AtomicLong();
            AtomicLong firstFailedWriteAfterFault = new AtomicLong(-1);
            AtomicLong firstWriteBackAfterFailure = new AtomicLong(-1);
            AtomicInteger maxWritable = new AtomicInteger();
            AtomicLong ids = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong promotedAt = new AtomicLong(-1);
            int promotions = 0;
            LocalNode promoted = target;
            long start = System.nanoTime();
            try (HaDataSource ds = HaDataSource.builder().url(url).user(cluster.appUser())
                    .password(cluster.appPassword()).build()) {
                List<Thread> threads = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    threads.add(worker("drill-writer-" + w, running, () -> {
                        long id = ids.incrementAndGet();
                        try (Connection c = ds.getConnection();
                             PreparedStatement p = c.prepareStatement("INSERT INTO drill (id) VALUES (?)")) {
                            p.setLong(1, id);
                            p.executeUpdate();
                            acked.add(id);
                            long now = millisSince(start);
                            ok.incrementAndGet(bucket(now, buckets));
                            if (firstFailedWriteAfterFault.get() >= 0) {
                                firstWriteBackAfterFailure.compareAndSet(-1, now);
                            }
                        } catch (SQLException e) {
                            long now = millisSince(start);
                            failedWrites.incrementAndGet();
                            failed.incrementAndGet(bucket(now, buckets));
                            if (now >= FAULT_AT_MILLIS) {
                                firstFailedWriteAfterFault.compareAndSet(-1, now);
                            }
                        }
                    }));
                }
                for (int r = 0; r < READERS; r++) {
                    threads.add(worker("drill-reader-" + r, running, () -> {
                        try (Connection c = ds.getConnection()) {
                            c.setReadOnly(true);
                            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM drill WHERE id = ?")) {
                                p.setLong(1, Math.max(1, ids.get() - 100));
                                try (ResultSet rs = p.executeQuery()) {
                                    rs.next();
                                }
                            }
                            ok.incrementAndGet(bucket(millisSince(start), buckets));
                        } catch (SQLException e) {
                            failedReads.incrementAndGet();
                            failed.incrementAndGet(bucket(millisSince(start), buckets));
                        }
                    }));
                }
                threads.add(worker("drill-sampler", running, () -> {
                    maxWritable.accumulateAndGet(writableNodes(cluster), Math::max);
                    sleep(BUCKET_MILLIS);
                }));
                threads.forEach(Thread::start);

                sleep(FAULT_AT_MILLIS - millisSince(start));
                out.printf(Locale.ROOT, "   %5d ms  injecting %s%n", millisSince(start), scenario);
                switch (scenario) {
                    case "kill-primary" -> cluster.kill(oldPrimary);
                    case "freeze-primary" -> cluster.freeze(oldPrimary);
                    case "kill-replica" -> cluster.kill(cluster.replica(1));
                    case "switchover" -> {
                        Duration pause = ds.switchover(target.hostAndPort());
                        promotedAt.set(millisSince(start));
                        promotions++;
                        out.printf(Locale.ROOT, "   %5d ms  switchover done, writes held back %d ms%n",
                                millisSince(start), pause.toMillis());
                    }
                    default -> throw new IllegalStateException(scenario);
                }
                if (scenario.endsWith("-primary")) {
                    sleep(promoteAfter);
                    // The external orchestrator Haven follows in observe mode: it promotes the most advanced replica.
                    promoted = cluster.promoteMostAdvanced();
                    promotedAt.set(millisSince(start));
                    promotions++;
                    out.printf(Locale.ROOT, "   %5d ms  orchestrator promoted %s%n", millisSince(start), promoted.name());
                }
                while (millisSince(start) < RUN_MILLIS) {
                    sleep(1000);
                    out.printf(Locale.ROOT, "   %5d ms  acked writes %d, failed writes %d, failed reads %d%n",
                            millisSince(start), acked.size(), failedWrites.get(), failedReads.get());
                }
                running.set(false);
                for (Thread t : threads) {
                    t.join(30_000);
                }
            } finally {
                if (scenario.equals("freeze-primary")) {
                    cluster.kill(oldPrimary); // never thaw a demoted primary that nobody fenced
                }
            }
            LocalNode finalPrimary = scenario.equals("kill-replica") ? oldPrimary : promoted;
            Set<Long> stored = new HashSet<>();
            try (Connection c = cluster.adminConnection(finalPrimary); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id FROM app.drill")) {
                while (rs.next()) {
                    stored.add(rs.getLong(1));
                }
            }
            long lost = 0;
            for (Long id : acked) {
                if (!stored.contains(id)) {
                    lost++;
                }
            }
            long rto = firstFailedWriteAfterFault.get() < 0 ? 0
                    : Math.max(0, firstWriteBackAfterFailure.get() - firstFailedWriteAfterFault.get());
            long[] okCounts = new long[buckets];
            long[] failedCounts = new long[buckets];
            for (int i = 0; i < buckets; i++) {
                okCounts[i] = ok.get(i);
                failedCounts[i] = failed.get(i);
            }
            return new Run(rto, failedWrites.get(), failedReads.get(), acked.size(), lost, maxWritable.get(),
                    promotions, okCounts, failedCounts, promotedAt.get());
        }
    }

    /** Nodes answering {@code read_only = 0} now, asked straight at each server with short timeouts. */
    private static int writableNodes(LocalCluster cluster) {
        int writable = 0;
        for (LocalNode node : cluster.nodes()) {
            if (!node.isRunning() || node.isFrozen()) {
                continue;
            }
            String url = "jdbc:mariadb://127.0.0.1:" + node.serverPort() + "/?connectTimeout=300&socketTimeout=300";
            try (Connection c = DriverManager.getConnection(url, cluster.adminUser(), cluster.adminPassword());
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@read_only")) {
                rs.next();
                if (rs.getInt(1) == 0) {
                    writable++;
                }
            } catch (SQLException e) {
                // down or hung: not writable
            }
        }
        return writable;
    }

    private interface Step {
        void run() throws Exception;
    }

    private static Thread worker(String name, AtomicBoolean running, Step step) {
        Thread t = new Thread(() -> {
            while (running.get()) {
                try {
                    step.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static int bucket(long millis, int buckets) {
        return (int) Math.min(buckets - 1, millis / BUCKET_MILLIS);
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

    static long percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static String json(String scenario, List<Run> runs) {
        long[] rto = new long[runs.size()];
        StringBuilder perRun = new StringBuilder();
        for (int i = 0; i < runs.size(); i++) {
            rto[i] = runs.get(i).writeRtoMillis();
            perRun.append(i == 0 ? "" : ", ").append(rto[i]);
        }
        return "{\n"
                + "  \"scenario\": \"" + scenario + "\",\n"
                + "  \"client\": \"haven\",\n"
                + "  \"runs\": " + runs.size() + ",\n"
                + "  \"writeRtoMillis\": {\"perRun\": [" + perRun + "], \"p50\": " + percentile(rto, 0.5)
                + ", \"max\": " + percentile(rto, 1.0) + "},\n"
                + "  \"failedWrites\": " + list(runs, Run::failedWrites) + ",\n"
                + "  \"failedReads\": " + list(runs, Run::failedReads) + ",\n"
                + "  \"ackedWrites\": " + list(runs, Run::ackedWrites) + ",\n"
                + "  \"lostAckedWrites\": " + list(runs, Run::lostAckedWrites) + ",\n"
                + "  \"maxWritableNodes\": " + list(runs, r -> r.maxWritableNodes()) + ",\n"
                + "  \"promotions\": " + list(runs, r -> r.promotions()) + "\n"
                + "}\n";
    }

    private static String list(List<Run> runs, java.util.function.ToLongFunction<Run> field) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < runs.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(field.applyAsLong(runs.get(i)));
        }
        return b.append(']').toString();
    }

    static String summary(String scenario, List<Run> runs) {
        long[] rto = new long[runs.size()];
        long failedWrites = 0;
        long failedReads = 0;
        long acked = 0;
        long lost = 0;
        int writable = 0;
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            rto[i] = r.writeRtoMillis();
            failedWrites += r.failedWrites();
            failedReads += r.failedReads();
            acked += r.ackedWrites();
            lost += r.lostAckedWrites();
            writable = Math.max(writable, r.maxWritableNodes());
        }
        return String.format(Locale.ROOT, "%-15s %-6s %5s %10s %10s %12s %12s %11s %11s%n%-15s %-6s %5d %10d %10d %12d %12d %11d %11d",
                "scenario", "client", "runs", "rto p50 ms", "rto max ms", "failed wr", "failed rd", "acked wr",
                "lost acked", scenario, "haven", runs.size(), percentile(rto, 0.5), percentile(rto, 1.0),
                failedWrites, failedReads, acked, lost)
                + String.format(Locale.ROOT, "%nmax writable nodes at once: %d", writable);
    }

    static String html(String scenario, Run run) {
        int n = run.okPerBucket().length;
        while (n > 1 && run.okPerBucket()[n - 1] == 0 && run.failedPerBucket()[n - 1] == 0) {
            n--; // the chart ends with the run
        }
        long max = 1;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, run.okPerBucket()[i] + run.failedPerBucket()[i]);
        }
        int width = n * 8 + 60;
        int height = 260;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns='http://www.w3.org/2000/svg' width='").append(width).append("' height='")
                .append(height + 40).append("' font-family='sans-serif' font-size='11'>");
        for (int i = 0; i < n; i++) {
            long okCount = run.okPerBucket()[i];
            long failCount = run.failedPerBucket()[i];
            int okH = (int) (okCount * height / max);
            int failH = (int) (failCount * height / max);
            int x = 40 + i * 8;
            svg.append("<rect x='").append(x).append("' y='").append(height - okH).append("' width='7' height='")
                    .append(okH).append("' fill='#4a9'/>");
            svg.append("<rect x='").append(x).append("' y='").append(height - okH - failH)
                    .append("' width='7' height='").append(failH).append("' fill='#d44'/>");
        }
        marker(svg, FAULT_AT_MILLIS, "fault", height, "#333");
        if (run.promotedAtMillis() >= 0) {
            marker(svg, run.promotedAtMillis(), "promotion", height, "#36c");
        }
        svg.append("<text x='40' y='").append(height + 20).append("'>time, 100 ms per bar; green: successful"
                + " operations, red: failed operations</text></svg>");
        return "<!doctype html><html><head><meta charset='utf-8'><title>Haven failover drill: " + scenario
                + "</title></head><body><h1>Haven failover drill: " + scenario + "</h1><p>write recovery "
                + run.writeRtoMillis() + " ms; failed writes " + run.failedWrites() + "; failed reads "
                + run.failedReads() + "; acknowledged writes " + run.ackedWrites() + "; lost acknowledged writes "
                + run.lostAckedWrites() + "; at most " + run.maxWritableNodes() + " writable node(s)</p>" + svg
                + "</body></html>\n";
    }

    private static void marker(StringBuilder svg, long millis, String label, int height, String color) {
        int x = 40 + (int) (millis / BUCKET_MILLIS) * 8;
        svg.append("<line x1='").append(x).append("' x2='").append(x).append("' y1='0' y2='").append(height)
                .append("' stroke='").append(color).append("' stroke-dasharray='4 2'/>");
        svg.append("<text x='").append(x + 3).append("' y='12' fill='").append(color).append("'>").append(label)
                .append("</text>");
    }
}
