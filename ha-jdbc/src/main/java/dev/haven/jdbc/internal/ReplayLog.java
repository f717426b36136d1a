package dev.haven.jdbc.internal;

import dev.haven.core.StatementKind;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of one logical connection's current transaction, for {@code ha.replay=on}: each statement that ran,
 * with its parameters as they were when it ran, and a checksum of what the application received from it (the
 * update count, the generated keys it read, the rows it read). After a failover interrupts the transaction before
 * its commit was sent, {@link RoutingSession} runs the record again on a new physical connection and compares.
 *
 * <p>Whether the transaction can be replayed at all is decided while it runs: anything whose effect a replay
 * cannot reproduce or check (an implicit commit, a savepoint, a call, a batch, a stream parameter, an error the
 * application saw, a record past {@code ha.replay.maxSize}) marks the record refused, with the reason, and the
 * failure is reported as without replay. The reasons are the table in {@code docs/replay.md}.
 *
 * <p>Implementation notes: exists only when replay is on (the session holds {@code null} otherwise, so the cost of
 * replay being off is that null check). Confined to the connection's thread. Checksums are 64-bit FNV-1a over the
 * text of every column of every row read ({@code getString}), so a value read back differently, including
 * {@code NOW()}, {@code UUID()} or an {@code AUTO_INCREMENT} key, changes the sum.
 */
final class ReplayLog {

    /** Replays per transaction, so that a cluster failing over and over cannot hold a transaction forever. */
    static final int MAX_REPLAYS = 3;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final int PER_STATEMENT = 64;

    /** What the application received from one result set (rows, or generated keys), as it read them. */
    static final class Sum {
        int rows;
        long hash = FNV_OFFSET;
        int columns = -1;
        /** {@code next()} answered false: the application saw the end. */
        boolean exhausted;
        /** The application closed it: nothing to hand over after a replay. */
        boolean closed;
        /** The application's wrapper, re-pointed to the replayed result set when still open. */
        HaResultSet result;

        /** Called by {@link HaResultSet#next()} with the vendor's answer. */
        void row(ResultSet raw, boolean more) throws SQLException {
            if (!more) {
                exhausted = true;
                return;
            }
            rows++;
            hash = fold(hash, raw, this);
        }
    }

    /** One execution of a statement in the transaction. */
    static final class Entry {
        final HaStatement owner;
        final int op;
        final String sql;
        final int keys;
        final int[] indexes;
        final String[] names;
        /** A prepared statement's parameters when it ran (see {@link HaPreparedStatement#snapshot()}); else null. */
        final Object params;
        final long updateCount;
        final boolean hasResultSet;
        /** What was read of its result set; null when it had none. */
        Sum rows;
        /** What was read of its generated keys; null when the application did not ask for them. */
        Sum keys2;
        /** During a replay that is matching so far: the replayed result set to hand over to the application's. */
        ResultSet handOver;

        Entry(HaStatement owner, int op, String sql, int keys, int[] indexes, String[] names, Object params,
                long updateCount, boolean hasResultSet) {
            this.owner = owner;
            this.op = op;
            this.sql = sql;
            this.keys = keys;
            this.indexes = indexes;
            this.names = names;
            this.params = params;
            this.updateCount = updateCount;
            this.hasResultSet = hasResultSet;
        }
    }

    private final int maxSize;
    private final ArrayList<Entry> entries = new ArrayList<>();
    private int size;
    /** Why this transaction cannot be replayed; null while it can. */
    private String refused;
    /** Replays of this transaction so far. */
    int replays;

    ReplayLog(int maxSize) {
        this.maxSize = maxSize;
    }

    /** The transaction ended (committed, rolled back, abandoned): forget it. */
    void reset() {
        if (!entries.isEmpty()) {
            entries.clear();
        }
        size = 0;
        refused = null;
        replays = 0;
    }

    List<Entry> entries() {
        return entries;
    }

    /** Why the transaction cannot be replayed, or null. */
    String refused() {
        return refused;
    }

    /** Marks the transaction as not replayable; the first reason is kept. */
    void refuse(String why) {
        if (refused == null) {
            refused = why;
            entries.clear(); // nothing of it will be used
        }
    }

    /**
     * A statement ran in the transaction: records it, or refuses the transaction when the statement is one a
     * replay cannot reproduce.
     */
    void record(HaStatement st, int op, String sql, int keys, int[] indexes, String[] names) throws SQLException {
        if (refused != null) {
            return;
        }
        String why = unreplayable(st, op, sql);
        if (why != null) {
            refuse(why);
            return;
        }
        Object params = null;
        if (st instanceof HaPreparedStatement && sql == st.sql) {
            params = ((HaPreparedStatement) st).snapshot();
            if (params == null) {
                refuse("a stream or reader parameter");
                return;
            }
        }
        size += PER_STATEMENT + (sql == null ? 0 : sql.length()) + (params == null ? 0
                : HaPreparedStatement.sizeOf(params));
        if (size > maxSize) {
            refuse("past ha.replay.maxSize (" + maxSize + " bytes)");
            return;
        }
        Entry e = new Entry(st, op, sql, keys, indexes, names, params, st.updateCount, st.hasResultSet);
        ResultSet r = st.currentResult();
        if (r instanceof HaResultSet) {
            Sum sum = new Sum();
            sum.result = (HaResultSet) r;
            ((HaResultSet) r).sum = sum;
            e.rows = sum;
        }
        entries.add(e);
    }

