package dev.haven.testkit.campaign;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A randomized fault campaign run, in the spirit of Jepsen: a fresh {@link LocalCluster}, a workload through the
 * client under test, a {@link Schedule} of faults drawn from a seed, a final heal and a quiet period, then an
 * independent {@link Checker} over what the application saw and what the servers hold.
 *
 * <pre>{@code
 * CampaignResult r = Campaign.builder().mix(FaultMix.FULL).build().run(42, (cluster, clock) -> myClient(cluster));
 * if (!r.passed()) System.out.println(r.describe());
 * }</pre>
 *
 * <p>The server family is the {@link LocalCluster.Builder}'s ({@code LocalCluster.Builder.server}, by default the
 * {@code haven.server} system property, which the drill's {@code --server} sets); {@link Builder#cluster} may set
 * it or anything else about the cluster.
 */
public final class Campaign {

    /** How long after close() returned the client's threads may take to end, in all. */
    static final long THREAD_EXIT_GRACE_MILLIS = 200;

    private final Builder settings;

    private Campaign(Builder settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    public FaultMix mix() {
        return settings.mix;
    }

    public Schedule.Settings scheduleSettings() {
        return settings.schedule;
    }

    /** The schedule seed {@code seed} gives with these settings, without running it. */
    public Schedule schedule(long seed) {
        return Schedule.generate(seed, settings.mix, settings.schedule);
    }

    /** Runs the schedule of {@code seed} against a fresh cluster and checks it. */
    public CampaignResult run(long seed, CampaignClient.Factory clients) throws Exception {
        Schedule schedule = schedule(seed);
        PrintStream out = settings.out;
        out.print(schedule.describe());
        LocalCluster.Builder builder = LocalCluster.builder().replicas(settings.replicas)
                .replicationThroughProxy(schedule.replicationThroughProxy());
        settings.cluster.accept(builder);
        try (LocalCluster cluster = builder.start()) {
            createTables(cluster);
            Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
            CampaignClock clock = new CampaignClock();
            CampaignClient client = clients.open(cluster, clock);
            Bounds bounds = client.bounds();
            Workload workload = new Workload(client.dataSources(), clock, seed, bounds.maxStalenessMillis(),
                    settings.readYourWrites);
            WritableSampler sampler = new WritableSampler(cluster, clock);
            Faults faults = new Faults(cluster, clock);
            Orchestrator orchestrator = settings.orchestratorAfterMillis > 0
                    ? new Orchestrator(cluster, clock, settings.orchestratorAfterMillis) : null;
            List<Operation> operations;
            long end;
            CloseReport closeReport = null;
            try {
                sampler.start();
                workload.start(settings.writers, settings.readers);
                if (orchestrator != null) {
                    orchestrator.start();
                }
                faults.start(schedule);
                clock.sleepUntil(schedule.healAtMillis());
                faults.awaitFaults(120_000); // a restart may take a while on a busy machine
                faults.healAll();
                clock.sleepUntil(Math.max(schedule.endMillis(), clock.millis() + settings.schedule.quietMillis()));
                end = clock.millis();
                operations = workload.stop(bounds.maxOperationMillis() + 1000);
                sampler.stop();
            } finally {
                if (orchestrator != null) {
                    orchestrator.stop(); // its promotion's helper threads are not the client's
                }
                long closeStart = System.nanoTime();
                client.close();
                long closeMillis = (System.nanoTime() - closeStart) / 1_000_000;
                // A thread that is past its last statement but not yet gone is given THREAD_EXIT_GRACE_MILLIS
                // in all: a leaked or still-working thread is alive much longer than that.
                List<String> alive = new ArrayList<>();
                long graceEnd = System.nanoTime() + THREAD_EXIT_GRACE_MILLIS * 1_000_000;
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (t.isAlive() && !before.contains(t) && client.ownsThread(t)) {
                        t.join(Math.max(1, (graceEnd - System.nanoTime()) / 1_000_000));
                        if (t.isAlive()) {
                            alive.add(t.getName() + " (" + t.getState() + ")");
                        }
                    }
                }
                Collections.sort(alive);
                CampaignClock.sleep(1000); // an event delivered late is late by more than this, or not at all
                closeReport = new CloseReport(closeMillis, alive, client.eventsAfterClose());
            }
            List<NodeSnapshot> nodes = snapshots(cluster, clock);
            Checker.Result checked = Checker.check(new Checker.Input(operations, sampler.samples(), nodes, closeReport,
                    bounds, end));
            CampaignResult result = new CampaignResult(settings.serverFamily != null ? settings.serverFamily
                    : cluster.server().id(), schedule, bounds, operations,
                    sampler.samples(), clock.events(), nodes, closeReport, checked, end);
            out.println(result.summary());
            if (!result.passed()) {
                out.print(result.describe());
            }
            return result;
        }
    }

