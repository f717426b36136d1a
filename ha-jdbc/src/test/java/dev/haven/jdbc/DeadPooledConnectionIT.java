package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.HavenEvent;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10 bug 3 against real servers: a warm pool, the primary SIGKILLed, and 20 ms later new units of work
 * ({@code setAutoCommit(false)}, INSERT, commit). Each finds a dead pooled connection before anything of it ran,
 * which is the node's failure (docs/failure-semantics.md, rows 1-3): the node is reported, and the unit waits for
 * the new primary and commits there. Before, every such unit failed within milliseconds with the vendor's raw
 * {@code 08000 "Socket error"} (MariaDB Connector/J) or {@code 08S01} (MySQL Connector/J).
 */
class DeadPooledConnectionIT {

    private static final int UNITS = 6;
    /**
     * The default probe interval (1 s): the units of work start before the next probe could notice the crash, so
     * they meet the warm pool's dead connections, as an application under load does. (With a fast probe, Haven
     * evicts the pool before the units borrow, and this test would not see the bug.)
     */
    private static final String SETTINGS = "socketTimeout=3000&ha.probeInterval=1s&ha.suspectAfter=1s"
            + "&ha.deadAfter=2s&ha.connectTimeout=500ms&ha.probeTimeout=500ms&ha.initialGrace=500ms"
            + "&ha.failover.timeout=20s&ha.failover=promote";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mariadb", "mysql"})
    void newUnitsOfWorkOnADeadPrimarysWarmPoolWaitForTheNewPrimaryAndFailNone(String vendor) throws Exception {
        try (LocalCluster cluster = PromoteFailoverIT.cluster()) {
            LocalNode oldPrimary = cluster.primary();
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            String url = ExternalPromotionIT.url(cluster, vendor, SETTINGS + "&ha.admin.user=" + cluster.adminUser()
                    + "&ha.admin.password=" + cluster.adminPassword());
            try (HaDataSource ds = HaDataSource.builder().url(url).user(cluster.appUser())
                    .password(cluster.appPassword()).listener(events::add)
                    .poolProperty("maximumPoolSize", Integer.toString(UNITS))
                    .poolProperty("minimumIdle", Integer.toString(UNITS)).build()) {
                warm(ds);
                cluster.kill(oldPrimary);
                Thread.sleep(20);

                Set<Long> acked = ConcurrentHashMap.newKeySet();
                List<SQLException> failures = new CopyOnWriteArrayList<>();
                ExecutorService units = Executors.newFixedThreadPool(UNITS);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int u = 0; u < UNITS; u++) {
                    long id = 100 + u;
                    done.add(units.submit(() -> {
                        go.await();
                        try (Connection c = ds.getConnection()) {
                            c.setAutoCommit(false);
                            try (Statement s = c.createStatement()) {
                                s.executeUpdate("INSERT INTO t VALUES (" + id + ")");
                            }
                            c.commit();
                            acked.add(id);
                        } catch (SQLException e) {
                            failures.add(e);
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
                units.shutdown();

                for (SQLException e : failures) {
                    System.out.println("unit failed: SQLState " + e.getSQLState() + ": " + e);
                }
                assertThat(failures).as("units of work that failed (none of them had run anything when the"
                        + " primary died)").isEmpty();
                assertThat(acked).hasSize(UNITS);
                assertThat(PromoteFailoverIT.count(events, HavenEvent.Type.PROMOTED)).isEqualTo(1);
                LocalNode newPrimary = cluster.adoptRoles();
                assertThat(newPrimary.serverId()).isNotEqualTo(oldPrimary.serverId());
                assertThat(PromoteFailoverIT.rows(cluster, newPrimary)).as("every unit's row, once")
                        .containsAll(acked);
            }
        }
    }

    /** Every pooled connection to the primary used just now, so the pool does not re-validate them. */
    private static void warm(HaDataSource ds) throws SQLException {
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < UNITS; i++) {
                Connection c = ds.getConnection();
                held.add(c);
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO t VALUES (" + (1 + i) + ")");
                }
            }
        } finally {
            for (Connection c : held) {
                c.commit();
                c.close();
            }
        }
    }
}
