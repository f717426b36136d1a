package dev.haven.samples.drill;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The drill's default environment: a fresh local cluster (1 primary, 2 replicas, semi-sync), the scenario's fault
 * {@value DrillRun#FAULT_AT_MILLIS} ms in, the orchestrator's promotion when the scenario loses the primary (not in
 * Haven's promote mode: Haven promotes), and two samplers asking every node {@code SELECT @@read_only} every
 * {@value DrillRun#SAMPLE_MILLIS} ms: one through the node's proxy, the network path the application has
 * ({@code maxWritableNodes}: writable nodes a client could reach at once), one straight at the server (a node seen
 * read-only, then writable, is a promotion, whoever made it).
 */
final class LocalClusterEnvironment implements DrillEnvironment {

    private final Scenario scenario;
    private final Client client;
    private final DrillOptions options;
    private LocalCluster cluster;
    private LocalNode oldPrimary;
    private LocalNode finalPrimary;

    LocalClusterEnvironment(Scenario scenario, Client client, DrillOptions options) {
        this.scenario = scenario;
        this.client = client;
        this.options = options;
    }

    @Override
    public void prepare() throws Exception {
        LocalCluster.Builder builder = LocalCluster.builder().replicas(2);
        if (scenario.replicationThroughProxy()) {
            builder.replicationThroughProxy(true);
        }
        cluster = builder.start();
        try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE drill (id BIGINT PRIMARY KEY, at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3))");
            s.execute("CREATE TABLE drill_counter (k INT PRIMARY KEY, n BIGINT NOT NULL)");
            s.execute("INSERT INTO drill_counter VALUES (0, 0)");
        }
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
        oldPrimary = cluster.primary();
    }

    @Override
    public String runId() {
        return null; // a fresh cluster: the table is this run's
    }

    @Override
    public int buckets() {
        return 1200; // two minutes: runs last about ten seconds, plus the wind-down
    }

    @Override
    public long faultExpectedAt() {
        return DrillRun.FAULT_AT_MILLIS;
    }

    @Override
    public Client.Target open() throws Exception {
        return client.open(cluster, options);
    }

    @Override
    public List<Thread> samplers(DrillRun run) {
        return List.of(sampler(run, "drill-sampler-app", true), sampler(run, "drill-sampler-direct", false));
    }

    @Override
    public boolean writableSampled() {
        return true;
    }

    /** Injects the fault, plays the orchestrator, and returns once the run lasted long enough. */
    @Override
    public void act(DrillRun run, Client.Target target) throws Exception {
        run.sleepUntil(DrillRun.FAULT_AT_MILLIS);
        long faultAt = run.millis();
        run.faultAt(faultAt);
        long lastAction = faultAt;
        switch (scenario) {
            case KILL_PRIMARY -> cluster.kill(oldPrimary);
            case FREEZE_PRIMARY -> cluster.freeze(oldPrimary);
            case PARTITION_PRIMARY, PARTITION_APP_ONLY -> cluster.partition(oldPrimary);
            case KILL_REPLICA -> cluster.kill(cluster.replica(1));
            case LAG_REPLICA -> cluster.delayReplication(cluster.replica(1), DrillRun.LAG_SECONDS);
            case SWITCHOVER, MANUAL -> { } // switchover: below, it is the fault and the promotion at once
        }
        run.mark(faultAt, "fault", "fault: " + describeFault());
        switch (scenario) {
            case SWITCHOVER -> {
                Duration pause = target.haven().switchover(cluster.replica(0).hostAndPort());
                lastAction = run.millis();
                run.mark(lastAction, "note", "switchover done, writes held back " + pause.toMillis() + " ms");
            }
            case PARTITION_APP_ONLY -> {
                run.sleepUntil(faultAt + options.healAfterMillis());
                cluster.heal(oldPrimary);
                lastAction = run.millis();
                run.mark(lastAction, "heal", "heal: " + oldPrimary.name() + " reachable again");
            }
            case LAG_REPLICA -> lastAction = faultAt + DrillRun.LAG_SECONDS * 1000L;
            default -> { }
        }
        if (scenario.primaryLost && !(client == Client.HAVEN && options.promote())) {
            // The external orchestrator that Haven follows in observe mode, and that the peers rely on.
            run.sleepUntil(faultAt + options.promoteAfterMillis());
            run.mark(run.millis(), "orchestrator", "orchestrator: promoting the most advanced replica");
            LocalNode promoted = cluster.promoteMostAdvanced();
            lastAction = run.millis();
            run.mark(lastAction, "note", "orchestrator: promoted " + promoted.name());
        }
        run.sleepUntil(Math.max(DrillRun.MIN_RUN_MILLIS, lastAction + DrillRun.SETTLE_MILLIS));
    }

    private String describeFault() {
        return switch (scenario) {
            case KILL_PRIMARY -> "SIGKILL " + oldPrimary.name() + " (primary)";
            case FREEZE_PRIMARY -> "SIGSTOP " + oldPrimary.name() + " (primary)";
            case PARTITION_PRIMARY -> oldPrimary.name() + " (primary) cut off from the application and the replicas";
            case PARTITION_APP_ONLY -> oldPrimary.name() + " (primary) cut off from the application only";
            case KILL_REPLICA -> "SIGKILL " + cluster.replica(1).name() + " (replica)";
            case LAG_REPLICA -> cluster.replica(1).name() + " (replica) applies " + DrillRun.LAG_SECONDS + " s late";
            case SWITCHOVER -> "switchover to " + cluster.replica(0).name();
            case MANUAL -> "none injected";
            case RANDOM -> "a random schedule (run by RandomScenario, not here)";
        };
    }

    /** The old primary disposed of when it was replaced; this run's rows read on the final primary. */
    @Override
    public Set<Long> storedIds(DrillRun run) {
        List<LocalNode> writable = writableNodes();
        boolean replaced = writable.stream().anyMatch(n -> n != oldPrimary);
        if (scenario == Scenario.FREEZE_PRIMARY || scenario == Scenario.PARTITION_PRIMARY) {
            if (replaced) {
                cluster.kill(oldPrimary); // never let back a demoted primary that nobody fenced
            } else {
                cluster.thaw(oldPrimary); // nobody replaced it: it is still the primary
                cluster.heal(oldPrimary);
            }
            writable = writableNodes();
        }
        LocalNode finalPrimary = null;
        if (writable.size() == 1) {
            finalPrimary = writable.get(0);
        } else if (writable.size() > 1) {
            finalPrimary = writable.contains(cluster.primary()) ? cluster.primary() : writable.get(0);
            run.out().printf(Locale.ROOT, "   %d nodes are writable at the end (%s); acknowledged writes checked on"
                    + " %s%n", writable.size(), names(writable), finalPrimary.name());
        } else {
            run.out().println("   no node is writable at the end: acknowledged writes cannot be checked");
        }
        this.finalPrimary = finalPrimary;
        if (finalPrimary == null) {
            return null;
        }
        Set<Long> stored = new HashSet<>();
        try (Connection c = cluster.adminConnection(finalPrimary); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM app.drill")) {
            while (rs.next()) {
                stored.add(rs.getLong(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the writes back from " + finalPrimary.name(), e);
        }
        return stored;
    }

    @Override
    public boolean counter() {
        return true;
    }

    @Override
    public Long storedCounter() {
        if (finalPrimary == null) {
            return null;
        }
        try (Connection c = cluster.adminConnection(finalPrimary); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT n FROM app.drill_counter WHERE k = 0")) {
            return rs.next() ? rs.getLong(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the counter back from " + finalPrimary.name(), e);
        }
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * Asks each node {@code SELECT @@read_only} every {@value DrillRun#SAMPLE_MILLIS} ms over a kept connection with
     * 300 ms timeouts: through its proxy ({@code viaApplicationPath}, counting writable nodes), or straight at the
     * server (counting promotions: a node seen read-only, then writable).
     */
    private Thread sampler(DrillRun run, String name, boolean viaApplicationPath) {
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
                        run.promotion("promotion: " + node.name() + " is writable");
                    }
                    last[i] = w;
                }
            }
            if (viaApplicationPath) {
                run.writableNodes(writable);
            }
        };
        return DrillRun.samplerThread(run, name, pass, probes);
    }

    /** Nodes answering {@code read_only = 0} straight at the server now (frozen or dead ones are not asked). */
    private List<LocalNode> writableNodes() {
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

    private static String names(List<LocalNode> nodes) {
        return String.join(", ", nodes.stream().map(LocalNode::name).toList());
    }
}
