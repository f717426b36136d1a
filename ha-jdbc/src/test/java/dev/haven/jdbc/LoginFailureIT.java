package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.haven.core.Health;
import dev.haven.core.HavenEvent;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A wrong password fails the start at once with SQLState 28000, naming the user and the nodes and never the
 * password, for the application's login and for the monitor's own ({@code ha.admin.*}); a login refused by some
 * nodes only shows as events and keeps those nodes out of routing. Before, {@code build()} succeeded and every
 * statement, reads too, waited {@code ha.failover.timeout} for a {@code NoPrimaryException}.
 */
class LoginFailureIT {

    static final String WRONG = "wr0ng-pw-77";
    /** Far below ha.failover.timeout (15 s here): the start must not wait for a primary. */
    static final Duration FAST_FAIL = Duration.ofSeconds(5);

    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.builder().replicas(2).start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static String url(String extra) {
        return ExternalPromotionIT.url(cluster, "mariadb", "ha.failover.timeout=15s" + extra);
    }

    @Test
    void aWrongApplicationPasswordFailsTheStartNamingUserAndNodes() {
        assertFailsFast(() -> HaDataSource.builder().url(url("")).user(cluster.appUser()).password(WRONG).build(),
                cluster.appUser());
    }

    @Test
    void aWrongMonitorPasswordFailsTheStart() {
        assertFailsFast(() -> HaDataSource.builder().url(url("&ha.admin.user=" + cluster.adminUser()
                        + "&ha.admin.password=" + WRONG)).user(cluster.appUser()).password(cluster.appPassword()).build(),
                cluster.adminUser());
    }

    @Test
    void aWrongApplicationPasswordFailsTheStartWhenTheMonitorLogsInAsAdmin() {
        assertFailsFast(() -> HaDataSource.builder().url(url("&ha.admin.user=" + cluster.adminUser()
                + "&ha.admin.password=" + cluster.adminPassword())).user(cluster.appUser()).password(WRONG).build(),
                cluster.appUser());
    }

    @Test
    void aLoginRefusedByOneReplicaShowsInEventsAndHealthAndReadsGoElsewhere() throws Exception {
        LocalNode replica = cluster.replica(0);
        NodeAddress replicaAddress = NodeAddress.of(replica.host(), replica.port());
        setAppPasswordLocally(replica, "another-password");
        try {
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            try (HaDataSource ds = HaDataSource.builder().url(url("")).user(cluster.appUser())
                    .password(cluster.appPassword()).listener(events::add).build()) {
                assertThat(events).filteredOn(e -> e.type() == HavenEvent.Type.AUTHENTICATION_FAILED)
                        .singleElement().satisfies(e -> {
                            assertThat(e.address()).isEqualTo(replicaAddress);
                            assertThat(e.message()).contains(cluster.appUser(), "28000")
                                    .doesNotContain("another-password", cluster.appPassword());
                        });
                assertThat(ds.cluster().authenticationFailures()).containsExactly(replicaAddress);
                Node node = ds.topology().node(replicaAddress);
                assertThat(node == null || node.health() != Health.UP).as("the replica is not UP").isTrue();
                for (int i = 0; i < 20; i++) {
                    try (Connection c = ds.getConnection()) {
                        c.setReadOnly(true);
                        assertThat(ExternalPromotionIT.serverId(c)).isNotEqualTo(replica.serverId());
                    }
                }
            }
        } finally {
            setAppPasswordLocally(replica, cluster.appPassword());
        }
    }

    private static void assertFailsFast(Builder build, String user) {
        long start = System.nanoTime();
        assertThatThrownBy(build::build).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("28000");
            assertThat(e.getMessage()).contains("'" + user + "'").doesNotContain(WRONG, "wr0ng");
            for (LocalNode node : cluster.nodes()) {
                assertThat(e.getMessage()).contains(node.hostAndPort());
            }
        });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(FAST_FAIL);
    }

    /** Changes the application user's password on one node only (not binlogged, so not replicated). */
    private static void setAppPasswordLocally(LocalNode node, String password) throws SQLException {
        try (Connection c = cluster.adminConnection(node); Statement s = c.createStatement()) {
            s.execute("SET SESSION sql_log_bin = 0");
            s.execute("ALTER USER '" + cluster.appUser() + "'@'%' IDENTIFIED BY '" + password + "'");
        }
    }

    @FunctionalInterface
    interface Builder {
        HaDataSource build() throws SQLException;
    }
}
