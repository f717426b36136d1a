package dev.haven.samples.drill;

import dev.haven.core.HavenEvent;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.Topology;
import dev.haven.jdbc.HaDataSource;
import dev.haven.jdbc.internal.HaUrl;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The {@code --url} mode: a running cluster given by a {@code jdbc:ha:} URL. The workload goes through
 * {@link HaDataSource} with the URL as given (the operator chooses {@code ha.failover} and the rest in it); the
 * drill injects no fault: the operator does, by hand, while the drill runs for {@code --duration} seconds and prints
 * its progress.
 *
 * <ul>
 *   <li>The table: {@value #CREATE_TABLE}, through Haven (a read-write connection: the primary). This run's rows
 *       are those with its random {@code run_id}, and only they are checked at the end.</li>
 *   <li>Promotions: changes of the primary in Haven's topology, that is {@code ROLE_CHANGED} events to
 *       {@code PRIMARY} for a node other than the primary Haven knew, whoever promoted it (Haven in promote mode,
 *       an orchestrator, a person). The timeline marks them, and when Haven saw the primary go {@code DOWN}.</li>
 *   <li>{@code maxWritableNodes}: every node of Haven's topology and of the URL asked {@code SELECT @@read_only}
 *       every {@value DrillRun#SAMPLE_MILLIS} ms through the vendor driver, with the URL's vendor settings and
 *       300 ms timeouts, as {@code --admin-user} or else as the application's user; unavailable when no node
 *       ever answered.</li>
 *   <li>{@code lostAckedWrites}: this run's acknowledged ids looked up at the end through Haven, in a transaction on
 *       a read-write connection (the primary Haven knows then), which is checked to answer {@code read_only=0}.</li>
 * </ul>
 */
final class ExternalEnvironment implements DrillEnvironment {

    static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS drill (run_id VARCHAR(32) NOT NULL,"
            + " id BIGINT NOT NULL, at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), PRIMARY KEY (run_id, id))";
    /** For reports: what {@code promotions} counts in this mode. */
    static final String PROMOTED_BY = "whoever did; counted as changes of the primary seen by Haven";
    /** How long the setup waits for reads to work, and the final check for a primary. */
    static final long SETUP_TIMEOUT_MILLIS = 15_000;
    static final long FINAL_CHECK_TIMEOUT_MILLIS = 20_000;
    private static final int PROBE_TIMEOUT_MILLIS = 300;

    private final DrillOptions.External external;
    private final Passwords passwords;
    private final String runId;
    private final HaUrl probeUrl;
    private HaDataSource ds;
    private final HavenEvents events = new HavenEvents();
    /** {@code --set}: Haven settings over the URL's. */
    private Map<String, String> settings = Map.of();
    /** Armed once the workload starts: events before are not the run's. */
    private volatile DrillRun run;
    private volatile NodeAddress knownPrimary;
    private volatile boolean answered;
    private volatile String samplingProblem;

    /** With {@code --set} settings, over the URL's. */
    ExternalEnvironment(DrillOptions.External external, Passwords passwords, Map<String, String> settings) {
        this(external, passwords);
        this.settings = Map.copyOf(settings);
    }

    ExternalEnvironment(DrillOptions.External external, Passwords passwords) {
        this.external = external;
        this.passwords = passwords;
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        this.runId = HexFormat.of().formatHex(random);
        try {
            this.probeUrl = HaUrl.parse(external.url(), new Properties()).withVendorParameters(Map.of(
                    "connectTimeout", Integer.toString(PROBE_TIMEOUT_MILLIS),
                    "socketTimeout", Integer.toString(PROBE_TIMEOUT_MILLIS)));
        } catch (SQLException e) {
            throw new IllegalArgumentException("--url: " + e.getMessage(), e);
        }
    }

    @Override
    public void prepare() throws Exception {
        HaDataSource.Builder builder = HaDataSource.builder().url(external.url()).user(external.user())
                .password(passwords.password()).listener(this::onEvent).listener(events);
        settings.forEach(builder::setting);
        ds = builder.build();
        Topology topology = ds.topology();
        if (knownPrimary == null && topology.primary() != null) {
            knownPrimary = topology.primary().address();
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(CREATE_TABLE);
            try (ResultSet rs = s.executeQuery("SELECT run_id, id FROM drill WHERE 1 = 0")) {
                rs.next();
            } catch (SQLException e) {
                throw new IllegalStateException("the table drill exists but is not the drill's (run_id, id, at):"
                        + " drop it or point --url at another database (" + e.getMessage() + ")", e);
            }
        }
        awaitReads();
    }

    /** Until a few reads in a row work: the table reached the replicas Haven reads from. */
    private void awaitReads() {
        long deadline = System.nanoTime() + SETUP_TIMEOUT_MILLIS * 1_000_000;
        int inARow = 0;
        SQLException last = null;
        while (inARow < 2 * DrillRun.READERS) {
            try (Connection c = ds.getConnection()) {
                c.setReadOnly(true);
                try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM drill WHERE run_id = ?")) {
                    p.setString(1, runId);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                    }
                }
                inARow++;
            } catch (SQLException e) {
                last = e;
                inARow = 0;
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reads of the table drill still fail "
                            + SETUP_TIMEOUT_MILLIS + " ms after it was created: " + e.getMessage(), e);
                }
                DrillRun.sleep(DrillRun.BACKOFF_MILLIS);
            }
        }
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public int buckets() {
        return (int) ((external.durationSeconds() * 1000L + DrillRun.WIND_DOWN_MILLIS + 60_000)
                / DrillRun.BUCKET_MILLIS);
    }

    @Override
    public long faultExpectedAt() {
        return 0; // the operator's fault may come at any time: every failed write counts
    }

    @Override
    public Client.Target open() {
        // closed in close(), not here: the final check goes through it
        return new Client.Target(ds, ds, () -> { }, events);
    }

    @Override
    public List<Thread> samplers(DrillRun run) {
        this.run = run;
        Topology topology = topology();
        run.out().printf(Locale.ROOT, "   Haven sees %s; this run's rows: drill.run_id = '%s'; ha.failover=%s%n",
                describe(topology), runId, external.failover());
        return List.of(sampler(run));
    }

    @Override
    public void act(DrillRun run, Client.Target target) {
        run.sleepUntil(external.durationSeconds() * 1000L);
    }

    @Override
    public boolean writableSampled() {
        return answered;
    }

    @Override
    public Set<Long> storedIds(DrillRun run) {
        if (!answered) {
            run.out().println("   maxWritableNodes unavailable: no node answered SELECT @@read_only as "
                    + (external.adminUser() != null ? "--admin-user " + external.adminUser()
                    : "the application's user (give --admin-user and --admin-password-env)")
                    + (samplingProblem == null ? "" : ": " + samplingProblem));
        }
        long deadline = System.nanoTime() + FINAL_CHECK_TIMEOUT_MILLIS * 1_000_000;
        while (true) {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false); // a transaction on a read-write connection: the primary, whatever ha.routing
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@read_only")) {
                    rs.next();
                    if (rs.getInt(1) != 0) {
                        throw new SQLException("the node Haven sent the check to is read-only");
                    }
                }
                Set<Long> stored = new HashSet<>();
                try (PreparedStatement p = c.prepareStatement("SELECT id FROM drill WHERE run_id = ?")) {
                    p.setString(1, runId);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            stored.add(rs.getLong(1));
                        }
                    }
                }
                c.commit();
                Node primary = topology().primary();
                run.out().printf(Locale.ROOT, "   acknowledged writes checked through Haven on the primary%s%n",
                        primary == null ? "" : " " + primary.address());
                return stored;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    run.out().println("   no writable primary through Haven " + FINAL_CHECK_TIMEOUT_MILLIS
                            + " ms after the end: acknowledged writes cannot be checked (" + e.getMessage() + ")");
                    return null;
                }
                DrillRun.sleep(200);
            }
        }
    }

    @Override
    public void close() {
        if (ds != null) {
            ds.close();
        }
    }

    // ------------------------------------------------------------------------------------------ Haven's events

    private void onEvent(HavenEvent event) {
        DrillRun r = run;
        boolean armed = r != null && r.sampling();
        switch (event.type()) {
            case ROLE_CHANGED -> {
                if (!"PRIMARY".equals(event.newValue()) || event.address() == null) {
                    return;
                }
                NodeAddress before = knownPrimary;
                knownPrimary = event.address();
                if (armed && before != null && !before.equals(event.address())) {
                    r.promotion("Haven: new primary " + event.address() + " (was " + before + ")");
                } else if (armed) {
                    r.mark(r.millis(), "note", "Haven: primary " + event.address());
                }
            }
            case NODE_DOWN -> {
                if (armed && event.address() != null && event.address().equals(knownPrimary)) {
                    r.mark(r.millis(), "primary-down", "Haven: primary " + event.address() + " DOWN");
                }
            }
            case FAILOVER_STARTED, PROMOTED, FENCED, FAILOVER_REFUSED, FAILOVER_FINISHED -> {
                if (armed) {
                    r.mark(r.millis(), "note", "Haven: " + event.message());
                }
            }
            default -> { }
        }
    }

    // ------------------------------------------------------------------------------------------ sampling

    /** Asks every node Haven knows of, and every host of the URL, {@code SELECT @@read_only}. */
    private Thread sampler(DrillRun run) {
        Properties credentials = probeUrl.vendorProperties();
        credentials.putAll(external.adminUser() != null
                ? Probe.credentials(external.adminUser(), passwords.adminPassword())
                : Probe.credentials(external.user(), passwords.password()));
        Map<NodeAddress, Probe> probes = new LinkedHashMap<>();
        Runnable pass = () -> {
            List<NodeAddress> nodes = new ArrayList<>(probeUrl.hosts());
            for (Node n : topology().nodes()) {
                if (!nodes.contains(n.address())) {
                    nodes.add(n.address());
                }
            }
            int writable = 0;
            boolean any = false;
            for (NodeAddress node : nodes) {
                Probe probe = probes.computeIfAbsent(node, a -> new Probe(probeUrl.vendorUrl(a), credentials));
                Boolean w = probe.writable();
                if (w == null) {
                    if (probe.lastError() != null && !answered) {
                        samplingProblem = node + ": " + probe.lastError().getMessage();
                    }
                    continue;
                }
                any = true;
                if (w) {
                    writable++;
                }
            }
            if (any) {
                answered = true;
                run.writableNodes(writable);
            } else {
                run.writableUnknown();
            }
        };
        Thread t = new Thread(() -> {
            try {
                while (run.sampling()) {
                    pass.run();
                    DrillRun.sleep(DrillRun.SAMPLE_MILLIS);
                }
            } finally {
                probes.values().forEach(Probe::close);
            }
        }, "drill-sampler-url");
        t.setDaemon(true);
        return t;
    }

    private Topology topology() {
        try {
            return ds.topology();
        } catch (SQLException e) {
            throw new IllegalStateException("Haven's topology is not available", e);
        }
    }

    private static String describe(Topology topology) {
        List<String> replicas = new ArrayList<>();
        for (Node n : topology.nodes()) {
            if (n != topology.primary()) {
                replicas.add(n.address() + " " + n.role().name().toLowerCase(Locale.ROOT) + " "
                        + n.health().name());
            }
        }
        return "primary " + (topology.primary() == null ? "none" : topology.primary().address())
                + (replicas.isEmpty() ? "" : ", " + String.join(", ", replicas));
    }
}
