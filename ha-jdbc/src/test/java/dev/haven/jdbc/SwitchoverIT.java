package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A planned switchover under a write load: no committed write lost, none failed, the pause measured. */
class SwitchoverIT {

    @Test
    void switchoverUnderWriteLoadLosesAndFailsNoCommittedWrite() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE w (id BIGINT PRIMARY KEY)");
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
            String url = "jdbc:ha:mariadb://" + cluster.hostList() + "/app?" + cluster.driverParameters("mariadb") + "ha.probeInterval=200ms"
                    + "&ha.suspectAfter=400ms&ha.deadAfter=1500ms&ha.connectTimeout=500ms&ha.probeTimeout=500ms"
                    + "&ha.admin.user=" + cluster.adminUser() + "&ha.admin.password=" + cluster.adminPassword();
            LocalNode oldPrimary = cluster.primary();
            LocalNode target = cluster.replica(0);
            LocalNode other = cluster.replica(1);
            List<Long> acked = Collections.synchronizedList(new ArrayList<>());
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            AtomicLong ids = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            Duration pause;
            try (HaDataSource ds = HaDataSource.builder().url(url).user(cluster.appUser())
                    .password(cluster.appPassword()).build()) {
                ExecutorService writers = Executors.newFixedThreadPool(4);
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    futures.add(writers.submit(() -> {
                        while (running.get()) {
                            long id = ids.incrementAndGet();
                            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                                s.executeUpdate("INSERT INTO w VALUES (" + id + ")");
                                acked.add(id);
                            } catch (Throwable e) {
                                failures.add(e);
                            }
                        }
                    }));
                }
                RoutingContractTests.waitFor(() -> acked.size() > 200, "writes before the switchover");
                pause = ds.switchover(target.hostAndPort());
                int atSwitch = acked.size();
                RoutingContractTests.waitFor(() -> acked.size() > atSwitch + 200, "writes after the switchover");
                running.set(false);
                for (Future<?> f : futures) {
                    f.get(30, TimeUnit.SECONDS);
                }
                writers.shutdown();
                assertThat(ds.topology().primary().serverId()).isEqualTo(target.serverId());
            }
            System.out.printf("switchover: %d writes acknowledged, writes held back %d ms%n", acked.size(),
                    pause.toMillis());
            assertThat(failures).as("failed writes").isEmpty();
            assertThat(pause).isPositive();

            try (Connection c = cluster.adminConnection(target); Statement s = c.createStatement()) {
                assertThat(queryLong(s, "SELECT @@read_only")).isZero();
                assertThat(queryLong(s, "SELECT COUNT(*) FROM app.w")).as("every acknowledged write")
                        .isEqualTo(acked.size());
            }
            try (Connection c = cluster.adminConnection(oldPrimary); Statement s = c.createStatement()) {
                assertThat(queryLong(s, "SELECT @@read_only")).as("the old primary is fenced").isEqualTo(1);
            }
            try (Connection c = cluster.adminConnection(other); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
                rs.next();
                assertThat(rs.getInt("Master_Port")).as("the other replica follows the new primary")
                        .isEqualTo(target.port());
                assertThat(rs.getString("Slave_IO_Running")).isEqualTo("Yes");
            }
        }
    }

    /**
     * Issue 10 bug 6: the switchover waited for the writes in progress one 10 ms slice only, so any transaction
     * longer than that made it refuse with a false "still in progress after 15000 ms". Writers here run
     * multi-statement transactions of about 60 ms each; the switchover waits for them, and none fails.
     */
    @Test
    void switchoverUnderTransactionalWritersWaitsForTheirTransactionsAndFailsNone() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(1).start()) {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE tx (id BIGINT, part INT, PRIMARY KEY (id, part))");
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
            // driverParameters: on MySQL, allowPublicKeyRetrieval (the new primary sees the account's first login)
            String url = "jdbc:ha:mariadb://" + cluster.hostList() + "/app?" + cluster.driverParameters("mariadb")
                    + "ha.probeInterval=200ms&ha.suspectAfter=400ms&ha.deadAfter=1500ms&ha.connectTimeout=500ms&ha.probeTimeout=500ms"
                    + "&ha.admin.user=" + cluster.adminUser() + "&ha.admin.password=" + cluster.adminPassword();
            LocalNode target = cluster.replica(0);
            List<Long> acked = Collections.synchronizedList(new ArrayList<>());
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            AtomicLong ids = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            Duration pause;
            try (HaDataSource ds = HaDataSource.builder().url(url).user(cluster.appUser())
                    .password(cluster.appPassword()).build()) {
                ExecutorService writers = Executors.newFixedThreadPool(3);
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    futures.add(writers.submit(() -> {
                        while (running.get()) {
                            long id = ids.incrementAndGet();
                            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                                c.setAutoCommit(false);
                                s.executeUpdate("INSERT INTO tx VALUES (" + id + ", 1)");
                                s.executeQuery("SELECT SLEEP(0.06)").close(); // the transaction lasts > 10 ms
                                s.executeUpdate("INSERT INTO tx VALUES (" + id + ", 2)");
                                c.commit();
                                acked.add(id);
                            } catch (Throwable e) {
                                failures.add(e);
                            }
                        }
                    }));
                }
                RoutingContractTests.waitFor(() -> acked.size() > 20, "transactions before the switchover");
                pause = ds.switchover(target.hostAndPort());
                int atSwitch = acked.size();
                RoutingContractTests.waitFor(() -> acked.size() > atSwitch + 20, "transactions after the switchover");
                running.set(false);
                for (Future<?> f : futures) {
                    f.get(30, TimeUnit.SECONDS);
                }
                writers.shutdown();
                assertThat(ds.topology().primary().serverId()).isEqualTo(target.serverId());
            }
            System.out.printf("switchover under transactions: %d acknowledged, writes held back %d ms%n",
                    acked.size(), pause.toMillis());
            assertThat(failures).as("failed transactions").isEmpty();
            try (Connection c = cluster.adminConnection(target); Statement s = c.createStatement()) {
                assertThat(queryLong(s, "SELECT COUNT(*) FROM app.tx")).as("both rows of every acknowledged"
                        + " transaction").isEqualTo(2L * acked.size());
            }
        }
    }

    @Test
    void aSwitchoverToANodeThatIsNotAReplicaIsRefusedAndChangesNothing() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(1).semiSync(false).start()) {
            String url = "jdbc:ha:mariadb://" + cluster.hostList() + "/app?" + cluster.driverParameters("mariadb") + "ha.admin.user=" + cluster.adminUser()
                    + "&ha.admin.password=" + cluster.adminPassword();
            try (HaDataSource ds = HaDataSource.builder().url(url).user(cluster.appUser())
                    .password(cluster.appPassword()).build()) {
                assertThatThrownBy(() -> ds.switchover(cluster.primary().hostAndPort()))
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("refused")
                        .hasMessageContaining("must be a healthy, replicating replica");
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE still_writable (id INT)"); // writes were released
                }
            }
        }
    }

    private static long queryLong(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