    /** The statement about to be run again after a failure: refuses the transaction if it could not be. */
    void failing(HaStatement st, int op, String sql) {
        if (refused == null) {
            String why = unreplayable(st, op, sql);
            if (why != null) {
                refuse(why);
            }
        }
    }

    /** A result set of generated keys for {@code st}'s last execution in this transaction, to be summed as read. */
    Sum keysOf(HaStatement st) {
        if (refused != null) {
            return null;
        }
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (e.owner == st) {
                if (e.keys2 == null) {
                    e.keys2 = new Sum();
                    return e.keys2;
                }
                refuse("generated keys read twice");
                return null;
            }
        }
        return null;
    }

    /**
     * Why a statement cannot be replayed, or null. Only text a replay reproduces exactly is accepted: reads,
     * {@code INSERT}/{@code UPDATE}/{@code DELETE}/{@code REPLACE}, locking reads, and {@code SET @variable}; all
     * else (DDL and other implicit commits, {@code CALL}, {@code LOCK TABLES}, transaction control, temporary
     * tables, {@code SET} of session settings) refuses the transaction.
     */
    private static String unreplayable(HaStatement st, int op, String sql) {
        if (op == HaStatement.BATCH) {
            return "executeBatch";
        }
        if (st instanceof HaCallableStatement) {
            return "a CALL";
        }
        if (sql == null) {
            return "a statement without SQL";
        }
        if (st instanceof HaPreparedStatement && sql != st.sql) {
            return "a prepared statement run with other text";
        }
        StatementSpec spec = st.spec();
        if (spec != null && (spec.resultSetType() > java.sql.ResultSet.TYPE_FORWARD_ONLY
                || spec.resultSetConcurrency() > java.sql.ResultSet.CONCUR_READ_ONLY)) {
            return "a scrollable or updatable result set";
        }
        StatementKind kind = st.kind(sql);
        if (kind == StatementKind.READ || kind == StatementKind.LOCKING_READ) {
            return null;
        }
        String verb = firstWord(sql);
        switch (verb) {
            case "SELECT": // one the classifier sends to the primary, e.g. SELECT LAST_INSERT_ID(): checked
            case "WITH":
            case "INSERT":
            case "UPDATE":
            case "DELETE":
            case "REPLACE":
                return null;
            case "SET":
                return isUserVariable(sql) ? null : "SET of a session setting";
            default:
                return "a statement that is not a plain read or DML (" + verb + ")";
        }
    }

    /** The first keyword, upper case, after white space and comments; "" when there is none. */
    static String firstWord(String sql) {
        int i = skip(sql, 0);
        int start = i;
        while (i < sql.length() && Character.isLetter(sql.charAt(i))) {
            i++;
        }
        return sql.substring(start, i).toUpperCase(java.util.Locale.ROOT);
    }

    private static boolean isUserVariable(String sql) {
        int i = skip(sql, 0) + 3;
        i = skip(sql, i);
        return i < sql.length() && sql.charAt(i) == '@' && (i + 1 >= sql.length() || sql.charAt(i + 1) != '@');
    }

    private static int skip(String sql, int i) {
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if ((c == '#') || (c == '-' && i + 2 < n && sql.charAt(i + 1) == '-'
                    && Character.isWhitespace(sql.charAt(i + 2)))) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else {
                break;
            }
        }
        return i;
    }

    /** Folds the current row of {@code rs} into {@code hash}: every column's text, nulls distinct from "". */
    static long fold(long hash, ResultSet rs, Sum sum) throws SQLException {
        int columns = sum.columns;
        if (columns < 0) {
            columns = rs.getMetaData().getColumnCount();
            sum.columns = columns;
        }
        long h = hash;
        for (int i = 1; i <= columns; i++) {
            String v = rs.getString(i);
            if (v == null) {
                h = (h ^ 0xff) * FNV_PRIME;
                continue;
            }
            for (int j = 0; j < v.length(); j++) {
                char c = v.charAt(j);
                h = (h ^ (c & 0xff)) * FNV_PRIME;
                h = (h ^ (c >>> 8)) * FNV_PRIME;
            }
            h = (h ^ 0xfe) * FNV_PRIME; // column separator
        }
        return h;
    }

    /**
     * Reads {@code rows} rows of a replayed result set and checks them against {@code sum}: true when they match
     * (and, if the application saw the end, when the replayed result ends there too). The cursor is left where the
     * application's was.
     */
    static boolean matches(ResultSet rs, Sum sum) throws SQLException {
        Sum replayed = new Sum();
        for (int i = 0; i < sum.rows; i++) {
            if (!rs.next()) {
                return false;
            }
            replayed.hash = fold(replayed.hash, rs, replayed);
        }
        if (replayed.hash != sum.hash) {
            return false;
        }
        return !sum.exhausted || !rs.next();
    }

    /** Whether a statement result's state makes handing it over impossible (a streaming result set left open). */
    static boolean streamingOpen(Entry e) {
        return e.rows != null && !e.rows.exhausted && !e.rows.closed && e.owner.streams();
    }

    /** For {@link Statement}s closed quietly after a replay. */
    static void closeQuietly(Statement s) {
        if (s != null) {
            try {
                s.close();
            } catch (SQLException | RuntimeException ignored) {
                // its connection decides
            }
        }
    }
}
