package dev.haven.samples.quickstart;

import dev.haven.core.Node;
import dev.haven.core.Topology;
import dev.haven.jdbc.HaDataSource;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The main job of the README: start a local 3-node MariaDB cluster, put an {@link HaDataSource} on it, and show
 * (1) writes going to the primary and read-only connections to the replicas, then (2) the primary crashing, an
 * external orchestrator promoting a replica after a delay, and Haven moving writes to it on its own.
 *
 * <p>Options: {@code --promote-after MILLIS} (the orchestrator's delay, default 1000), {@code --keep-running}
 * (leave the cluster up afterwards until Ctrl-C).
 */
public final class RoutingAndFailoverDemo {

    private RoutingAndFailoverDemo() {
    }

    public static void main(String[] args) throws Exception {
        long promoteAfter = 1000;
        boolean keepRunning = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--promote-after" -> promoteAfter = Long.parseLong(args[++i]);
                case "--keep-running" -> keepRunning = true;
                default -> {
                    System.err.println("usage: RoutingAndFailoverDemo [--promote-after MILLIS] [--keep-running]");
                    System.exit(2);
                }
            }
        }
        PrintStream out = System.out;
        out.println("== Starting a local MariaDB cluster: 1 primary, 2 replicas, semi-sync replication");
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            for (LocalNode node : cluster.nodes()) {
                out.printf(Locale.ROOT, "   %s  %-7s server_id=%d  %s%n", node.name(), node.role(), node.serverId(),
                        node.hostAndPort());
            }
            String url = "jdbc:ha:mariadb://" + cluster.hostList() + "/app"
                    + "?ha.probeInterval=250ms&ha.suspectAfter=500ms&ha.deadAfter=1500ms"
                    + "&ha.connectTimeout=500ms&ha.probeTimeout=500ms&ha.failover.timeout=15s";
            out.println();
            out.println("== HaDataSource on " + url);
            try (HaDataSource ds = HaDataSource.builder().url(url).user(cluster.appUser())
                    .password(cluster.appPassword()).build()) {
                describe(ds.topology(), out);
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS demo (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64))");
                }
                routing(ds, out);
                failover(cluster, ds, promoteAfter, out);
            }
            if (keepRunning) {
                out.println();
                out.println("The cluster keeps running; press Ctrl-C to stop it.");
                Thread.currentThread().join();
            }
        }
        out.println("Stopped the cluster and removed its data.");
    }

    private static void routing(HaDataSource ds, PrintStream out) throws SQLException {
        out.println();
        out.println("== Routing: 4 writes on read-write connections, 6 reads on read-only connections");
        Map<String, Integer> writes = new TreeMap<>();
        Map<String, Integer> reads = new TreeMap<>();
        for (int i = 0; i < 4; i++) {
            try (Connection c = ds.getConnection();
                 PreparedStatement p = c.prepareStatement("INSERT INTO demo (note) VALUES (?)")) {
                p.setString(1, "write " + i);
                p.executeUpdate();
                writes.merge("server_id=" + serverId(c), 1, Integer::sum);
            }
        }
        for (int i = 0; i < 6; i++) {
            try (Connection c = ds.getConnection()) {
                c.setReadOnly(true);
                reads.merge("server_id=" + serverId(c), 1, Integer::sum);
            }
        }
        out.println("   writes went to " + writes);
        out.println("   reads went to  " + reads);
    }

    private static void failover(LocalCluster cluster, HaDataSource ds, long promoteAfter, PrintStream out)
            throws Exception {
        LocalNode oldPrimary = cluster.primary();
        LocalNode candidate = cluster.replica(0);
        out.println();
        out.printf(Locale.ROOT, "== Failover: kill -9 the primary (%s); an orchestrator promotes %s %d ms later%n",
                oldPrimary.name(), candidate.name(), promoteAfter);
        ScheduledExecutorService orchestrator = Executors.newSingleThreadScheduledExecutor();
        long killedAt = System.nanoTime();
        cluster.kill(oldPrimary);
        orchestrator.schedule(() -> {
            cluster.promote(candidate);
            return null;
        }, promoteAfter, TimeUnit.MILLISECONDS);
        try {
            // Reads keep working on the surviving replicas meanwhile.
            try (Connection c = ds.getConnection()) {
                c.setReadOnly(true);
                out.println("   a read during the outage went to server_id=" + serverId(c));
            }
            // A write waits (up to ha.failover.timeout) for a primary and lands on the promoted replica. A write
            // caught by the crash gets SQLState 08007 (outcome unknown): like any application, check and retry.
            int attempts = 0;
            while (true) {
                attempts++;
                try (Connection c = ds.getConnection()) {
                    if (!exists(c, 1000)) {
                        try (Statement s = c.createStatement()) {
                            s.executeUpdate("INSERT INTO demo (id, note) VALUES (1000, 'after failover')");
                        }
                    }
                    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                    out.printf(Locale.ROOT, "   the write after the crash succeeded on server_id=%d, %d ms after the"
                                    + " kill (%d ms after the promotion), in %d attempt(s)%n", serverId(c), tookMillis,
                            tookMillis - promoteAfter, attempts);
                    break;
                } catch (SQLException e) {
                    if (!"08007".equals(e.getSQLState()) || attempts >= 3) {
                        throw e;
                    }
                    out.println("   a write caught by the crash: " + e.getSQLState() + " (outcome unknown);"
                            + " checking and retrying");
                }
            }
        } finally {
            orchestrator.shutdown();
            orchestrator.awaitTermination(10, TimeUnit.SECONDS);
        }
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM demo")) {
                rs.next();
                out.println("   rows visible on a replica of the new primary: " + rs.getLong(1) + " (5 written)");
            }
        }
        describe(ds.topology(), out);
    }

    private static boolean exists(Connection c, int id) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM demo WHERE id = " + id)) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    private static long serverId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@server_id")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void describe(Topology topology, PrintStream out) {
        out.println("   Haven's view (topology epoch " + topology.epoch() + "):");
        for (Node node : topology.nodes()) {
            out.printf(Locale.ROOT, "     %-16s %-8s %-8s server_id=%d%s%n", node.address(), node.role(), node.health(),
                    node.serverId(), node.eligibleForReads() ? "  serves reads" : "");
        }
    }
}
