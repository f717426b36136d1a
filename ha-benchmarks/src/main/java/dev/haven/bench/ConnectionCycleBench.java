package dev.haven.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.haven.testkit.stub.StubCluster;
import dev.haven.testkit.stub.StubDriver;
import dev.haven.testkit.stub.StubNode;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.Topology;
import dev.haven.jdbc.HaDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * One read-only unit of work, as an application does it, on a no-op stub driver ({@code dev.haven.testkit.stub})
 * so that only the pool and the routing layer are measured: {@code getConnection()}, {@code setReadOnly(true)},
 * {@code prepareStatement}, {@code executeQuery}, read the one row, close the result set, the statement and the
 * connection. Every pool is pre-filled ({@code minimumIdle = maximumPoolSize =} {@value #POOL_SIZE}) before the
 * first iteration.
 *
 * <ul>
 *   <li>{@code rawHikari}: one HikariCP pool on one replica, the baseline;</li>
 *   <li>{@code haven}: an {@link HaDataSource} over the stub cluster (a primary and two replicas, monitored as a
 *       real one would be); the read goes to a replica's pool, round robin;</li>
 *   <li>{@code springRouting}: the usual hand-rolled alternative, Spring's {@link AbstractRoutingDataSource}
 *       (keyed by {@link TransactionSynchronizationManager#isCurrentTransactionReadOnly()}, which the cycle sets
 *       and clears as {@code @Transactional(readOnly = true)} would) behind a {@link LazyConnectionDataSourceProxy},
 *       over a primary pool and a replica pool.</li>
 * </ul>
 * The write cycle ({@code rawHikariWrite}, {@code havenWrite}): {@code getConnection()},
 * {@code prepareStatement(UPDATE)}, {@code executeUpdate()}, close, on the primary.
 * Run: {@code java -jar ha-benchmarks/target/benchmarks.jar ConnectionCycleBench -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ConnectionCycleBench {

    /** Connections in every pool, all opened before measuring. */
    public static final int POOL_SIZE = 8;
    /** The application's query; the stub answers it with one row: the server id of the node that ran it. */
    public static final String QUERY = "SELECT value FROM bench WHERE id = 1";
    /** The application's write; the stub counts it and answers 0 rows changed. */
    public static final String UPDATE = "UPDATE bench SET value = value + 1 WHERE id = 1";
    static final String DATABASE = "bench";

    @Benchmark
    public String rawHikari(RawHikari pool) throws SQLException {
        return cycle(pool.dataSource);
    }

    @Benchmark
    public String haven(Haven haven) throws SQLException {
        return cycle(haven.dataSource);
    }

    @Benchmark
    public String springRouting(SpringRouting routing) throws SQLException {
        TransactionSynchronizationManager.setCurrentTransactionReadOnly(true);
        try {
            return cycle(routing.dataSource);
        } finally {
            TransactionSynchronizationManager.setCurrentTransactionReadOnly(false);
        }
    }

    @Benchmark
    public int rawHikariWrite(RawPrimary pool) throws SQLException {
        return writeCycle(pool.dataSource);
    }

    @Benchmark
    public int havenWrite(Haven haven) throws SQLException {
        return writeCycle(haven.dataSource);
    }

    /**
     * The read-write unit of work: {@code getConnection()}, {@code prepareStatement(UPDATE)},
     * {@code executeUpdate()} in auto-commit mode, close the statement and the connection. Haven sends it to the
     * primary (the connection is read-write).
     */
    static int writeCycle(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(UPDATE)) {
            return ps.executeUpdate();
        }
    }

    /** The measured unit of work; returns the server id of the node that answered. */
    static String cycle(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement(QUERY); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ states

    /** One pre-filled HikariCP pool on the first replica. */
    @State(Scope.Benchmark)
    public static class RawHikari {
        HikariDataSource dataSource;

        @Setup(Level.Trial)
        public void setUp() {
            dataSource = filledPool("raw", StubCluster.REPLICA_1);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            dataSource.close();
        }
    }

    /** One pre-filled HikariCP pool on the primary: the baseline of the write cycle. */
    @State(Scope.Benchmark)
    public static class RawPrimary {
        HikariDataSource dataSource;

        @Setup(Level.Trial)
        public void setUp() {
            dataSource = filledPool("raw-primary", StubCluster.PRIMARY);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            dataSource.close();
        }
    }

    /** An {@link HaDataSource} over the stub cluster, its primary's and replicas' pools pre-filled. */
    @State(Scope.Benchmark)
    public static class Haven {
        HaDataSource dataSource;

        @Setup(Level.Trial)
        public void setUp() throws SQLException {
            StubNode r1 = StubCluster.node(StubCluster.REPLICA_1);
            StubNode r2 = StubCluster.node(StubCluster.REPLICA_2);
            StubNode p = StubCluster.node(StubCluster.PRIMARY);
            int pBefore = p.openConnections();
            int r1Before = r1.openConnections();
            int r2Before = r2.openConnections();
            dataSource = HaDataSource.builder()
                    .url("jdbc:ha:mariadb://" + StubCluster.HOSTS + "/" + DATABASE)
                    .user("bench").password("bench")
                    // HikariCP's own name for the driver class; see README "ha-jdbc hook" for why it matters
                    .poolProperty("driverClassName", StubDriver.class.getName())
                    .poolProperty("maximumPoolSize", Integer.toString(POOL_SIZE))
                    .poolProperty("minimumIdle", Integer.toString(POOL_SIZE))
                    .build();
            requireStubTopology(dataSource);
            // A replica's pool is created at its first read: read from both, then wait until both are full
            // (plus one monitoring connection each).
            for (int i = 0; i < 4; i++) {
                cycle(dataSource);
            }
            writeCycle(dataSource);
            await(() -> r1.openConnections() >= r1Before + POOL_SIZE + 1
                    && r2.openConnections() >= r2Before + POOL_SIZE + 1, "Haven's replica pools to fill");
            // The primary's pool exists from the start; its monitoring connection is one more.
            await(() -> p.openConnections() >= pBefore + POOL_SIZE + 1, "Haven's primary pool to fill");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            dataSource.close();
        }
    }

    /** Spring's routing data source over a primary and a replica pool, behind the lazy connection proxy. */
    @State(Scope.Benchmark)
    public static class SpringRouting {
        DataSource dataSource;
        HikariDataSource primary;
        HikariDataSource replica;

        @Setup(Level.Trial)
        public void setUp() {
            primary = filledPool("primary", StubCluster.PRIMARY);
            replica = filledPool("replica", StubCluster.REPLICA_1);
            ReadOnlyRoutingDataSource routing = new ReadOnlyRoutingDataSource();
            routing.setTargetDataSources(Map.of(ReadOnlyRoutingDataSource.PRIMARY, primary,
                    ReadOnlyRoutingDataSource.REPLICA, replica));
            routing.setDefaultTargetDataSource(primary);
            routing.afterPropertiesSet();
            LazyConnectionDataSourceProxy lazy = new LazyConnectionDataSourceProxy(routing);
            lazy.afterPropertiesSet();
            dataSource = lazy;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            replica.close();
            primary.close();
        }
    }

    /** Routes to the replica inside a read-only transaction, to the primary otherwise: the common recipe. */
    static final class ReadOnlyRoutingDataSource extends AbstractRoutingDataSource {
        static final String PRIMARY = "primary";
        static final String REPLICA = "replica";

        @Override
        protected Object determineCurrentLookupKey() {
            return TransactionSynchronizationManager.isCurrentTransactionReadOnly() ? REPLICA : PRIMARY;
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static HikariDataSource filledPool(String name, String hostAndPort) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("bench-" + name);
        config.setDriverClassName(StubDriver.class.getName());
        config.setJdbcUrl(StubDriver.url(hostAndPort, DATABASE));
        config.setUsername("bench");
        config.setPassword("bench");
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(POOL_SIZE);
        HikariDataSource pool = new HikariDataSource(config);
        await(() -> pool.getHikariPoolMXBean().getIdleConnections() == POOL_SIZE, name + " pool to fill");
        return pool;
    }

    /**
     * Fails at once, with the reason, when the data source does not see the stub cluster as one primary and two
     * replicas that serve reads: measuring anything else would be meaningless.
     */
    static void requireStubTopology(HaDataSource dataSource) throws SQLException {
        Topology topology = dataSource.topology();
        Node primary = topology.primary();
        boolean healthy = primary != null && primary.health() == Health.UP
                && primary.address().toString().equals(StubCluster.PRIMARY)
                && topology.readReplicas().size() == 2;
        if (!healthy) {
            dataSource.close();
            throw new IllegalStateException("HaDataSource does not see the stub cluster (" + topology + "). Its"
                    + " health monitor and pools must open connections through the stub driver, which takes"
                    + " ha-jdbc honouring the driverClassName pool property (see ha-benchmarks/README.md)");
        }
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
    }
}
