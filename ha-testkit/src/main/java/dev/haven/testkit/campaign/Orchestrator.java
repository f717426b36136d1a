package dev.haven.testkit.campaign;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The external orchestrator a client in observe mode follows (what Orchestrator, MHA or a managed service does),
 * played during a campaign run. It watches the primary on the application's network path (the node's proxy), every
 * {@value #TICK_MILLIS} ms, and:
 * <ul>
 *   <li>when the primary has not answered for {@code deadAfterMillis}, powers it off (SIGKILL: the fencing step,
 *       so that it cannot come back writable) and promotes the replica that received the most
 *       ({@link LocalCluster#promoteMostAdvanced}), which re-points the other running replicas to it;</li>
 *   <li>when the primary answers read-only (it was restarted, and every node boots read-only) and no other node is
 *       writable, makes it writable again, as an operator would after a restart.</li>
 * </ul>
 * A server that answers with an error (too many connections) is alive. A replica that is frozen or down at the
 * promotion is neither a candidate nor re-pointed: when it returns it still follows the old primary.
 *
 * <p>Its decisions are its own and naive on purpose (no knowledge of what the client acknowledged): a write the
 * old primary acknowledged that reached no replica is lost by the promotion, as with any orchestrator; semi-sync
 * makes that impossible while it holds. The timeline gets a {@code promotion} for each one.
 */
final class Orchestrator {

    static final long TICK_MILLIS = 250;

    private final LocalCluster cluster;
    private final CampaignClock clock;
    private final long deadAfterMillis;
    private final Thread thread;
    private volatile boolean stopped;
    private LocalNode primary;
    private long lastAnswer;

    Orchestrator(LocalCluster cluster, CampaignClock clock, long deadAfterMillis) {
        this.cluster = cluster;
        this.clock = clock;
        this.deadAfterMillis = deadAfterMillis;
        this.thread = new Thread(this::run, "campaign-orchestrator");
        this.thread.setDaemon(true);
    }

    void start() {
        primary = cluster.primary();
        lastAnswer = clock.millis();
        thread.start();
    }

    /** Stops watching; returns once a promotion under way has finished. */
    void stop() throws InterruptedException {
        stopped = true;
        thread.join(120_000);
    }

    private void run() {
        while (!stopped) {
            CampaignClock.sleep(TICK_MILLIS);
            if (stopped) {
                return;
            }
            try {
                tick();
            } catch (RuntimeException e) {
                clock.note("note", "orchestrator: " + e.getMessage());
            }
        }
    }

    private void tick() {
        Answer answer = probe(primary);
        long now = clock.millis();
        if (answer != Answer.SILENT) {
            lastAnswer = now;
            if (answer == Answer.READ_ONLY && noOtherWritable()) {
                execute(primary, "SET GLOBAL read_only = OFF");
                clock.note("orchestrator", "orchestrator: " + primary.name() + " is the primary and answered"
                        + " read-only (restarted): made writable");
            }
            return;
        }
        if (now - lastAnswer < deadAfterMillis) {
            return;
        }
        LocalNode dead = primary;
        for (LocalNode node : cluster.nodes()) {
            if (node != dead && node.isRunning() && !node.isFrozen() && probe(node) == Answer.WRITABLE) {
                // A promotion of its own that failed half-way left a writable node: never make a second one.
                primary = node;
                lastAnswer = now;
                clock.note("orchestrator", "orchestrator: " + node.name() + " is writable already: it is the"
                        + " primary now");
                return;
            }
        }
        cluster.kill(dead);
        clock.note("orchestrator", "orchestrator: " + dead.name() + " (primary) silent for " + (now - lastAnswer)
                + " ms: powered off");
        LocalNode promoted;
        try {
            promoted = cluster.promoteMostAdvanced();
        } catch (RuntimeException e) {
            clock.note("note", "orchestrator: no promotion yet (" + e.getMessage() + ")");
            return; // the next tick finds the old primary still silent and tries again
        }
        primary = promoted;
        lastAnswer = clock.millis();
        clock.note("promotion", "orchestrator promoted " + promoted.name() + " in place of " + dead.name());
    }

    private boolean noOtherWritable() {
        for (LocalNode node : cluster.nodes()) {
            if (node != primary && node.isRunning() && !node.isFrozen() && probe(node) == Answer.WRITABLE) {
                return false;
            }
        }
        return true;
    }

    /** What a server says to {@code @@read_only}. */
    private enum Answer { WRITABLE, READ_ONLY, ALIVE, SILENT }

    /** Asks through the node's proxy with short timeouts. */
    private Answer probe(LocalNode node) {
        try (Connection c = connect(node); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@read_only")) {
            rs.next();
            return rs.getInt(1) != 0 ? Answer.READ_ONLY : Answer.WRITABLE;
        } catch (SQLException e) {
            // An error the server sent (its code: 1040 too many connections) proves it alive; the driver's own
            // connection failures (refused, timed out) carry no server code.
            return e.getErrorCode() > 0 ? Answer.ALIVE : Answer.SILENT;
        }
    }

    private Connection connect(LocalNode node) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + node.port() + "/?"
                + cluster.driverParameters("mariadb") + "connectTimeout=1000&socketTimeout=1000", cluster.adminUser(),
                cluster.adminPassword());
    }

    private void execute(LocalNode node, String sql) {
        try (Connection c = connect(node); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("on " + node.name() + ": " + e.getMessage(), e);
        }
    }
}
