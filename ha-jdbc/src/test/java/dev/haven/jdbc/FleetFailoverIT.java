package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fifty application instances, each with its own {@code HaDataSource} in promote mode and Haven's default detection
 * settings, spread over five JVMs, share one 3-node cluster. Measured on the servers themselves: what the fleet's
 * monitoring costs each node idle and under load (statements per second from {@code Questions}, server CPU from
 * {@code /proc}). Then the primary is killed under load, and what must hold is checked on the servers: exactly one
 * promotion among the fifty, every instance writes to the new primary, every instance saw it within one probe
 * interval of the promotion, and every acknowledged write is on the new primary.
 *
 * <p>The figures are printed (one {@code FLEET} line each) and are what the README quotes; the test asserts only
 * the invariants and the convergence bound, never a speed.
 */
class FleetFailoverIT {

    private static final int JVMS = 5;
    private static final int PER_JVM = 10;
    private static final long PROBE_INTERVAL_MILLIS = 1000; // Haven's default ha.probeInterval
    private static final long WRITE_PERIOD_MILLIS = 100; // each instance writes 10 rows a second: 500/s in all

    @Test
    void fiftyInstancesLoseTheirPrimaryAndEndOnOneNewPrimaryWithOnePromotion(@TempDir Path dir) throws Exception {
        try (LocalCluster cluster = PromoteFailoverIT.cluster()) {
            LocalNode oldPrimary = cluster.primary();
            Sample quiet = Sample.take(cluster, 5_000);
            print("no instance", quiet, 0);

            // Straight to the servers, not through the test kit's proxies: the fault here is a process's death, and
            // fifty instances' traffic through one test JVM's proxy threads would measure the proxies.
            StringBuilder hosts = new StringBuilder();
            for (LocalNode n : cluster.nodes()) {
                hosts.append(hosts.length() == 0 ? "" : ",").append("127.0.0.1:").append(n.serverPort());
            }
            String url = "jdbc:ha:mariadb://" + hosts + "/" + cluster.database() + "?socketTimeout=2000"
                    + "&ha.failover=promote&ha.admin.user=" + cluster.adminUser() + "&ha.admin.password="
                    + cluster.adminPassword();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<Process> processes = new ArrayList<>();
            List<BufferedReader> outputs = new ArrayList<>();
            List<Writer> inputs = new ArrayList<>();
            try {
                for (int j = 0; j < JVMS; j++) {
                    Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                            FleetProcess.class.getName(), url, cluster.appUser(), cluster.appPassword(),
                            Integer.toString(PER_JVM), Long.toString((j + 1) * 100_000_000_000L))
                            .redirectErrorStream(true).start();
                    processes.add(p);
                    outputs.add(new Tee(p.getInputStream(), Path.of("target", "fleet-jvm-" + j + ".log")));
                    inputs.add(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
                }
                for (BufferedReader out : outputs) {
                    readLine(out, "READY");
                }
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3)); // past the monitors' start-up
                Sample idle = Sample.take(cluster, 10_000);
                print("50 idle instances", idle, JVMS * PER_JVM);

                send(inputs, "LOAD " + WRITE_PERIOD_MILLIS);
                expectAll(outputs, "LOADING");
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
                Sample loaded = Sample.take(cluster, 5_000);
                print("50 instances writing 500 rows/s", loaded, JVMS * PER_JVM);

                long killedAt = System.currentTimeMillis();
                cluster.kill(oldPrimary);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (cluster.writableNodes() != 1) { // the old primary is dead: the one writable node is new
                    assertThat(System.nanoTime()).as("a promotion within 30 s").isLessThan(deadline);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                Map<LocalNode, long[]> failoverStart = Sample.counters(cluster);
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(5)); // writes go on on the new primary
                send(inputs, "STOP");
                expectAll(outputs, "STOPPED");
                LocalNode newPrimary = cluster.adoptRoles();

                List<String> reports = new ArrayList<>();
                Set<Long> acked = new HashSet<>();
                for (int j = 0; j < JVMS; j++) {
                    Path ids = dir.resolve("acked-" + j + ".txt");
                    inputs.get(j).write("REPORT " + ids + "\n");
                    inputs.get(j).flush();
                    String line;
                    while (!(line = readLine(outputs.get(j), "")).equals("REPORTED")) {
                        if (line.startsWith("INSTANCE ")) {
                            reports.add(line);
                        }
                    }
                    for (String id : Files.readAllLines(ids, StandardCharsets.UTF_8)) {
                        acked.add(Long.parseLong(id));
                    }
                }
                assertThat(reports).hasSize(JVMS * PER_JVM);

                int promotions = 0;
                int started = 0;
                int refused = 0;
                long failedWrites = 0;
                long promotedAt = 0;
                List<Long> convergence = new ArrayList<>();
                Map<Long, Integer> primaries = new HashMap<>();
                String newPrimaryAddress = "127.0.0.1:" + newPrimary.serverPort();
                List<Long> sawAt = new ArrayList<>();
                for (String report : reports) {
                    Map<String, String> fields = fields(report);
                    primaries.merge(Long.parseLong(fields.get("primary")), 1, Integer::sum);
                    promotions += Integer.parseInt(fields.get("promoted"));
                    started += Integer.parseInt(fields.get("started"));
                    refused += Integer.parseInt(fields.get("refused"));
                    failedWrites += Long.parseLong(fields.get("failedWrites"));
                    if (!fields.get("promotedAt").equals("0")) {
                        promotedAt = Long.parseLong(fields.get("promotedAt"));
                    }
                    long saw = -1;
                    for (String entry : fields.get("sawPrimary").split(",")) {
                        int at = entry.lastIndexOf('@');
                        if (at > 0 && entry.substring(0, at).equals(newPrimaryAddress)) {
                            saw = Long.parseLong(entry.substring(at + 1));
                        }
                    }
                    assertThat(saw).as("instance saw the new primary %s: %s", newPrimaryAddress, report)
                            .isPositive();
                    sawAt.add(saw);
                }
                for (long saw : sawAt) {
                    convergence.add(saw - promotedAt);
                }
                convergence.sort(null);
                Map<LocalNode, long[]> end = Sample.counters(cluster);
                Set<Long> onPrimary = idsOn(cluster, newPrimary);
                Set<Long> lost = new HashSet<>(acked);
                lost.removeAll(onPrimary);

                System.out.printf(Locale.ROOT, "FLEET failover: killed at +0 ms, promoted at +%d ms; %d instance(s)"
                                + " started a promotion, %d promoted, %d refusals; instances saw the new primary"
                                + " p50 %d ms, max %d ms after the promotion; %d failed writes; %d acknowledged,"
                                + " %d lost%n",
                        promotedAt - killedAt, started, promotions, refused, convergence.get(convergence.size() / 2),
                        convergence.get(convergence.size() - 1), failedWrites, acked.size(), lost.size());
                for (LocalNode n : cluster.nodes()) {
                    if (n.isRunning() && failoverStart.containsKey(n) && end.containsKey(n)) {
                        System.out.printf(Locale.ROOT, "FLEET after the promotion, %s: %d statements in %d ms%n",
                                n.name(), end.get(n)[0] - failoverStart.get(n)[0],
                                end.get(n)[2] - failoverStart.get(n)[2]);
                    }
                }

                assertThat(promotions).as("promotions made by the fifty instances together").isEqualTo(1);
                assertThat(primaries).as("the primary each instance writes to, by server_id")
                        .containsOnlyKeys((long) newPrimary.serverId());
                assertThat(cluster.writableNodes()).isEqualTo(1);
                assertThat(lost).as("acknowledged writes missing on the new primary").isEmpty();
                assertThat(convergence.get(convergence.size() - 1))
                        .as("the last instance to see the new primary, ms after the promotion (one probe interval)")
                        .isLessThanOrEqualTo(PROBE_INTERVAL_MILLIS);
                send(inputs, "EXIT");
            } finally {
                for (Process p : processes) {
                    if (!p.waitFor(20, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            }
        }
    }

    /**
     * A process's output, drained all the time by a thread of its own (a child blocked on a full pipe would stall
     * whichever Haven thread was logging), every line copied to a log file; the test reads the lines it waits for.
     */
    static final class Tee extends BufferedReader {
        private final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        private static final String END = new String("end of output");

        Tee(java.io.InputStream in, Path logFile) throws java.io.IOException {
            super(new java.io.StringReader(""));
            java.io.PrintWriter log = new java.io.PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            Thread drain = new Thread(() -> {
                try (log) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        log.println(line);
                        lines.add(line);
                    }
                } catch (java.io.IOException e) {
                    // the process ended
                } finally {
                    lines.add(END);
                }
            }, "fleet-output");
            drain.setDaemon(true);
            drain.start();
        }

