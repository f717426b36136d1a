package dev.haven.testkit.campaign;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plays a {@link Schedule} on a {@link LocalCluster} through its public API: each fault on its own thread (they
 * overlap), its target resolved by role when it begins from the servers' own {@code read_only} (whoever promoted
 * whom since), never two faults on one node at once. {@link #healAll} ends whatever is still on.
 */
final class Faults {

    private final LocalCluster cluster;
    private final CampaignClock clock;
    private final Set<LocalNode> busy = new HashSet<>();
    /** Nodes whose {@code max_connections} was lowered, and the value to restore. */
    private final Map<LocalNode, Integer> maxConnections = new HashMap<>();
    /**
     * The connection that lowered a node's {@code max_connections}, kept open to restore it: counted among the
     * connections the limit allows, it needs no free slot. A new one needed the slot beyond the limit that an
     * account with SUPER gets, and a monitor logged in as such an account could hold it (seed 21110: the limit
     * stayed lowered past the final heal).
     */
    private final Map<LocalNode, Connection> controls = new HashMap<>();
    private final List<Thread> threads = new ArrayList<>();

    Faults(LocalCluster cluster, CampaignClock clock) {
        this.cluster = cluster;
        this.clock = clock;
    }

    void start(Schedule schedule) {
        int i = 0;
        for (FaultStep step : schedule.steps()) {
            Thread t = new Thread(() -> play(step, schedule.replicationThroughProxy()), "campaign-fault-" + i++);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Waits for every fault to have been undone (each ends by its own duration). */
    void awaitFaults(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        for (Thread t : threads) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
    }

    private void play(FaultStep step, boolean throughProxy) {
        clock.sleepUntil(step.atMillis());
        LocalNode node = claim(step);
        if (node == null) {
            clock.note("skipped", step.kind().id + " " + step.role().id() + ": no " + step.role().id()
                    + " free of other faults");
            return;
        }
        String target = node.name() + " (" + step.role().id() + ")";
        try {
            switch (step.kind()) {
                case KILL -> {
                    cluster.kill(node);
                    clock.note("fault", "SIGKILL " + target + " for " + step.durationMillis() + " ms");
                    clock.sleep(step.durationMillis());
                    bringBack(node, step.role() == FaultKind.TargetRole.PRIMARY);
                }
                case FREEZE -> {
                    cluster.freeze(node);
                    clock.note("fault", "SIGSTOP " + target + " for " + step.durationMillis() + " ms");
                    clock.sleep(step.durationMillis());
                    cluster.thaw(node);
                    clock.note("undo", "SIGCONT " + node.name());
                }
                case RESTART -> {
                    clock.note("fault", "restart " + target + " (clean shutdown, same data directory)");
                    shutdown(node);
                    bringBack(node, step.role() == FaultKind.TargetRole.PRIMARY);
                }
                case LAG -> {
                    if (node.role() != LocalNode.Role.REPLICA) {
                        clock.note("skipped", "lag: " + target + " is read-only but not a replica of the test"
                                + " kit's (" + node.role() + ")");
                        return;
                    }
                    cluster.delayReplication(node, step.param());
                    clock.note("fault", target + " applies events " + step.param() + " s late for "
                            + step.durationMillis() + " ms");
                    clock.sleep(step.durationMillis());
                    cluster.delayReplication(node, 0);
                    clock.note("undo", node.name() + " without delay");
                }
                case PARTITION -> {
                    cluster.partition(node);
                    clock.note("fault", target + " partitioned from " + (throughProxy
                            ? "everyone (replication through the proxies)" : "the application only")
                            + " for " + step.durationMillis() + " ms");
                    clock.sleep(step.durationMillis());
                    cluster.heal(node);
                    clock.note("undo", node.name() + " reachable again");
                }
                case EXHAUST_CONNECTIONS -> {
                    int limit = exhaust(node);
                    // Without churn the pools keep the connections they have and never meet the limit: the
                    // application's connections through the proxy are reset, so they must reconnect into it.
                    cluster.reset(node);
                    clock.note("fault", target + " max_connections lowered to " + limit + " (the connections open"
                            + " now) and the application's connections reset, for " + step.durationMillis() + " ms");
                    clock.sleep(step.durationMillis());
                    restoreConnections(node);
                    clock.note("undo", node.name() + " max_connections restored");
                }
                case SLOW_NETWORK -> {
                    cluster.latency(node, step.param());
                    clock.note("fault", target + " network " + step.param() + " ms slower per chunk for "
                            + step.durationMillis() + " ms");
                    clock.sleep(step.durationMillis());
                    cluster.latency(node, 0);
                    clock.note("undo", node.name() + " network at full speed");
                }
            }
        } catch (RuntimeException e) {
            clock.note("note", "fault " + step.kind().id + " on " + node.name() + " did not complete: " + e.getMessage());
        } finally {
            synchronized (busy) {
                busy.remove(node);
            }
        }
    }

    /** The node the step targets, resolved now, marked busy; null when no node of that role is free. */
    private LocalNode claim(FaultStep step) {
        List<LocalNode> writable = new ArrayList<>();
        List<LocalNode> readOnly = new ArrayList<>();
        for (LocalNode node : cluster.nodes()) {
            if (!node.isRunning() || node.isFrozen()) {
                continue;
            }
            Boolean ro = readOnly(node);
            if (ro != null) {
                (ro ? readOnly : writable).add(node);
            }
        }
        List<LocalNode> candidates = step.role() == FaultKind.TargetRole.PRIMARY ? writable : readOnly;
        synchronized (busy) {
            candidates.removeIf(busy::contains);
            if (candidates.isEmpty()) {
                return null;
            }
            LocalNode chosen = candidates.get(step.pick() % candidates.size());
            busy.add(chosen);
            return chosen;
        }
    }

    /** Straight at the server, short timeouts: null when it does not answer. */
    private Boolean readOnly(LocalNode node) {
        try (Connection c = direct(node); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@read_only")) {
            rs.next();
            return rs.getInt(1) != 0;
        } catch (SQLException e) {
            return null;
        }
    }

    private Connection direct(LocalNode node) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + node.serverPort() + "/?"
                + cluster.driverParameters("mariadb") + "connectTimeout=1000&socketTimeout=5000", cluster.adminUser(),
                cluster.adminPassword());
    }

    /** A clean shutdown ({@code SHUTDOWN}, as an operator's restart begins); returns once the process ended. */
    private void shutdown(LocalNode node) {
        try (Connection c = direct(node); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            // the server may close the connection before it answers
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (node.isRunning() && System.nanoTime() < deadline) {
            CampaignClock.sleep(20);
        }
        if (node.isRunning()) {
            throw new IllegalStateException(node.name() + " did not shut down within 60 s");
        }
    }

    /**
     * Starts a stopped node again with its data, as a server configured with {@code read_only=ON} at boot (the
     * recommended setting, docs/failover-safety.md): it always comes back read-only. Whether a returned primary that
     * nobody replaced takes writes again is the HA layer's decision, not the fault's: an operator who made it
     * writable by hand would race a promotion begun while it was down (two writable nodes, the operator's doing).
     */
    private void bringBack(LocalNode node, boolean wasPrimary) {
        try {
            cluster.adoptRoles(); // the test kit's roles from the servers: a replaced primary is a former one now
        } catch (IllegalStateException e) {
            // no writable node (nobody replaced it yet) or two: the roles stay as they were
        }
        cluster.restartReadOnly(node);
        clock.note("undo", node.name() + " is back with its data, read-only (read_only=ON at boot)"
                + (wasPrimary ? "; it was the primary" : ""));
    }

    private int exhaust(LocalNode node) {
        Connection c = null;
        try {
            c = direct(node);
            int original;
            int limit;
            try (Statement s = c.createStatement()) {
                int open;
                try (ResultSet rs = s.executeQuery("SELECT @@max_connections")) {
                    rs.next();
                    original = rs.getInt(1);
                }
                try (ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Threads_connected'")) {
                    rs.next();
                    open = rs.getInt(2);
                }
                limit = Math.max(10, open); // the server's minimum is 10
                s.execute("SET GLOBAL max_connections = " + limit);
            }
            synchronized (maxConnections) {
                maxConnections.putIfAbsent(node, original);
                closeQuietly(controls.put(node, c));
            }
            return limit;
        } catch (SQLException e) {
            closeQuietly(c);
            throw new IllegalStateException("cannot lower max_connections on " + node.name() + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // the control connection of a node that restarted: nothing left to close
        }
    }

    private void restoreConnections(LocalNode node) {
        Integer original;
        Connection control;
        synchronized (maxConnections) {
            original = maxConnections.get(node);
            control = controls.remove(node);
        }
        if (original == null) {
            closeQuietly(control);
            return;
        }
        try {
            if (control != null && setMaxConnections(control, original)) {
                return;
            }
            // none held, or the node restarted since (its default is back, that session gone): a new connection
            try (Connection c = direct(node)) {
                if (!setMaxConnections(c, original)) {
                    throw new SQLException("the connection failed while it set max_connections", "08000");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot restore max_connections on " + node.name() + ": "
                    + e.getMessage(), e);
        } finally {
            closeQuietly(control);
        }
        synchronized (maxConnections) {
            maxConnections.remove(node);
        }
    }

    /** True once set; false when the connection failed rather than the statement. */
    private static boolean setMaxConnections(Connection c, int value) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET GLOBAL max_connections = " + value);
            return true;
        } catch (SQLException e) {
            if (c.isClosed() || String.valueOf(e.getSQLState()).startsWith("08")) {
                return false;
            }
            throw e;
        }
    }

    /** The final heal: every fault still on is undone and every dead node restarted with its data. */
    void healAll() {
        List<LocalNode> exhausted;
        synchronized (maxConnections) {
            exhausted = new ArrayList<>(maxConnections.keySet());
        }
        List<String> left = new ArrayList<>();
        for (LocalNode node : exhausted) {
            try {
                restoreConnections(node);
            } catch (RuntimeException e) {
                clock.note("note", e.getMessage());
                left.add(node.name() + "'s max_connections");
            }
        }
        try {
            cluster.adoptRoles(); // so that a node still down comes back as what it is now
        } catch (IllegalStateException e) {
            // no single writable node: the roles stay as they were
        }
        for (LocalNode node : cluster.nodes()) {
            if (!node.isRunning()) {
                cluster.restartReadOnly(node); // as in bringBack: the HA layer decides who is writable
            }
        }
        cluster.healAll();
        clock.note("heal", left.isEmpty() ? "final heal: every fault undone, every node running"
                : "final heal: every node running, every fault undone but " + String.join(", ", left));
    }
}
