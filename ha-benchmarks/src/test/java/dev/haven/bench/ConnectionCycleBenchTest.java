package dev.haven.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs each {@link ConnectionCycleBench} method's body without JMH, checking that every variant reads from a
 * replica (the stub answers the bench query with the server id: 1 is the primary, 2 and 3 the replicas) and that
 * its pools were full. Speed is JMH's business.
 */
class ConnectionCycleBenchTest {

    private final ConnectionCycleBench bench = new ConnectionCycleBench();

    @Test
    void rawHikariReadsFromItsReplicaOnAFullPool() throws SQLException {
        ConnectionCycleBench.RawHikari pool = new ConnectionCycleBench.RawHikari();
        pool.setUp();
        try {
            assertThat(pool.dataSource.getHikariPoolMXBean().getIdleConnections())
                    .isEqualTo(ConnectionCycleBench.POOL_SIZE);
            assertThat(bench.rawHikari(pool)).isEqualTo("2");
            assertThat(bench.rawHikari(pool)).isEqualTo("2");
            assertThat(pool.dataSource.getHikariPoolMXBean().getTotalConnections())
                    .isEqualTo(ConnectionCycleBench.POOL_SIZE);
        } finally {
            pool.tearDown();
        }
    }

    @Test
    void springRoutingReadsFromTheReplicaOnlyInsideAReadOnlyTransaction() throws SQLException {
        ConnectionCycleBench.SpringRouting routing = new ConnectionCycleBench.SpringRouting();
        routing.setUp();
        try {
            assertThat(routing.primary.getHikariPoolMXBean().getIdleConnections())
                    .isEqualTo(ConnectionCycleBench.POOL_SIZE);
            assertThat(routing.replica.getHikariPoolMXBean().getIdleConnections())
                    .isEqualTo(ConnectionCycleBench.POOL_SIZE);
            assertThat(bench.springRouting(routing)).isEqualTo("2");
            assertThat(TransactionSynchronizationManager.isCurrentTransactionReadOnly()).isFalse();
            // the same cycle outside a read-only transaction goes to the primary: the routing is real
            assertThat(ConnectionCycleBench.cycle(routing.dataSource)).isEqualTo("1");
            // and the replica connection came back to its pool without the read-only flag
            assertThat(readOnlyAfterBorrow(routing.replica)).isFalse();
        } finally {
            routing.tearDown();
        }
    }

    @Test
    void havenReadsFromBothReplicasRoundRobin() throws SQLException {
        ConnectionCycleBench.Haven haven = new ConnectionCycleBench.Haven();
        haven.setUp();
        try {
            Set<String> servers = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                servers.add(bench.haven(haven));
            }
            assertThat(servers).containsExactlyInAnyOrder("2", "3");
        } finally {
            haven.tearDown();
        }
    }

    @Test
    void rawHikariWriteRunsOnThePrimarysPool() throws SQLException {
        ConnectionCycleBench.RawPrimary pool = new ConnectionCycleBench.RawPrimary();
        pool.setUp();
        try {
            assertThat(bench.rawHikariWrite(pool)).isZero();
            assertThat(ConnectionCycleBench.cycle(pool.dataSource)).isEqualTo("1");
            assertThat(pool.dataSource.getHikariPoolMXBean().getTotalConnections())
                    .isEqualTo(ConnectionCycleBench.POOL_SIZE);
        } finally {
            pool.tearDown();
        }
    }

    @Test
    void havenWriteRunsOnThePrimary() throws SQLException {
        ConnectionCycleBench.Haven haven = new ConnectionCycleBench.Haven();
        haven.setUp();
        try {
            assertThat(bench.havenWrite(haven)).isZero();
            // the write cycle's connection is read-write: its statements reach the primary (server id 1)
            try (Connection c = haven.dataSource.getConnection();
                 PreparedStatement write = c.prepareStatement(ConnectionCycleBench.UPDATE);
                 PreparedStatement read = c.prepareStatement(ConnectionCycleBench.QUERY)) {
                assertThat(write.executeUpdate()).isZero();
                try (ResultSet rs = read.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("1");
                }
            }
        } finally {
            haven.tearDown();
        }
    }

    private static boolean readOnlyAfterBorrow(DataSource pool) throws SQLException {
        try (Connection c = pool.getConnection()) {
            boolean readOnly = c.isReadOnly();
            try (PreparedStatement ps = c.prepareStatement(ConnectionCycleBench.QUERY); ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
            }
            return readOnly;
        }
    }
}
