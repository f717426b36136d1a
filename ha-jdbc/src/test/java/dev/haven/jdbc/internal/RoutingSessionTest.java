package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.jdbc.HaDataSource;
import dev.haven.jdbc.internal.RoutingSession.State;
import dev.haven.testkit.stub.StubCluster;
import dev.haven.testkit.stub.StubDriver;
import dev.haven.testkit.stub.StubNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The routing session on the stub driver ({@code dev.haven.testkit.stub}, no server): its states through units of
 * work, and the failure rules that need no real crash (a warm pool whose connections the server broke; a server
 * that dies right after acknowledging a commit). The same rules against real servers: {@code DeadPooledConnectionIT}.
 */
class RoutingSessionTest {

    private static final int POOL_SIZE = 4;

    private HaDataSource ds;

    @BeforeEach
    void start() throws SQLException {
        ds = HaDataSource.builder()
                .url("jdbc:ha:mariadb://" + StubCluster.HOSTS + "/db?ha.probeInterval=100ms&ha.suspectAfter=300ms"
                        + "&ha.failover.timeout=20s")
                .user("test").password("test")
                .poolProperty("driverClassName", StubDriver.class.getName())
                .poolProperty("maximumPoolSize", Integer.toString(POOL_SIZE))
                .poolProperty("minimumIdle", Integer.toString(POOL_SIZE))
                .build();
        dev.haven.core.HavenCluster cluster = ds.cluster();
        await(() -> cluster.topology().primary() != null && cluster.topology().readReplicas().size() == 2,
                "the stub topology");
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    private static RoutingSession session(Connection c) throws SQLException {
        return c.unwrap(HaConnection.class);
    }

    @Test
    void theSessionMovesThroughItsStatesWithTheUnitsOfWork() throws SQLException {
        try (Connection c = ds.getConnection()) {
            RoutingSession session = session(c);
            assertThat(session.state()).isEqualTo(State.UNBOUND);

            c.setReadOnly(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(session.state()).isEqualTo(State.BOUND_READ);
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("a replica answered").isIn("2", "3");
            }
            assertThat(session.state()).as("auto-commit: given back once no statement is open")
                    .isEqualTo(State.UNBOUND);

            c.setReadOnly(false);
            c.setAutoCommit(false);
            assertThat(session.state()).as("nothing ran yet").isEqualTo(State.UNBOUND);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (1)");
                assertThat(session.state()).isEqualTo(State.IN_TRANSACTION);
                assertThat(session.node().address().toString()).isEqualTo(StubCluster.PRIMARY);
                s.executeUpdate("INSERT INTO t VALUES (2)");
            }
            assertThat(session.state()).as("a transaction keeps its connection past its statements")
                    .isEqualTo(State.IN_TRANSACTION);
            c.commit();
            assertThat(session.state()).isEqualTo(State.UNBOUND);
        }
    }

    @Test
    void aPreparedStatementCarriesTheKindOfItsOwnSql() throws SQLException {
        try (Connection c = ds.getConnection();
             HaPreparedStatement read = (HaPreparedStatement) c.prepareStatement("SELECT 1");
             HaPreparedStatement write = (HaPreparedStatement) c.prepareStatement("UPDATE t SET a = 1")) {
            for (int i = 0; i < 2; i++) { // the first call classifies, the second answers from the statement
                assertThat(read.kind(read.sql)).isEqualTo(dev.haven.core.StatementKind.READ);
                assertThat(write.kind(write.sql)).isEqualTo(dev.haven.core.StatementKind.WRITE);
            }
            assertThat(read.kind("DELETE FROM t")).as("other text: the classifier")
                    .isEqualTo(dev.haven.core.StatementKind.WRITE);
            assertThat(read.kind(null)).isEqualTo(dev.haven.core.StatementKind.UNKNOWN);
        }
    }

