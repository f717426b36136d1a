package dev.haven.bench;

import dev.haven.jdbc.HaDataSource;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.ServerFlavor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the client-side RPO guard costs a write: an auto-commit {@code UPDATE} by primary key through an
 * {@link HaDataSource} on a real asynchronous cluster ({@link LocalCluster}, a primary and two replicas on this
 * machine), with the guard ({@code ha.failover=promote}: every acknowledged commit's GTID is recorded) and without
 * it ({@code ha.failover=observe}, the default), both on the same cluster in the same run.
 *
 * <p>{@code driver=mysql} (Connector/J): the GTID comes in the commit's own OK packet ({@code trackSessionState},
 * {@code session_track_gtids=OWN_GTID} on MySQL, {@code last_gtid} on MariaDB): no round trip, and what the driver
 * allocates to parse the tracked state. {@code driver=mariadb} (MariaDB Connector/J, which hands no tracked state
 * over): one {@code SELECT} after the commit, a round trip.
 *
 * <p>Needs the server binaries on the class path (the shaded jar leaves them out), see the README.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class CommitCaptureBench {

    static final int POOL_SIZE = 4;
    static final int ROWS = 1000;
    static final String UPDATE = "UPDATE bench_counter SET n = n + 1 WHERE id = ?";

    @Param({"mysql-8.0"})
    public String server;

    @Param({"mysql", "mariadb"})
    public String driver;

    LocalCluster cluster;
    HaDataSource observe;
    HaDataSource promote;

    /** A per-thread row cursor, so threads do not share a counter. */
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
        cluster = LocalCluster.builder().server(ServerFlavor.fromId(server)).replicas(2).semiSync(false).start();
        try {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS bench_counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)");
                StringBuilder insert = new StringBuilder("INSERT INTO bench_counter VALUES ");
                for (int id = 1; id <= ROWS; id++) {
                    insert.append(id == 1 ? "" : ",").append('(').append(id).append(", 0)");
                }
                s.execute(insert.toString());
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(30));
            observe = dataSource("");
            promote = dataSource("&ha.failover=promote&ha.admin.user=" + cluster.adminUser()
                    + "&ha.admin.password=" + cluster.adminPassword());
            Key key = new Key();
            for (int i = 0; i < 4 * POOL_SIZE; i++) {
                update(observe, key.next());
                update(promote, key.next());
            }
        } catch (SQLException | RuntimeException e) {
            tearDown();
            throw e;
        }
    }

    private HaDataSource dataSource(String settings) throws SQLException {
        return HaDataSource.builder()
                .url("jdbc:ha:" + driver + "://" + cluster.hostList() + "/" + cluster.database() + "?"
                        + cluster.driverParameters(driver) + "ha.maxReplicaLag=30s" + settings)
                .user(cluster.appUser()).password(cluster.appPassword())
                .poolProperty("maximumPoolSize", Integer.toString(POOL_SIZE))
                .poolProperty("minimumIdle", Integer.toString(POOL_SIZE))
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (promote != null) {
            promote.close();
        }
        if (observe != null) {
            observe.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Without the guard: nothing is recorded after the commit. */
    @Benchmark
    public int observeCommit(Key key) throws SQLException {
        return update(observe, key.next());
    }

    /** With the guard: the commit's GTID is recorded before the write returns. */
    @Benchmark
    public int promoteCommit(Key key) throws SQLException {
        return update(promote, key.next());
    }

    static int update(HaDataSource ds, long id) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(UPDATE)) {
            ps.setLong(1, id);
            return ps.executeUpdate();
        }
    }
}
