package dev.haven.bench;

import dev.haven.jdbc.HaDataSource;
import dev.haven.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What {@code ha.replay=on} and {@code ha.commitOutcome=marker} cost a write on a real cluster ({@link LocalCluster}:
 * a semi-synchronous MariaDB primary and two replicas on this machine, MariaDB Connector/J, through the test kit's
 * proxies), against {@code off} in the same run:
 *
 * <ul>
 *   <li>{@code writeTransaction}: {@code getConnection()}, {@code setAutoCommit(false)}, a prepared
 *       {@code UPDATE} of one row, a read of it, {@code commit()}, close; the marker adds one {@code INSERT} (one
 *       round trip) before the commit;</li>
 *   <li>{@code autoCommitWrite}: {@code getConnection()}, one prepared auto-commit {@code UPDATE}, close; the marker
 *       wraps it in a transaction of its own (three more round trips).</li>
 * </ul>
 *
 * <p>Needs the MariaDB server binaries on the class path, like {@link EndToEndBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class WriteCostBench {

    static final int POOL_SIZE = 8;
    static final int ROWS = 1000;

    @Param({"off", "replay", "marker", "replay+marker"})
    public String mode;

    LocalCluster cluster;
    HaDataSource haven;

    /** A per-thread key cursor, so threads do not share a counter. */
    @State(Scope.Thread)
    public static class Key {
        int next;

        long next() {
            next = next == ROWS ? 1 : next + 1;
            return next;
        }
    }

    static String settings(String mode) {
        return switch (mode) {
            case "off" -> "";
            case "replay" -> "?ha.replay=on";
            case "marker" -> "?ha.commitOutcome=marker";
            case "replay+marker" -> "?ha.replay=on&ha.commitOutcome=marker";
            default -> throw new IllegalArgumentException("mode: off, replay, marker or replay+marker, not " + mode);
        };
    }

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        cluster = LocalCluster.builder().replicas(2).start();
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
            haven = HaDataSource.builder()
                    .url("jdbc:ha:mariadb://" + cluster.hostList() + "/" + cluster.database() + settings(mode))
                    .user(cluster.appUser()).password(cluster.appPassword())
                    .poolProperty("maximumPoolSize", Integer.toString(POOL_SIZE))
                    .poolProperty("minimumIdle", Integer.toString(POOL_SIZE))
                    .build();
            Key key = new Key();
            for (int i = 0; i < 4 * POOL_SIZE; i++) {
                writeTransaction(haven, key.next());
            }
            sleep(2000); // the primary's pool fills
        } catch (SQLException | RuntimeException e) {
            tearDown();
            throw e;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (haven != null) {
            haven.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Benchmark
    public long writeTransaction(Key key) throws SQLException {
        return writeTransaction(haven, key.next());
    }

    @Benchmark
    public int autoCommitWrite(Key key) throws SQLException {
        try (Connection c = haven.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE bench_counter SET n = n + 1 WHERE id = ?")) {
            ps.setLong(1, key.next());
            return ps.executeUpdate();
        }
    }

    static long writeTransaction(DataSource ds, long id) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            long n;
            try (PreparedStatement up = c.prepareStatement("UPDATE bench_counter SET n = n + 1 WHERE id = ?")) {
                up.setLong(1, id);
                up.executeUpdate();
            }
            try (PreparedStatement read = c.prepareStatement("SELECT n FROM bench_counter WHERE id = ?")) {
                read.setLong(1, id);
                try (java.sql.ResultSet rs = read.executeQuery()) {
                    rs.next();
                    n = rs.getLong(1);
                }
            }
            c.commit();
            return n;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
