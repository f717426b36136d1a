package dev.haven.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.ClusterState;
import dev.haven.core.Health;
import dev.haven.core.HavenConfig;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.NodeConnector;
import dev.haven.core.Role;
import dev.haven.core.Topology;
import dev.haven.core.internal.discovery.ReplicationDiscovery;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The monitor on a real cluster: discovery from one seed, and each fault detected by the detector's rules. The
 * external promotion runs last because it changes the cluster for good.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthMonitorIT {

    static final Duration PROBE_INTERVAL = Duration.ofMillis(200);
    static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
    static final Duration DEAD_AFTER = Duration.ofMillis(1500);
    static final Duration MAX_LAG = Duration.ofSeconds(2);
    /** Slack for a loaded 2-core machine: thread scheduling, GC, the servers' own CPU. */
    static final Duration SLACK = Duration.ofSeconds(2);

    static LocalCluster cluster;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.builder().replicas(2).start();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @BeforeEach
    void heal() {
        cluster.healAll();
    }

    @AfterEach
    void closeMonitors() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    static NodeAddress address(LocalNode node) {
        return NodeAddress.of(node.host(), node.port());
    }

    static NodeConnector connector() {
        return (node, connectTimeout, socketTimeout) -> DriverManager.getConnection(
                "jdbc:mariadb://" + node.host() + ":" + node.port() + "/?" + cluster.driverParameters("mariadb") + "connectTimeout=" + connectTimeout.toMillis()
                        + "&socketTimeout=" + socketTimeout.toMillis(), cluster.appUser(), cluster.appPassword());
    }

    /** Starts a monitor of every node of the cluster (closed after the test) and returns its state. */
    private ClusterState startMonitorOfEveryNode(Duration interval, Duration suspectAfter, Duration deadAfter) {
        List<NodeAddress> seeds = new ArrayList<>();
        for (LocalNode node : cluster.nodes()) {
            seeds.add(address(node));
        }
        HavenConfig config = HavenConfig.builder().seeds(seeds).probeInterval(interval).connectTimeout(PROBE_TIMEOUT)
                .probeTimeout(PROBE_TIMEOUT).suspectAfter(suspectAfter).deadAfter(deadAfter)
                .initialGrace(Duration.ofMillis(500)).build();
        ClusterState state = new ClusterState(config);
        HealthMonitor monitor = new HealthMonitor(config, new ReplicationDiscovery(), connector(), state,
                System::nanoTime);
        closeAfter.add(monitor);
        monitor.start();
        return state;
    }

    static HavenConfig config(NodeAddress... seeds) {
        return HavenConfig.builder()
                .seeds(List.of(seeds))
                .probeInterval(PROBE_INTERVAL)
                .connectTimeout(PROBE_TIMEOUT)
                .probeTimeout(PROBE_TIMEOUT)
                .suspectAfter(Duration.ofMillis(400))
                .deadAfter(DEAD_AFTER)
                .initialGrace(Duration.ofMillis(500))
                .recoverAfter(2)
                .maxReplicaLag(MAX_LAG)
                .lagHysteresis(Duration.ofSeconds(1))
                .build();
    }

    private ClusterState monitor(NodeAddress... seeds) {
        HavenConfig config = config(seeds);
        ClusterState state = new ClusterState(config);
        HealthMonitor monitor = new HealthMonitor(config, new ReplicationDiscovery(), connector(), state, System::nanoTime);
        closeAfter.add(monitor);
        monitor.start();
        return state;
    }

    private ClusterState monitorAll() {
        List<NodeAddress> seeds = new ArrayList<>();
        for (LocalNode node : cluster.nodes()) {
            seeds.add(address(node));
        }
        return monitor(seeds.toArray(new NodeAddress[0]));
    }

    /** Waits for a condition on the published topology; returns how long it took. */
    static Duration await(ClusterState state, Duration timeout, String what, Predicate<Topology> condition)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (!condition.test(state.current())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what + "; topology: " + state.current());
            }
            Thread.sleep(10);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    static Predicate<Topology> health(NodeAddress address, Health health) {
        return t -> t.node(address) != null && t.node(address).health() == health;
    }

    static boolean readable(Topology t, NodeAddress address) {
        for (Node n : t.readReplicas()) {
            if (n.address().equals(address)) {
                return true;
            }
        }
        return false;
    }

    private static boolean allUpAndReadable(Topology t, int replicas) {
        return t.primary() != null && t.readReplicas().size() == replicas;
    }

    @Test
    @Order(1)
    void discoveryFromThePrimaryAloneFindsEveryNodeWithItsRole() throws Exception {
        ClusterState state = monitor(address(cluster.primary()));

        await(state, SLACK, "primary and two readable replicas", t -> allUpAndReadable(t, 2));

        Topology t = state.current();
        assertThat(t.nodes()).hasSize(3);
        assertThat(t.primary().address()).isEqualTo(address(cluster.primary()));
        assertThat(t.primary().serverId()).isEqualTo(cluster.primary().serverId());
        for (LocalNode replica : cluster.replicas()) {
            Node node = t.node(address(replica));
            assertThat(node.role()).isEqualTo(Role.REPLICA);
            assertThat(node.serverId()).isEqualTo(replica.serverId());
            assertThat(node.health()).isEqualTo(Health.UP);
            assertThat(node.eligibleForReads()).isTrue();
        }
    }

    @Test
    @Order(1)
    void promotionAndZonesNamingANodeOutsideTheDiscoveredClusterAreWarnedAboutOnce() throws Exception {
        NodeAddress replica = address(cluster.replica(0));
        NodeAddress stranger = NodeAddress.of("127.0.0.1", 1);
        HavenConfig config = HavenConfig.builder().seeds(List.of(address(cluster.primary())))
                .probeInterval(PROBE_INTERVAL).connectTimeout(PROBE_TIMEOUT).probeTimeout(PROBE_TIMEOUT)
                .suspectAfter(Duration.ofMillis(400)).deadAfter(DEAD_AFTER).initialGrace(Duration.ofMillis(500))
                .promotion(java.util.Map.of(stranger, dev.haven.core.PromotionRule.PREFER,
                        replica, dev.haven.core.PromotionRule.NEVER)) // the replica is found from the primary
                .zones(java.util.Map.of(stranger, "eu-1")).build();
        ClusterState state = new ClusterState(config);
        List<dev.haven.core.HavenEvent> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        state.addListener(e -> {
            if (e.type() == dev.haven.core.HavenEvent.Type.CONFIGURATION_WARNING) {
                warnings.add(e);
            }
        });
        HealthMonitor monitor = new HealthMonitor(config, new ReplicationDiscovery(), connector(), state,
                System::nanoTime);
        closeAfter.add(monitor);
        monitor.start();
        await(state, SLACK, "primary and two readable replicas", t -> allUpAndReadable(t, 2));
        long deadline = System.nanoTime() + SLACK.plusSeconds(2).toNanos();
        while (warnings.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(1000); // more ticks: still once each
        assertThat(warnings).extracting(dev.haven.core.HavenEvent::message).hasSize(2)
                .anySatisfy(m -> assertThat(m).contains("ha.promotion names 127.0.0.1:1,"))
                .anySatisfy(m -> assertThat(m).contains("ha.zones names 127.0.0.1:1,"));
        assertThat(warnings).allSatisfy(e -> assertThat(e.address()).isEqualTo(stranger));
    }

    @Test
    @Order(2)
    void discoveryFromAReplicaAloneFindsEveryNodeWithItsRole() throws Exception {
        LocalNode seed = cluster.replica(0);
        ClusterState state = monitor(address(seed));

        await(state, SLACK, "primary and two readable replicas", t -> allUpAndReadable(t, 2));

        Topology t = state.current();
        assertThat(t.nodes()).hasSize(3);
        // The replica names its source by the address it replicates from: mariadbd's own port here.
        assertThat(t.primary().address()).isEqualTo(NodeAddress.of("127.0.0.1", cluster.primary().serverPort()));
        assertThat(t.primary().serverId()).isEqualTo(cluster.primary().serverId());
        assertThat(t.node(address(seed)).role()).isEqualTo(Role.REPLICA);
        assertThat(t.node(address(cluster.replica(1))).role()).isEqualTo(Role.REPLICA);
    }

    @Test
    @Order(3)
    void aKilledReplicaIsDownWithinDeadAfterAndRejoinsAfterRestart() throws Exception {
        ClusterState state = monitorAll();
        LocalNode replica = cluster.replica(0);
        NodeAddress address = address(replica);
        await(state, SLACK, "all up", t -> allUpAndReadable(t, 2));

        cluster.kill(replica);
        Duration took = await(state, DEAD_AFTER.plus(PROBE_INTERVAL).plus(SLACK), "killed replica DOWN",
                health(address, Health.DOWN));
        assertThat(readable(state.current(), address)).isFalse();
        assertThat(took).isGreaterThanOrEqualTo(Duration.ZERO);

        cluster.restart(replica);
        await(state, SLACK.plus(PROBE_INTERVAL.multipliedBy(3)), "restarted replica UP and readable",
                t -> health(address, Health.UP).test(t) && readable(t, address));
    }

    /**
     * A node in doubt is probed four times as often until it is DOWN, so a killed node that no application
     * traffic reaches is DOWN two quarter intervals after its first refused probe, long before {@code ha.deadAfter}.
     * Before, the rule that spaces out a probe that overran measured every probe against the whole interval, so
     * the quarter-interval retries were never made: the refusals came one interval apart (4 s here).
     */
    @Test
    @Order(3)
    void aKilledNodeNobodyUsesIsDownTwoQuarterIntervalsAfterItsFirstRefusedProbe() throws Exception {
        Duration interval = Duration.ofSeconds(2);
        ClusterState state = startMonitorOfEveryNode(interval, Duration.ofSeconds(5), Duration.ofSeconds(30));
        LocalNode replica = cluster.replica(1);
        NodeAddress address = address(replica);
        await(state, SLACK.plus(interval), "all up", t -> allUpAndReadable(t, 2));

        cluster.kill(replica);
        await(state, interval.plus(SLACK), "the killed replica SUSPECT (its first refused probe)",
                health(address, Health.SUSPECT));
        Duration took = await(state, interval.multipliedBy(3).plus(SLACK), "the killed replica DOWN",
                health(address, Health.DOWN));
        assertThat(took).as("from the first refused probe to DOWN (%d refusals), with probes every %s",
                FailureDetector.REFUSED_TO_DOWN, interval).isLessThan(interval);

        cluster.restart(replica);
        await(state, SLACK.plus(interval.multipliedBy(3)), "restarted replica UP and readable",
                t -> health(address, Health.UP).test(t) && readable(t, address));
    }

    @Test
    @Order(4)
    void aFrozenPrimaryIsDownWithinDeadAfterPlusTheProbeTimeoutAndThawBringsItBack() throws Exception {
        ClusterState state = monitorAll();
        LocalNode primary = cluster.primary();
        NodeAddress address = address(primary);
        await(state, SLACK, "all up", t -> allUpAndReadable(t, 2));

        long trustedBefore = state.statsFor(address).doubt();
        assertThat(trustedBefore % 2).as("a healthy primary is trusted (NodeStats.doubt even)").isZero();
        List<Long> replicasBefore = new ArrayList<>();
        for (LocalNode replica : cluster.replicas()) {
            replicasBefore.add(state.statsFor(address(replica)).doubt());
        }

        cluster.freeze(primary);
        await(state, DEAD_AFTER.plus(PROBE_TIMEOUT).plus(SLACK), "frozen primary DOWN", health(address, Health.DOWN));
        assertThat(state.current().primary()).isNull();
        assertThat(state.statsFor(address).doubt()).as("the frozen primary is in doubt").isEqualTo(trustedBefore + 1);

        cluster.thaw(primary);
        await(state, PROBE_TIMEOUT.plus(PROBE_INTERVAL.multipliedBy(3)).plus(SLACK), "thawed primary UP",
                t -> t.primary() != null && t.primary().address().equals(address));
        // Trusted again only once the other nodes were probed after it came back; never while it was down.
        await(state, PROBE_TIMEOUT.plus(PROBE_INTERVAL.multipliedBy(3)).plus(SLACK), "thawed primary trusted",
                t -> state.statsFor(address).doubt() == trustedBefore + 2);
        List<Long> replicasAfter = new ArrayList<>();
        for (LocalNode replica : cluster.replicas()) {
            replicasAfter.add(state.statsFor(address(replica)).doubt());
        }
        assertThat(replicasAfter).as("the replicas, answering throughout, were never in doubt")
                .isEqualTo(replicasBefore);
    }

    /**
     * While the primary is in doubt its replicas are probed four times per interval: whether they still hear from
     * it is what a promotion waits for, and a link counts as lost only once probes saw it stand still long enough.
     * Counted by a replica's own {@code Questions} (one statement per steady probe), over 2 s before the freeze and
     * 2 s while the primary is frozen, from one interval after it is in doubt; before, the same rate both times.
     */
    @Test
    @Order(4)
    void theReplicasOfAPrimaryInDoubtAreProbedFourTimesAsOften() throws Exception {
        Duration interval = Duration.ofSeconds(1);
        ClusterState state = startMonitorOfEveryNode(interval, interval, Duration.ofSeconds(20));
        LocalNode primary = cluster.primary();
        LocalNode replica = cluster.replica(0);
        await(state, SLACK.plus(interval), "all up", t -> allUpAndReadable(t, 2));
        Thread.sleep(1500); // steady probes on every connection
        try (Connection counter = cluster.adminConnection(replica)) {
            long steady = statementsOver(counter, Duration.ofSeconds(2));
            cluster.freeze(primary);
            try {
                await(state, interval.plus(SLACK), "the frozen primary in doubt",
                        t -> t.node(address(primary)).health() != Health.UP);
                // A replica's next probe was planned a whole interval out before the doubt began.
                Thread.sleep(interval.toMillis());
                long inDoubt = statementsOver(counter, Duration.ofSeconds(2));
                System.out.println("HealthMonitorIT: a replica got " + steady + " statements in 2 s with the primary"
                        + " UP, " + inDoubt + " with it in doubt");
                // Four probes per interval over two intervals; without the rule, one per interval and the probes
                // that doubt asks for at once came to 6.
                assertThat(inDoubt).as("statements to a replica in 2 s while the primary is in doubt (%d before)",
                        steady).isGreaterThanOrEqualTo(8);
            } finally {
                cluster.thaw(primary);
            }
        }
        await(state, SLACK.plus(interval.multipliedBy(3)), "the thawed primary UP", t -> allUpAndReadable(t, 2));
    }

    /** How many statements the server of {@code counter} ran in {@code window}, less the two counting ones. */
    private static long statementsOver(Connection counter, Duration window) throws Exception {
        long before = questions(counter);
        Thread.sleep(window.toMillis());
        return questions(counter) - before - 1;
    }

    private static long questions(Connection c) throws java.sql.SQLException {
        try (java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Questions'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    @Test
    @Order(5)
    void aPartitionedNodeIsDetectedLikeAFrozenOne() throws Exception {
        ClusterState state = monitorAll();
        LocalNode replica = cluster.replica(1);
        NodeAddress address = address(replica);
        await(state, SLACK, "all up", t -> allUpAndReadable(t, 2));

        cluster.partition(replica);
        await(state, DEAD_AFTER.plus(PROBE_TIMEOUT).plus(SLACK), "partitioned replica DOWN",
                health(address, Health.DOWN));

        cluster.heal(replica);
        await(state, PROBE_TIMEOUT.plus(PROBE_INTERVAL.multipliedBy(3)).plus(SLACK), "healed replica readable",
                t -> readable(t, address));
    }

    @Test
    @Order(6)
    void aLaggingReplicaLeavesReadRoutingAndReturnsWhenCaughtUp() throws Exception {
        ClusterState state = monitorAll();
        LocalNode replica = cluster.replica(0);
        NodeAddress address = address(replica);
        await(state, SLACK, "all up", t -> allUpAndReadable(t, 2));
        try (Connection c = cluster.appConnection(cluster.primary())) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS lag_probe (id INT PRIMARY KEY, at TIMESTAMP(6))");
        }

        cluster.delayReplication(replica, 6);
        // Seconds_Behind_Master only grows while events arrive: keep writing.
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int i = 0;
        try (Connection c = cluster.appConnection(cluster.primary())) {
            // Until it is out of read routing FOR LAG: changing MASTER_DELAY restarts replication, and a probe in
            // that moment sees a replica that is briefly not replicating (unreadable, not lagging).
            while (readable(state.current(), address) || !state.current().node(address).lagging()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the delayed replica did not leave read routing for lag: "
                            + state.current());
                }
                c.createStatement().execute("REPLACE INTO lag_probe VALUES (" + (i++ % 10) + ", NOW(6))");
                Thread.sleep(100);
            }
        }
        Node lagging = state.current().node(address);
        assertThat(lagging.lagging()).isTrue();
        assertThat(lagging.lagMillis()).isGreaterThan(MAX_LAG.toMillis());

        cluster.delayReplication(replica, 0);
        await(state, Duration.ofSeconds(15), "caught-up replica readable again", t -> readable(t, address));
    }

    @Test
    @Order(7)
    void aStoppedReplicaIsNotEligibleButStaysUp() throws Exception {
        ClusterState state = monitorAll();
        LocalNode replica = cluster.replica(1);
        NodeAddress address = address(replica);
        await(state, SLACK, "all up", t -> allUpAndReadable(t, 2));

        cluster.stopReplication(replica);
        await(state, PROBE_INTERVAL.plus(SLACK), "stopped replica not readable", t -> !readable(t, address));
        Node node = state.current().node(address);
        assertThat(node.health()).isEqualTo(Health.UP);
        assertThat(node.replicating()).isFalse();

        cluster.startReplication(replica);
        await(state, PROBE_INTERVAL.plus(SLACK), "restarted replication readable", t -> readable(t, address));
    }

    @Test
    @Order(8)
    void closeStopsEveryThreadAndMonitoringConnection() throws Exception {
        HavenConfig config = config(address(cluster.primary()));
        ClusterState state = new ClusterState(config);
        HealthMonitor monitor = new HealthMonitor(config, new ReplicationDiscovery(), connector(), state, System::nanoTime);
        monitor.start();
        await(state, SLACK, "all up", t -> allUpAndReadable(t, 2));
        assertThat(havenThreads()).isNotEmpty();
        assertThat(appConnections()).isGreaterThanOrEqualTo(3);

        monitor.close();

        assertThat(havenThreads()).isEmpty();
        long deadline = System.nanoTime() + SLACK.toNanos();
        while (appConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // the server notices closed sockets asynchronously
        }
        assertThat(appConnections()).as("monitoring connections left open").isZero();
    }

    private static List<String> havenThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("haven-") && !t.getName().startsWith("haven-proxy")
                    && !t.getName().startsWith("haven-testkit")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    private static long appConnections() throws Exception {
        long total = 0;
        for (LocalNode node : cluster.nodes()) {
            try (Connection c = cluster.adminConnection(node);
                 java.sql.ResultSet rs = c.createStatement().executeQuery(
                         "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '" + cluster.appUser() + "'")) {
                rs.next();
                total += rs.getLong(1);
            }
        }
        return total;
    }

    /**
     * The first half of a promotion, as a promoter does it while the old primary is frozen: the replica stops
     * applying and is made writable, its channel still naming the old primary. Here the old primary is writable too
     * (as one that thawed before it was fenced) and the other replica still follows it, so it has more followers;
     * yet the promoted replica is the primary, even for a monitor that never saw it promoted.
     */
    @Test
    @Order(99)
    void aReplicaPromotedInPlaceOfAWritablePrimaryWinsAlthoughTheOtherReplicasStillFollowTheOldOne()
            throws Exception {
        ClusterState state = monitorAll();
        LocalNode oldPrimary = cluster.primary();
        LocalNode promoted = cluster.replica(0);
        await(state, SLACK, "all up", t -> allUpAndReadable(t, 2));
        boolean mysql = cluster.server().isMySql();
        try (Connection admin = cluster.adminConnection(promoted)) {
            admin.createStatement().execute(mysql ? "STOP REPLICA SQL_THREAD" : "STOP SLAVE SQL_THREAD");
            if (mysql) {
                admin.createStatement().execute("SET GLOBAL super_read_only = OFF");
            }
            admin.createStatement().execute("SET GLOBAL read_only = OFF");
        }
        try {
            await(state, PROBE_INTERVAL.multipliedBy(2).plus(SLACK), "the promoted replica is the primary",
                    t -> t.primary() != null && t.primary().address().equals(address(promoted)));
            assertThat(state.current().node(address(oldPrimary)).role()).isEqualTo(Role.UNKNOWN);
        } finally {
            try (Connection admin = cluster.adminConnection(promoted)) {
                admin.createStatement().execute(mysql ? "SET GLOBAL super_read_only = ON" : "SET GLOBAL read_only = ON");
                admin.createStatement().execute(mysql ? "START REPLICA SQL_THREAD" : "START SLAVE SQL_THREAD");
            }
        }
        await(state, PROBE_INTERVAL.multipliedBy(2).plus(SLACK), "the old primary again, the replica read-only",
                t -> t.primary() != null && t.primary().address().equals(address(oldPrimary)));
    }

    @Test
    @Order(100)
    void anExternalPromotionIsARoleChangeWithinOneProbeInterval() throws Exception {
        ClusterState state = monitorAll();
        LocalNode oldPrimary = cluster.primary();
        LocalNode chosen = cluster.replica(0);
        await(state, SLACK, "all up", t -> allUpAndReadable(t, 2));

        cluster.kill(oldPrimary);
        cluster.promote(chosen);
        long promotedAt = System.nanoTime();
        await(state, PROBE_INTERVAL.plus(SLACK), "promoted replica is the primary",
                t -> t.primary() != null && t.primary().address().equals(address(chosen)));
        Duration seen = Duration.ofNanos(System.nanoTime() - promotedAt);
        assertThat(state.current().node(address(cluster.replica(0))).role()).isEqualTo(Role.REPLICA);
        System.out.printf("external promotion seen after %d ms (probe interval %d ms)%n", seen.toMillis(),
                PROBE_INTERVAL.toMillis());
    }

    @Test
    @Order(101)
    void aReplicaRemovedFromTheClusterLeavesRoutingWithinOneProbeInterval() throws Exception {
        ClusterState state = monitorAll();
        LocalNode replica = cluster.replicas().get(0);
        NodeAddress address = address(replica);
        await(state, SLACK, "the replica readable", t -> readable(t, address));

        try (Connection admin = cluster.adminConnection(replica)) {
            admin.createStatement().execute("STOP SLAVE");
            admin.createStatement().execute("RESET SLAVE ALL"); // detached: read-only, replicating from nobody
        }
        await(state, PROBE_INTERVAL.plus(SLACK), "the detached replica out of routing",
                t -> !readable(t, address) && t.node(address).role() == Role.UNKNOWN);
    }
}