    /**
     * Haven's statements run on the vendor's statements, under HikariCP's connection proxy but not its statement
     * proxies (issue 13), so HikariCP no longer knows that a statement ran in a transaction: the session must roll
     * an unfinished transaction back itself before the connection goes back, or the pool's next borrower would
     * inherit it (its locks, its uncommitted rows). A finished one costs no rollback.
     */
    @Test
    void anUnfinishedTransactionIsRolledBackBeforeItsConnectionGoesBackAndAFinishedOneIsNot() throws SQLException {
        StubNode primary = StubCluster.node(StubCluster.PRIMARY);
        int before = primary.rollbacks();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (1)");
            }
        } // closed with the transaction open
        assertThat(primary.rollbacks()).as("rolled back at close").isEqualTo(before + 1);
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (2)");
            }
            c.commit();
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (3)");
            }
            c.commit();
        }
        assertThat(primary.rollbacks()).as("no rollback after commits").isEqualTo(before + 1);
    }

    /**
     * The vendor statement of a statement still open when its physical connection goes back to the pool (the
     * connection moved to a replica between two auto-commit statements) is closed then, as HikariCP closed the
     * statements it tracked, not leaked on the pooled connection.
     */
    @Test
    void anOpenStatementsVendorStatementIsClosedWhenItsConnectionGoesBack() throws SQLException {
        try (Connection c = ds.getConnection();
             java.sql.PreparedStatement write = c.prepareStatement("UPDATE t SET v = 1")) {
            write.executeUpdate();
            dev.haven.testkit.stub.StubStatement vendor = write.unwrap(dev.haven.testkit.stub.StubStatement.class);
            assertThat(vendor.isClosed()).isFalse();
            c.setReadOnly(true);
            try (Statement read = c.createStatement(); ResultSet rs = read.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(session(c).boundForReads()).isTrue();
            }
            assertThat(vendor.isClosed()).as("closed when the primary's connection went back").isTrue();
        }
    }

    /**
     * Statements beyond the first are kept with the session's rare parts (so the logical connection stays 56 bytes):
     * in auto-commit mode the physical connection goes back only once the last of them is closed, in any order.
     */
    @Test
    void thePhysicalConnectionGoesBackWhenTheLastOfSeveralOpenStatementsCloses() throws SQLException {
        try (Connection c = ds.getConnection()) {
            Statement a = c.createStatement();
            Statement b = c.createStatement();
            Statement d = c.createStatement();
            a.executeUpdate("UPDATE t SET v = 1");
            b.executeUpdate("UPDATE t SET v = 2");
            d.executeUpdate("UPDATE t SET v = 3");
            assertThat(session(c).state()).isEqualTo(State.BOUND_WRITE);
            b.close();
            a.close();
            assertThat(session(c).state()).as("one statement still open").isEqualTo(State.BOUND_WRITE);
            d.close();
            assertThat(session(c).state()).isEqualTo(State.UNBOUND);
            Statement e = c.createStatement();
            e.executeUpdate("UPDATE t SET v = 4");
            assertThat(session(c).state()).isEqualTo(State.BOUND_WRITE);
        }
    }

    /**
     * Issue 10 bug 3, without a server: every pooled connection to the primary is broken (as a crash leaves a warm
     * pool), and a new unit of work finds that out while its auto-commit setting is applied, before anything of it
     * ran. That is the node's failure: reported, another connection taken, the work done. Before, the vendor's raw
     * {@code 08S01} reached the application.
     */
    @Test
    void aDeadPooledConnectionFoundBeforeAnythingRanIsTheNodesFailureAndTheWorkGoesOn() throws SQLException {
        warmPrimaryPool();
        StubNode primary = StubCluster.node(StubCluster.PRIMARY);
        primary.breakOpenConnections();
        for (int unit = 0; unit < POOL_SIZE + 2; unit++) {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO t VALUES (" + unit + ")");
                }
                c.commit();
                assertThat(session(c).state()).isEqualTo(State.UNBOUND);
            }
        }
    }

    /** The session's isolation level, applied to each physical connection it takes, is what finds it dead here. */
    @Test
    void aDeadConnectionFoundWhileTheSessionsSettingsAreAppliedIsRetried() throws SQLException {
        warmPrimaryPool();
        StubCluster.node(StubCluster.PRIMARY).breakOpenConnections();
        try (Connection c = ds.getConnection()) {
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE t SET a = 1");
            }
        }
    }

    /**
     * Issue 10 bug 3, the commit: the server acknowledges the commit and dies; giving the connection back (the
     * pool resets its auto-commit) then fails. The commit happened: {@code commit()} returns normally.
     */
    @Test
    void aFailureAfterASuccessfulCommitDoesNotTurnTheCommitIntoAnError() throws SQLException {
        StubNode primary = StubCluster.node(StubCluster.PRIMARY);
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (1)");
            }
            primary.breakAfterNextCommit();
            c.commit();
            assertThat(session(c).state()).isEqualTo(State.UNBOUND);
        }
    }

    /** A rollback on a connection that died: the server rolled the transaction back itself. */
    @Test
    void aRollbackOnADeadConnectionSucceeds() throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (1)");
            }
            StubCluster.node(StubCluster.PRIMARY).breakOpenConnections();
            c.rollback();
            assertThat(session(c).state()).isEqualTo(State.UNBOUND);
        }
    }

    /** After something of the transaction ran, a dead connection is the documented {@code 08007}, never raw. */
    @Test
    void aDeadConnectionAfterTheTransactionRanIsResolutionUnknown() throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (1)");
                StubCluster.node(StubCluster.PRIMARY).breakOpenConnections();
                SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                        () -> s.executeUpdate("INSERT INTO t VALUES (2)"));
                assertThat(e.getSQLState()).isEqualTo("08007");
                assertThat(e.getCause()).isInstanceOf(SQLException.class);
                assertThat(((SQLException) e.getCause()).getSQLState()).as("the vendor's, as the cause")
                        .isEqualTo("08S01");
            }
            assertThat(session(c).state()).isEqualTo(State.UNBOUND);
            // the connection stays usable: its next transaction goes to the primary again
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (3)");
            }
            c.commit();
        }
    }

    /** Fills the primary's pool with connections used just now (so the pool does not re-validate them). */
    private void warmPrimaryPool() throws SQLException {
        Connection[] held = new Connection[POOL_SIZE];
        try {
            for (int i = 0; i < POOL_SIZE; i++) {
                held[i] = ds.getConnection();
                held[i].setAutoCommit(false);
                try (Statement s = held[i].createStatement()) {
                    s.executeUpdate("INSERT INTO t VALUES (" + i + ")");
                }
            }
        } finally {
            for (Connection c : held) {
                if (c != null) {
                    c.commit();
                    c.close();
                }
            }
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