    private static void createTables(LocalCluster cluster) throws SQLException {
        try (Connection c = cluster.adminConnection(cluster.primary()); Statement s = c.createStatement()) {
            // No key on id: a write applied twice shows as two rows instead of failing on a duplicate key.
            s.execute("CREATE TABLE " + cluster.database() + "." + Workload.ROWS + " (seq BIGINT AUTO_INCREMENT"
                    + " PRIMARY KEY, id BIGINT NOT NULL, worker INT NOT NULL, KEY (id))");
            s.execute("CREATE TABLE " + cluster.database() + "." + Workload.COUNTER
                    + " (k INT PRIMARY KEY, n BIGINT NOT NULL)");
            for (int k = 0; k < Workload.COUNTER_KEYS; k++) {
                s.execute("INSERT INTO " + cluster.database() + "." + Workload.COUNTER + " VALUES (" + k + ", 0)");
            }
        }
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(30));
    }

    /** Every running node's contents, straight from the server with plain vendor JDBC. */
    private static List<NodeSnapshot> snapshots(LocalCluster cluster, CampaignClock clock) {
        List<NodeSnapshot> nodes = new ArrayList<>();
        for (LocalNode node : cluster.nodes()) {
            if (!node.isRunning() || node.isFrozen()) {
                clock.note("note", node.name() + " is not running at the end: not checked");
                continue;
            }
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + node.serverPort()
                    + "/?" + cluster.driverParameters("mariadb") + "connectTimeout=3000&socketTimeout=30000", cluster.adminUser(), cluster.adminPassword());
                 Statement s = c.createStatement()) {
                boolean readOnly;
                try (ResultSet rs = s.executeQuery("SELECT @@read_only")) {
                    rs.next();
                    readOnly = rs.getInt(1) != 0;
                }
                Map<Long, Integer> rows = new HashMap<>();
                try (ResultSet rs = s.executeQuery("SELECT id, COUNT(*) FROM " + cluster.database() + "."
                        + Workload.ROWS + " GROUP BY id")) {
                    while (rs.next()) {
                        rows.put(rs.getLong(1), rs.getInt(2));
                    }
                }
                Map<Integer, Long> counters = new HashMap<>();
                try (ResultSet rs = s.executeQuery("SELECT k, n FROM " + cluster.database() + "." + Workload.COUNTER)) {
                    while (rs.next()) {
                        counters.put(rs.getInt(1), rs.getLong(2));
                    }
                }
                nodes.add(new NodeSnapshot(node.name(), readOnly, rows, counters));
            } catch (SQLException e) {
                clock.note("note", node.name() + " cannot be read at the end: " + e.getMessage());
            }
        }
        return nodes;
    }

    /** Settings of a campaign; every setter checks its argument at once. */
    public static final class Builder {
        private FaultMix mix = FaultMix.FULL;
        private Schedule.Settings schedule = Schedule.Settings.DEFAULT;
        private int writers = 4;
        private int readers = 4;
        private int replicas = 2;
        private boolean readYourWrites;
        private Consumer<LocalCluster.Builder> cluster = b -> { };
        private String serverFamily;
        private PrintStream out = System.out;
        private long orchestratorAfterMillis;

        private Builder() {
        }

        public Builder mix(FaultMix mix) {
            this.mix = java.util.Objects.requireNonNull(mix, "mix");
            return this;
        }

        public Builder schedule(Schedule.Settings schedule) {
            this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /** Writer threads (inserts, transactions, counter increments); default 4. */
        public Builder writers(int writers) {
            if (writers < 1 || writers > 64) {
                throw new IllegalArgumentException("writers must be between 1 and 64, was " + writers);
            }
            this.writers = writers;
            return this;
        }

        /** Reader threads (read-only look-ups); default 4. */
        public Builder readers(int readers) {
            if (readers < 0 || readers > 64) {
                throw new IllegalArgumentException("readers must be between 0 and 64, was " + readers);
            }
            this.readers = readers;
            return this;
        }

        /** Replicas of the cluster; default 2. */
        public Builder replicas(int replicas) {
            if (replicas < 1) {
                throw new IllegalArgumentException("replicas must be at least 1, was " + replicas);
            }
            this.replicas = replicas;
            return this;
        }

        /** Whether writers also do read-your-write pairs (checked when the client's bounds promise it). */
        public Builder readYourWrites(boolean on) {
            this.readYourWrites = on;
            return this;
        }

        /**
         * Anything else about the cluster, e.g. its server family once the test kit has several, or server
         * options; applied after the campaign's own settings (replicas, replication through the proxies).
         */
        public Builder cluster(Consumer<LocalCluster.Builder> customizer) {
            this.cluster = java.util.Objects.requireNonNull(customizer, "cluster");
            return this;
        }

        /** The server family's name in reports; default the cluster's own ({@code LocalCluster.server()}). */
        public Builder serverFamily(String family) {
            this.serverFamily = java.util.Objects.requireNonNull(family, "serverFamily");
            return this;
        }

        /**
         * Plays an external orchestrator (for a client in observe mode, which follows promotions and makes none):
         * a primary silent for {@code deadAfter} is powered off and the most advanced replica promoted; see
         * {@link Orchestrator}. None by default: the client under test must replace a lost primary itself.
         */
        public Builder orchestrator(Duration deadAfter) {
            if (deadAfter.isNegative() || deadAfter.isZero() || deadAfter.toMillis() > 60_000) {
                throw new IllegalArgumentException("orchestrator: a primary is declared dead after 1 ms to 60 s of"
                        + " silence, was " + deadAfter.toMillis() + " ms");
            }
            this.orchestratorAfterMillis = deadAfter.toMillis();
            return this;
        }

        /** Where schedules, summaries and violations are printed; default System.out. */
        public Builder out(PrintStream out) {
            this.out = java.util.Objects.requireNonNull(out, "out");
            return this;
        }

        public Campaign build() {
            return new Campaign(this);
        }
    }
}
