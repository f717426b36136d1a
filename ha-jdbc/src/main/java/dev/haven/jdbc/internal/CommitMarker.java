package dev.haven.jdbc.internal;

import dev.haven.core.ErrorClassifier;
import dev.haven.core.ErrorKind;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Commit-outcome markers ({@code ha.commitOutcome=marker}): every write transaction inserts a random 128-bit id into
 * {@value #TABLE} (in the URL's database) in the same transaction, just before its commit. When the connection
 * dies during the commit, the id is <em>fenced</em> on the new primary: {@code INSERT IGNORE} of the same id.
 *
 * <ul>
 *   <li>0 rows inserted: the id was there, so the transaction committed and reached the new primary.</li>
 *   <li>1 row inserted: it was not there, so as far as the surviving history goes it did not commit; and because
 *       the id is now taken, the original transaction can never be applied there later (a copy still on its way
 *       from the old primary fails on the duplicate key instead of applying twice).</li>
 * </ul>
 *
 * <p>See {@code docs/replay.md} for why this answer is right under semi-sync and async replication, the table's
 * size bound and its purge.
 */
final class CommitMarker {

    static final String TABLE = "haven_commit_marker";
    /** The table, as created before the first marker by the application's account (or by a DBA with this). */
    static final String DDL = "CREATE TABLE IF NOT EXISTS " + TABLE + " (hi BIGINT NOT NULL, lo BIGINT NOT NULL,"
            + " created TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), PRIMARY KEY (hi, lo), KEY (created))"
            + " ENGINE=InnoDB";
    /** Asked first: a table already there (a restart, a DBA) costs no DDL, which would replicate. */
    private static final String EXISTS = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
            + " AND table_name = '" + TABLE + "'";
    private static final String INSERT = "INSERT INTO " + TABLE + " (hi, lo) VALUES (?, ?)";
    private static final String FENCE = "INSERT IGNORE INTO " + TABLE + " (hi, lo) VALUES (?, ?)";
    /** Rows per purge statement, so that a purge holds few locks and replicates in small transactions. */
    static final int PURGE_CHUNK = 5000;

    private CommitMarker() {
    }

    /** A fresh id half. */
    static long random() {
        return ThreadLocalRandom.current().nextLong();
    }

    /** Inserts the marker in the transaction open on {@code c}: one round trip. */
    static void insert(Connection c, long hi, long lo) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(INSERT)) {
            p.setLong(1, hi);
            p.setLong(2, lo);
            p.executeUpdate();
        }
    }

    /**
     * Fences the id {@code hi, lo} on {@code c}, in a transaction of its own: true when it was already there (the
     * interrupted transaction committed), false when it was not (and now can never commit there).
     *
     * <p>A fence is a write, and its own commit can be interrupted too, yet applied (a new primary that waits for a
     * semi-sync acknowledgement longer than the socket timeout, then commits). Its retry would then find the id and
     * take the fence's own row for the transaction's. So a fence that takes the id also inserts its own id,
     * {@code attempt}, in the same transaction; a retry that finds the id looks for the ids of this resolution's
     * earlier fences ({@code earlier}): one of them there means a fence took the id, and the transaction did not
     * commit.
     */
    static boolean fence(Connection c, long hi, long lo, long[] attempt, java.util.List<long[]> earlier)
            throws SQLException {
        c.setAutoCommit(false);
        boolean committed;
        try (PreparedStatement p = c.prepareStatement(FENCE)) {
            p.setLong(1, hi);
            p.setLong(2, lo);
            if (p.executeUpdate() == 1) {
                insert(c, attempt[0], attempt[1]); // "a fence took it": committed with the fence or not at all
                committed = false;
            } else {
                committed = !anyPresent(c, earlier);
            }
        }
        c.commit();
        c.setAutoCommit(true);
        return committed;
    }

    /** Whether any of {@code ids} is in the table (a locking read: the latest committed rows). */
    private static boolean anyPresent(Connection c, java.util.List<long[]> ids) throws SQLException {
        if (ids.isEmpty()) {
            return false;
        }
        try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM " + TABLE + " WHERE hi = ? AND lo = ?"
                + " LOCK IN SHARE MODE")) {
            for (long[] id : ids) {
                p.setLong(1, id[0]);
                p.setLong(2, id[1]);
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next() && rs.getLong(1) > 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Whether an auto-commit statement is plain DML that can run inside a transaction with the marker (anything
     * else, DDL above all, commits implicitly and is not wrapped).
     */
    static boolean wraps(String sql) {
        String verb = ReplayLog.firstWord(sql);
        return verb.equals("INSERT") || verb.equals("UPDATE") || verb.equals("DELETE") || verb.equals("REPLACE");
    }

    /**
     * Makes sure the table exists before this data source's first marker: {@code CREATE TABLE IF NOT EXISTS} on the
     * primary unless it is there, with the application's own account, on a physical connection of its own (the caller's may hold an
     * open transaction, which DDL would commit). Once per data source; after that a volatile read.
     *
     * <p>Why not at start: a schema migration tool run by the application (Flyway, Liquibase) checks at start that a
     * new schema is empty, and would find the table there. The first write comes after those checks.
     *
     * <p>A failure names the statement, so that a DBA can run it instead; it fails the unit of work at hand before
     * its commit, so nothing of it is applied.
     */
    static void ensureTable(ClusterContext ctx, NodeAddress primary) throws SQLException {
        if (ctx.markerTableReady) {
            return;
        }
        synchronized (ctx.markerTableLock) {
            if (ctx.markerTableReady) {
                return;
            }
            NodeDataSource source = ctx.pools.source(primary);
            try (Connection c = source != null ? source.getConnection() : ctx.pools.borrow(primary);
                 Statement s = c.createStatement()) {
                if (!c.getAutoCommit()) {
                    c.setAutoCommit(true);
                }
                boolean exists;
                try (ResultSet rs = s.executeQuery(EXISTS)) {
                    exists = rs.next() && rs.getInt(1) > 0;
                }
                if (!exists) {
                    s.execute(DDL); // IF NOT EXISTS: another instance may create it at the same moment
                }
            } catch (SQLException e) {
                throw new SQLException("ha.commitOutcome=marker: cannot create the marker table on " + primary
                        + " (" + e.getMessage() + "). Create it as an administrator with: " + DDL, e.getSQLState(), e);
            }
            ctx.markerTableReady = true;
        }
    }

    /**
     * Deletes markers older than {@code keepSeconds} on the primary, in chunks; called by the context's purge task.
     * A failure is left for the next round.
     */
    static int purge(ClusterContext ctx, long keepSeconds) {
        Node primary = ctx.cluster.topology().primary();
        if (primary == null) {
            return 0;
        }
        int deleted = 0;
        try (Connection c = ctx.pools.borrow(primary); Statement s = c.createStatement()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            String sql = "DELETE FROM " + TABLE + " WHERE created < NOW(6) - INTERVAL " + keepSeconds
                    + " SECOND LIMIT " + PURGE_CHUNK;
            int n;
            do {
                n = s.executeUpdate(sql);
                deleted += n;
            } while (n == PURGE_CHUNK);
        } catch (SQLException e) {
            if (ErrorClassifier.classify(e) == ErrorKind.NODE_GONE) {
                ctx.cluster.nodeFailed(primary.address());
            }
        }
        return deleted;
    }
}
