package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.jdbc.HaDataSource;
import dev.haven.testkit.stub.StubCluster;
import dev.haven.testkit.stub.StubDriver;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The replay record on the stub driver (no server): what it keeps, what makes a transaction not replayable, and
 * that it costs nothing (does not exist) with replay off or in auto-commit work. Replays themselves run against
 * real servers in {@code ReplayIT}.
 */
class ReplayRecordTest {

    private static HaDataSource dataSource(String settings) throws SQLException {
        HaDataSource ds = HaDataSource.builder()
                .url("jdbc:ha:mariadb://" + StubCluster.HOSTS + "/db?ha.probeInterval=100ms" + settings)
                .user("test").password("test")
                .poolProperty("driverClassName", StubDriver.class.getName())
                .poolProperty("maximumPoolSize", "2").poolProperty("minimumIdle", "1")
                .build();
        await(() -> {
            try {
                return ds.cluster().topology().primary() != null;
            } catch (SQLException e) {
                return false;
            }
        });
        return ds;
    }

    private static ReplayLog log(Connection c) throws SQLException {
        return c.unwrap(HaConnection.class).replayLog();
    }

    @Test
    void withReplayOffThereIsNoRecord() throws SQLException {
        try (HaDataSource ds = dataSource(""); Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (1)");
            }
            assertThat(log(c)).isNull();
            c.commit();
        }
    }

    @Test
    void aTransactionIsRecordedStatementByStatementAndForgottenAtItsEnd() throws SQLException {
        try (HaDataSource ds = dataSource("&ha.replay=on"); Connection c = ds.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (0)");
            }
            assertThat(log(c)).as("auto-commit work makes no record").isNull();
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO t VALUES (?)")) {
                p.setLong(1, 1);
                p.executeUpdate();
                p.setLong(1, 2);
                p.executeUpdate();
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
            }
            ReplayLog log = log(c);
            assertThat(log.refused()).isNull();
            assertThat(log.entries()).hasSize(3);
            assertThat(log.entries().get(1).params).as("each execution keeps its own parameters")
                    .isNotSameAs(log.entries().get(0).params);
            assertThat(log.entries().get(2).rows.rows).as("rows read").isEqualTo(1);
            c.commit();
            assertThat(log.entries()).isEmpty();
        }
    }

    @Test
    void whatAReplayCannotReproduceRefusesTheTransaction() throws SQLException {
        String[][] cases = {
            {"CREATE TABLE x (id INT)", "CREATE"},
            {"SET SESSION sql_mode = ''", "SET of a session setting"},
            {"CALL p()", "CALL"},
            {"LOCK TABLES t WRITE", "LOCK"},
        };
        try (HaDataSource ds = dataSource("&ha.replay=on")) {
            for (String[] k : cases) {
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("INSERT INTO t VALUES (1)");
                        s.execute(k[0]);
                    }
                    assertThat(log(c).refused()).as(k[0]).contains(k[1]);
                    c.rollback();
                    assertThat(log(c).refused()).as("forgotten at the end").isNull();
                }
            }
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.addBatch("INSERT INTO t VALUES (1)");
                    s.executeBatch();
                }
                assertThat(log(c).refused()).isEqualTo("executeBatch");
                c.rollback();
            }
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("SET @a = 1");
                    s.executeUpdate("UPDATE t SET n = @a");
                }
                assertThat(log(c).refused()).as("user variables are replayed").isNull();
                c.rollback();
            }
        }
    }

    @Test
    void aRecordPastMaxSizeIsNotReplayable() throws SQLException {
        try (HaDataSource ds = dataSource("&ha.replay=on&ha.replay.maxSize=200"); Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (1)");
                assertThat(log(c).refused()).isNull();
                s.executeUpdate("INSERT INTO t VALUES ('" + "x".repeat(200) + "')");
            }
            assertThat(log(c).refused()).contains("ha.replay.maxSize");
            c.rollback();
        }
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("the stub topology").isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
