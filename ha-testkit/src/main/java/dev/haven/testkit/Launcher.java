package dev.haven.testkit;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The command-line face of {@link LocalCluster}: start, describe, wait for Ctrl-C, stop. */
final class Launcher {

    private static final String USAGE = "usage: LocalCluster [--server " + String.join("|", serverIds()) + "] [--replicas N] [--no-semi-sync] [--data-dir PATH]"
            + " [--duration SECONDS] [--show-passwords]";

    private Launcher() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        LocalCluster.Builder builder = LocalCluster.builder();
        long durationSeconds = 0;
        boolean showPasswords = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--server" -> builder.server(ServerFlavor.fromId(argument(args, ++i, "--server")));
                    case "--replicas" -> builder.replicas(intArgument(args, ++i, "--replicas"));
                    case "--no-semi-sync" -> builder.semiSync(false);
                    case "--data-dir" -> builder.dataDirectory(Path.of(argument(args, ++i, "--data-dir")));
                    case "--duration" -> durationSeconds = intArgument(args, ++i, "--duration");
                    case "--show-passwords" -> showPasswords = true;
                    case "--help", "-h" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("LocalCluster: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }

        out.println("Starting a " + builder.server().displayName() + " cluster on 127.0.0.1 ...");
        LocalCluster cluster = builder.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "haven-local-cluster-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        describe(cluster, out, showPasswords);
        if (durationSeconds > 0) {
            out.println("Running for " + durationSeconds + " s.");
            stopped.await(durationSeconds, TimeUnit.SECONDS);
            Runtime.getRuntime().removeShutdownHook(hook);
            cluster.close();
            out.println("Stopped.");
        } else {
            out.println("Press Ctrl-C to stop the cluster and remove its temporary data.");
            stopped.await();
        }
        return 0;
    }

    private static void describe(LocalCluster cluster, PrintStream out, boolean showPasswords) {
        out.printf(Locale.ROOT, "Started 1 primary + %d replicas in %d ms (semi-sync %s).%n%n",
                cluster.replicas().size(), cluster.startupTime().toMillis(), cluster.semiSync() ? "on" : "off");
        out.printf(Locale.ROOT, "%-6s %-8s %-9s %-6s %-6s %-8s %s%n",
                "node", "role", "server_id", "port", "server", "pid", "read_only / replicating from");
        for (LocalNode node : cluster.nodes()) {
            out.printf(Locale.ROOT, "%-6s %-8s %-9d %-6d %-6d %-8d %s%n", node.name(), node.role(),
                    node.serverId(), node.port(), node.serverPort(), node.pid(), liveState(cluster, node));
        }
        out.println();
        for (LocalNode node : cluster.nodes()) {
            out.println(node.name() + "  " + node.mariadbUrl());
            out.println("       " + node.mysqlUrl());
        }
        out.println();
        out.println("All nodes, MariaDB Connector/J: " + cluster.mariadbUrl());
        out.println("All nodes, mysql-connector-j:   " + cluster.mysqlUrl());
        out.println();
        out.println("Application user: " + cluster.appUser()
                + (showPasswords ? " / " + cluster.appPassword() : " (password: --show-passwords)"));
        out.println("Admin user:       " + cluster.adminUser()
                + (showPasswords ? " / " + cluster.adminPassword() : ""));
        out.println("Data directory:   " + cluster.dataDirectory());
        out.println("Ports above are each node's fault-injection proxy; 'server' is the server's own port.");
        out.println();
    }

    private static String liveState(LocalCluster cluster, LocalNode node) {
        try (Connection c = cluster.adminConnection(node); Statement s = c.createStatement()) {
            String readOnly;
            try (ResultSet rs = s.executeQuery("SELECT @@read_only")) {
                rs.next();
                readOnly = rs.getInt(1) == 1 ? "read_only=ON" : "read_only=OFF";
            }
            try (ResultSet rs = s.executeQuery(cluster.replicaStatus())) {
                if (rs.next()) {
                    return readOnly + ", replicating from port " + rs.getInt(cluster.column("Master_Port")) + " (IO "
                            + rs.getString(cluster.column("Slave_IO_Running")) + ", SQL "
                            + rs.getString(cluster.column("Slave_SQL_Running")) + ")";
                }
            }
            return readOnly + ", not replicating";
        } catch (SQLException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    private static java.util.List<String> serverIds() {
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (ServerFlavor flavor : ServerFlavor.values()) {
            ids.add(flavor.id());
        }
        return ids;
    }

    private static String argument(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int intArgument(String[] args, int index, String option) {
        String value = argument(args, index, option);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, was '" + value + "'");
        }
    }

}
