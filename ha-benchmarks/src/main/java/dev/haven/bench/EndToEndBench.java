package dev.haven.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.haven.jdbc.HaDataSource;
import dev.haven.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Point reads by primary key on a real cluster ({@link LocalCluster}: a MariaDB primary and two replicas on this
 * machine, MariaDB Connector/J): {@code getConnection()}, {@code setReadOnly(true)}, prepare, bind the key,
 * execute, read the row, close.
 *
 * <ul>
 *   <li>{@code havenPointRead}: through an {@link HaDataSource}, which sends the read-only connection to a
 *       replica (round robin over both);</li>
 *   <li>{@code hikariPointRead}: a plain HikariCP pool on one replica, the baseline: the same cycle without
 *       {@code setReadOnly(true)}, since the pool reaches a replica anyway;</li>
 *   <li>{@code hikariPointReadSetReadOnly}: the same pool with {@code setReadOnly(true)} as well, which MariaDB
 *       Connector/J sends to the server and HikariCP resets when the connection comes back: two more round trips
 *       that Haven does not make on replicas (they are read-only already).</li>
 * </ul>
 * Both reach the servers through the test kit's fault-injection proxies (in-process TCP relays), so both pay the
 * same extra hop. Pools hold {@value #POOL_SIZE} connections, opened before measuring.
 *
 * <p>Needs the MariaDB server binaries on the class path; the shaded jar leaves them out, see the README.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class EndToEndBench {

    static final int POOL_SIZE = 8;
    static final int ROWS = 1000;
    static final String QUERY = "SELECT name FROM bench_items WHERE id = ?";

    LocalCluster cluster;
    HaDataSource haven;
    HikariDataSource replicaPool;

    /** A per-thread key cursor, so threads do not share a counter. */
    @State(Scope.Thread)
    public static class Key {
        int next;

        long next() {
            next = next == ROWS ? 1 : next + 1;
            return next;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        cluster = LocalCluster.builder().replicas(2).start();
        try {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS bench_items (id BIGINT PRIMARY KEY, name VARCHAR(64))");
                s.execute("DELETE FROM bench_items");
                StringBuilder insert = new StringBuilder("INSERT INTO bench_items VALUES ");
                for (int id = 1; id <= ROWS; id++) {
                    insert.append(id == 1 ? "" : ",").append('(').append(id).append(", 'item-").append(id).append("')");
                }
                s.execute(insert.toString());
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(30));
            haven = HaDataSource.builder()
                    .url("jdbc:ha:mariadb://" + cluster.hostList() + "/" + cluster.database())
                    .user(cluster.appUser()).password(cluster.appPassword())
                    .poolProperty("maximumPoolSize", Integer.toString(POOL_SIZE))
                    .poolProperty("minimumIdle", Integer.toString(POOL_SIZE))
                    .build();
            // Both replicas serving reads before anything is measured (right after the load, a replica can be
            // briefly ineligible, and reads would go to the primary).
            HaDataSource ready = haven;
            ConnectionCycleBench.await(() -> {
                try {
                    return ready.topology().readReplicas().size() == cluster.replicas().size();
                } catch (SQLException e) {
                    return false;
                }
            }, "both replicas to serve reads");
            HikariConfig config = new HikariConfig();
            config.setPoolName("bench-replica");
            config.setJdbcUrl(cluster.replica(0).mariadbUrl());
            config.setUsername(cluster.appUser());
            config.setPassword(cluster.appPassword());
            config.setMaximumPoolSize(POOL_SIZE);
            config.setMinimumIdle(POOL_SIZE);
            replicaPool = new HikariDataSource(config);
            ConnectionCycleBench.await(() -> replicaPool.getHikariPoolMXBean().getIdleConnections() == POOL_SIZE,
                    "the replica pool to fill");
            // Haven creates a replica's pool at its first read; read from both replicas, then let the pools fill
            // (HaDataSource does not expose its pools: give them the time the plain pool needed, and more).
            Key key = new Key();
            for (int i = 0; i < 4 * POOL_SIZE; i++) {
                pointRead(haven, key.next());
            }
            sleep(2000);
        } catch (SQLException | RuntimeException e) {
            tearDown();
            throw e;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (replicaPool != null) {
            replicaPool.close();
        }
        if (haven != null) {
            haven.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Benchmark
    public String havenPointRead(Key key) throws SQLException {
        return pointRead(haven, key.next());
    }

    @Benchmark
    public String hikariPointRead(Key key) throws SQLException {
        return pointRead(replicaPool, key.next(), false);
    }

    @Benchmark
    public String hikariPointReadSetReadOnly(Key key) throws SQLException {
        return pointRead(replicaPool, key.next(), true);
    }

    static String pointRead(DataSource dataSource, long id) throws SQLException {
        return pointRead(dataSource, id, true);
    }

    static String pointRead(DataSource dataSource, long id, boolean readOnly) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (readOnly) {
                c.setReadOnly(true);
            }
            try (PreparedStatement ps = c.prepareStatement(QUERY)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("no row " + id);
                    }
                    return rs.getString(1);
                }
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