        @Override
        public String readLine() throws java.io.IOException {
            try {
                String line = lines.poll(60, TimeUnit.SECONDS);
                if (line == END) {
                    lines.add(END);
                    return null;
                }
                return line;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }
    }

    private static Set<Long> idsOn(LocalCluster cluster, LocalNode node) throws SQLException {
        Set<Long> ids = new HashSet<>();
        try (Connection c = cluster.appConnection(node); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM t")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    private static void print(String what, Sample s, int instances) {
        for (Map.Entry<LocalNode, double[]> e : s.perNode.entrySet()) {
            double statements = e.getValue()[0];
            double cpu = e.getValue()[1];
            System.out.printf(Locale.ROOT, "FLEET %s, %s: %.1f statements/s%s, server CPU %.2f %% of a core%n",
                    what, e.getKey().name(), statements,
                    instances == 0 ? "" : String.format(Locale.ROOT, " (%.2f per instance)", statements / instances),
                    cpu * 100);
        }
    }

    private static Map<String, String> fields(String report) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String part : report.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return fields;
    }

    private static void send(List<Writer> inputs, String command) throws Exception {
        for (Writer in : inputs) {
            in.write(command + "\n");
            in.flush();
        }
    }

    private static void expectAll(List<BufferedReader> outputs, String line) throws Exception {
        for (BufferedReader out : outputs) {
            readLine(out, line);
        }
    }

    private static String readLine(BufferedReader out, String prefix) throws Exception {
        return PromoteAcrossJvmsIT.readLine(out, prefix);
    }

    /**
     * Statements per second and server CPU (fraction of one core) per running node over a window, from the
     * server's {@code Questions} counter (which counts the sampling statement too: one per sample, negligible) and
     * the {@code mariadbd} process's {@code utime + stime} in {@code /proc/PID/stat}.
     */
    private static final class Sample {
        final Map<LocalNode, double[]> perNode = new LinkedHashMap<>();

        static Sample take(LocalCluster cluster, long millis) throws Exception {
            Map<LocalNode, long[]> before = counters(cluster);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
            Map<LocalNode, long[]> after = counters(cluster);
            Sample s = new Sample();
            for (Map.Entry<LocalNode, long[]> e : after.entrySet()) {
                long[] b = before.get(e.getKey());
                if (b == null) {
                    continue;
                }
                long[] a = e.getValue();
                double seconds = (a[2] - b[2]) / 1000.0;
                s.perNode.put(e.getKey(), new double[] {(a[0] - b[0]) / seconds, (a[1] - b[1]) / 100.0 / seconds});
            }
            return s;
        }

        /** Per running node: {Questions, CPU ticks, wall millis}. */
        static Map<LocalNode, long[]> counters(LocalCluster cluster) throws Exception {
            Map<LocalNode, long[]> counters = new LinkedHashMap<>();
            for (LocalNode n : cluster.nodes()) {
                if (!n.isRunning()) {
                    continue;
                }
                long questions;
                try (Connection c = cluster.adminConnection(n); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Questions'")) {
                    rs.next();
                    questions = rs.getLong(2);
                }
                counters.put(n, new long[] {questions, cpuTicks(n.pid()), System.currentTimeMillis()});
            }
            return counters;
        }

        /** utime + stime of a process, in clock ticks (100 per second on Linux x86_64). */
        private static long cpuTicks(long pid) throws Exception {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of the whole line
        }
    }
}
