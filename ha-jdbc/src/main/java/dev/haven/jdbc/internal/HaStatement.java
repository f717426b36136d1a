package dev.haven.jdbc.internal;

import dev.haven.core.StatementKind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A statement of a logical connection. The vendor statement is created at the first execution, on whichever
 * physical connection the logical one routes that SQL to, and created again when the logical connection has
 * moved to another physical connection since (a retry, a new transaction on another node). Settings made on this
 * object (fetch size, timeouts, limits) are kept and applied to every vendor statement.
 *
 * <p>Execution follows {@link HaConnection#failed}: a failed read may run again once elsewhere, a write refused by
 * a demoted primary runs again on the new one, and everything else reaches the application.
 *
 * <p>Implementation notes: one thread at a time, like the connection. Results are kept in fields rather than
 * returned boxed, so the common paths allocate only the result-set wrapper.
 */
class HaStatement implements Statement {

    static final int QUERY = 0;
    static final int UPDATE = 1;
    static final int EXECUTE = 2;
    static final int BATCH = 3;

    final HaConnection conn;
    /** The SQL of a prepared statement, null for a plain statement. */
    final String sql;
    /**
     * The vendor statement, on the session's current physical connection; null before the first execution and
     * whenever that connection went away ({@link #physicalReleased}, which the session calls for every open
     * statement each time it lets a physical connection go): non-null means current.
     */
    Statement vendor;
    private boolean closed;
    private ResultSet result;
    /**
     * The kind of the SQL, as ordinal + 1; 0 until classified. A prepared statement's own SQL is classified once in
     * the statement's life; a plain statement's text once per execution (reset when one starts).
     */
    private byte ownKind;

    /**
     * What is rare about this statement: how it was asked for when not with the defaults, the settings the
     * application made (applied to every vendor statement), a batch. Null while there is none of that, the usual
     * case: the statement object every connection cycle makes stays at 48 bytes.
     */
    private Settings settings;

    // Results of the last execution.
    long updateCount;
    boolean hasResultSet;

    /** The rare parts; settings -1 or null where the application left the default. */
    private static final class Settings {
        /** How the statement was asked for; null for the defaults. */
        StatementSpec spec;
        List<String> batch;
        long[] batchCounts;
        int maxFieldSize = -1;
        long maxRows = -1;
        int queryTimeout = -1;
        int fetchDirection = -1;
        int fetchSize = -1;
        Boolean escapeProcessing;
        boolean poolable;
        boolean closeOnCompletion;
        String cursorName;
    }

    private Settings settings() {
        Settings t = settings;
        if (t == null) {
            t = new Settings();
            settings = t;
        }
        return t;
    }

    HaStatement(HaConnection conn, String sql, StatementSpec spec) {
        this.conn = conn;
        this.sql = sql;
        if (spec != null) {
            settings().spec = spec;
        }
        conn.opened(this);
    }

    /** How the statement was asked for; null for the defaults (the common case, which allocates no spec). */
    final StatementSpec spec() {
        Settings t = settings;
        return t == null ? null : t.spec;
    }

    final long[] batchCounts() {
        Settings t = settings;
        return t == null ? null : t.batchCounts;
    }

    final void batchCounts(long[] counts) {
        settings().batchCounts = counts;
    }

    private List<String> batch() {
        Settings t = settings;
        return t == null ? null : t.batch;
    }

    // ------------------------------------------------------------------------------------ binding

    /**
     * The vendor statement for {@code sql} on the connection's current physical connection. It is made on the
     * vendor driver's own connection, under HikariCP's proxy: Haven already tracks its statements and result sets
     * (closes them, drops them with their connection, sees their failures), so HikariCP's statement and
     * result-set proxies would only track the same things a second time, and cost two objects a statement.
     * HikariCP's connection proxy stays in charge of the connection (its pool, its state reset); what its
     * statement proxies also did is done by the session: {@link RoutingSession#release()} rolls back a transaction
     * left unfinished and closes the vendor statements before the connection goes back, and a failure that
     * condemns the connection drops it from its pool ({@link #readFailed}, {@link RoutingSession#statementFailed}).
     */
    Statement vendorFor(String sql) throws SQLException {
        checkOpen();
        Connection raw = conn.physical(this, sql);
        if (vendor == null) {
            vendor = create(vendorConnection(raw));
            applySettings(vendor);
            replayBatch(vendor);
        }
        return vendor;
    }

    /** The vendor driver's connection under a HikariCP proxy; others (a stub in a test) as they are. */
    static Connection vendorConnection(Connection pooled) throws SQLException {
        return pooled instanceof com.zaxxer.hikari.pool.ProxyConnection ? pooled.unwrap(Connection.class) : pooled;
    }

    Statement create(Connection raw) throws SQLException {
        StatementSpec spec = spec();
        return spec == null ? raw.createStatement() : spec.createStatement(raw);
    }

    /** The vendor statement if it belongs to the current physical connection, else null. */
    Statement boundVendor() {
        return vendor;
    }

    /**
     * The physical connection goes away: back to its pool ({@code close} true: the vendor statement is closed now,
     * as HikariCP would have closed its proxy) or dropped ({@code close} false: it dies with the connection, and a
     * close could block on a dead socket).
     */
    void physicalReleased(boolean close) {
        if (close) {
            closeVendorQuietly();
        }
        vendor = null;
        result = null;
    }

    /**
     * Reading this statement's results failed. A failure that says the connection is gone condemns the physical
     * connection: it is dropped instead of going back to its pool when the session lets it go (what HikariCP's
     * result-set proxy did). The session stays bound, so a transaction still learns of the loss at its next
     * statement.
     */
    final void readFailed(SQLException e) {
        if (dev.haven.core.ErrorClassifier.classify(e) == dev.haven.core.ErrorKind.NODE_GONE) {
            conn.physicalBroken();
        }
    }

    boolean hasOpenResult() {
        try {
            return result != null && !result.isClosed();
        } catch (SQLException e) {
            return false;
        }
    }

    void applySettings(Statement s) throws SQLException {
        Settings t = settings;
        if (t == null) {
            return;
        }
        if (t.maxFieldSize != -1) {
            s.setMaxFieldSize(t.maxFieldSize);
        }
        if (t.maxRows != -1) {
            s.setLargeMaxRows(t.maxRows);
        }
        if (t.queryTimeout != -1) {
            s.setQueryTimeout(t.queryTimeout);
        }
        if (t.fetchDirection != -1) {
            s.setFetchDirection(t.fetchDirection);
        }
        if (t.fetchSize != -1) {
            s.setFetchSize(t.fetchSize);
        }
        if (t.escapeProcessing != null) {
            s.setEscapeProcessing(t.escapeProcessing);
        }
        if (t.poolable) {
            s.setPoolable(true);
        }
        if (t.closeOnCompletion) {
            s.closeOnCompletion();
        }
        if (t.cursorName != null) {
            s.setCursorName(t.cursorName);
        }
    }

    void replayBatch(Statement s) throws SQLException {
        List<String> batch = batch();
        if (batch != null) {
            for (String sql : batch) {
                s.addBatch(sql);
            }
        }
    }

    private void closeVendorQuietly() {
        Statement v = vendor;
        vendor = null;
        if (v != null) {
            try {
                v.close();
            } catch (SQLException | RuntimeException e) {
                // its connection is gone or going; nothing to release
            }
        }
    }

    // ------------------------------------------------------------------------------------ execution

    /**
     * Runs one operation with Haven's failure rules. {@code sql} is the statement's text (for routing and
     * classification); {@code op} says which vendor call to make.
     */
    final void run(int op, String sql, int keys, int[] indexes, String[] names) throws SQLException {
        closeResult();
        if (this.sql == null) {
            ownKind = 0; // a plain statement's new text: routing, read-your-writes and the policy share one classification
        }
        if (conn.ctx.marker && conn.wrapsAutoCommitWrite(this, sql, op)) {
            conn.runWrapped(this, op, sql, keys, indexes, names); // ha.commitOutcome=marker
            return;
        }
        for (int attempt = 0; ; attempt++) {
            Statement s = vendorFor(sql);
            try {
                invoke(s, op, sql, keys, indexes, names);
            } catch (SQLException e) {
                ReplayLog log = conn.replayLog();
                if (log != null) {
                    log.failing(this, op, sql);
                }
                SQLException outcome = conn.statementFailed(e, isReadOnly(sql)
                        ? FailurePolicy.Kind.READ : FailurePolicy.Kind.WRITE, attempt);
                if (outcome != null) {
                    throw outcome;
                }
                continue;
            }
            conn.executed(this, sql);
            ReplayLog log = conn.replayLog();
            if (log != null && !conn.autoCommit()) {
                log.record(this, op, sql, keys, indexes, names); // ha.replay=on
            }
            return;
        }
    }

    /** The result set of the last execution, as handed to the application; null if none. */
    final ResultSet currentResult() {
        return result;
    }

    /** After a replay: the application's result set, now reading from the replayed one, is this statement's again. */
    final void restoreResult(HaResultSet r) {
        if (result == null && !closed) {
            result = r;
        }
    }

    /** Whether a result set of this statement streams from the server (a fetch size), rather than being read whole. */
    final boolean streams() {
        return settings != null && settings.fetchSize != -1 && settings.fetchSize != 0;
    }

    /**
     * A new vendor statement on {@code raw} for a replay, with this statement's settings: its own, so that nothing of
     * this statement changes. {@code params} is a prepared statement's recorded parameters.
     */
    Statement newForReplay(Connection raw, Object params) throws SQLException {
        StatementSpec spec = spec();
        Statement s = spec == null ? raw.createStatement() : spec.createStatement(raw);
        applySettings(s);
        return s;
    }

    /** The vendor call for {@code op}; prepared statements override it. */
    final void setResult(ResultSet vendorResult) throws SQLException {
        result = HaResultSet.wrap(vendorResult, this);
    }

    void invoke(Statement s, int op, String sql, int keys, int[] indexes, String[] names) throws SQLException {
        switch (op) {
            case QUERY:
                result = HaResultSet.wrap(s.executeQuery(sql), this);
                hasResultSet = true;
                updateCount = -1;
                return;
            case UPDATE:
                if (keys != -1) {
                    updateCount = s.executeLargeUpdate(sql, keys);
                } else if (indexes != null) {
                    updateCount = s.executeLargeUpdate(sql, indexes);
                } else if (names != null) {
                    updateCount = s.executeLargeUpdate(sql, names);
                } else {
                    updateCount = s.executeLargeUpdate(sql);
                }
                hasResultSet = false;
                return;
            case EXECUTE:
                if (keys != -1) {
                    hasResultSet = s.execute(sql, keys);
                } else if (indexes != null) {
                    hasResultSet = s.execute(sql, indexes);
                } else if (names != null) {
                    hasResultSet = s.execute(sql, names);
                } else {
                    hasResultSet = s.execute(sql);
                }
                result = hasResultSet ? HaResultSet.wrap(s.getResultSet(), this) : null;
                updateCount = hasResultSet ? -1 : s.getLargeUpdateCount();
                return;
            case BATCH:
                batchCounts(s.executeLargeBatch());
                settings.batch = null; // a batch exists: settings is set
                hasResultSet = false;
                return;
            default:
                throw new IllegalStateException("unknown operation " + op);
        }
    }

    /**
     * Whether the statement only reads, so that running it again elsewhere after a failure is safe: anything on a
     * replica connection, or a plain read (the classifier's {@code READ}: no locking, no side effects).
     */
    boolean isReadOnly(String sql) {
        if (conn.boundForReads()) {
            return true;
        }
        return sql != null && batch() == null && kind(sql) == StatementKind.READ;
    }

    /**
     * What {@code sql} does. A prepared statement's own SQL is classified once in its life, a plain statement's text
     * once per execution, and the statement carries the result (a byte, so the statement is no bigger): routing,
     * the failure policy and read-your-writes all ask here, and only the first asks the classifier.
     */
    final StatementKind kind(String sql) {
        if (sql == null) {
            return StatementKind.UNKNOWN;
        }
        if (this.sql != null && sql != this.sql) {
            return conn.ctx.classifier.classify(sql); // Statement.execute(String) on a prepared statement
        }
        byte k = ownKind;
        if (k == 0) {
            StatementKind kind = conn.ctx.classifier.classify(sql);
            ownKind = (byte) (kind.ordinal() + 1);
            return kind;
        }
        return KINDS[k - 1];
    }

    private static final StatementKind[] KINDS = StatementKind.values();

    private void closeResult() throws SQLException {
        ResultSet r = result;
        result = null;
        if (r != null) {
            r.close();
        }
    }

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        run(QUERY, sql, -1, null, null);
        return result;
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        run(UPDATE, sql, -1, null, null);
        return (int) updateCount;
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        run(UPDATE, sql, autoGeneratedKeys, null, null);
        return (int) updateCount;
    }

    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        run(UPDATE, sql, -1, columnIndexes, null);
        return (int) updateCount;
    }

    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        run(UPDATE, sql, -1, null, columnNames);
        return (int) updateCount;
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        run(UPDATE, sql, -1, null, null);
        return updateCount;
    }

    @Override
    public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        run(UPDATE, sql, autoGeneratedKeys, null, null);
        return updateCount;
    }

    @Override
    public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
        run(UPDATE, sql, -1, columnIndexes, null);
        return updateCount;
    }

    @Override
    public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
        run(UPDATE, sql, -1, null, columnNames);
        return updateCount;
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        run(EXECUTE, sql, -1, null, null);
        return hasResultSet;
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        run(EXECUTE, sql, autoGeneratedKeys, null, null);
        return hasResultSet;
    }

    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        run(EXECUTE, sql, -1, columnIndexes, null);
        return hasResultSet;
    }

    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        run(EXECUTE, sql, -1, null, columnNames);
        return hasResultSet;
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        checkOpen();
        Settings t = settings();
        if (t.batch == null) {
            t.batch = new ArrayList<>();
        }
        t.batch.add(sql);
        Statement bound = boundVendor();
        if (bound != null) {
            bound.addBatch(sql);
        }
    }

    @Override
    public void clearBatch() throws SQLException {
        checkOpen();
        if (settings != null) {
            settings.batch = null;
        }
        Statement bound = boundVendor();
        if (bound != null) {
            bound.clearBatch();
        }
    }

    @Override
    public int[] executeBatch() throws SQLException {
        long[] counts = executeLargeBatch();
        int[] narrow = new int[counts.length];
        for (int i = 0; i < counts.length; i++) {
            narrow[i] = (int) counts[i];
        }
        return narrow;
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        checkOpen();
        List<String> batch = batch();
        if (batch == null || batch.isEmpty()) {
            return new long[0];
        }
        // A batch is routed by its first statement and counts as a write unless every statement reads.
        run(BATCH, batch.get(0), -1, null, null);
        return batchCounts();
    }

    // ------------------------------------------------------------------------------------ results

    @Override
    public ResultSet getResultSet() throws SQLException {
        checkOpen();
        return result;
    }

    @Override
    public int getUpdateCount() throws SQLException {
        checkOpen();
        return (int) updateCount;
    }

    @Override
    public long getLargeUpdateCount() throws SQLException {
        checkOpen();
        return updateCount;
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        return getMoreResults(CLOSE_CURRENT_RESULT);
    }

    @Override
    public boolean getMoreResults(int current) throws SQLException {
        Statement s = requireVendor();
        ReplayLog log = conn.replayLog();
        if (log != null && !conn.autoCommit()) {
            log.refuse("more than one result of a statement"); // the record checks the first only
        }
        hasResultSet = s.getMoreResults(current);
        result = hasResultSet ? HaResultSet.wrap(s.getResultSet(), this) : null;
        updateCount = hasResultSet ? -1 : s.getLargeUpdateCount();
        return hasResultSet;
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        ResultSet keys = HaResultSet.wrap(requireVendor().getGeneratedKeys(), this);
        ReplayLog log = conn.replayLog();
        if (log != null && keys != null && !conn.autoCommit()) {
            ((HaResultSet) keys).sum = log.keysOf(this); // what the application reads of them is checked on replay
        }
        return keys;
    }

    private Statement requireVendor() throws SQLException {
        checkOpen();
        Statement s = boundVendor();
        if (s == null) {
            throw new SQLException("the statement has not run on the current connection", "24000");
        }
        return s;
    }

    // ------------------------------------------------------------------------------------ settings

    @Override
    public int getMaxFieldSize() throws SQLException {
        checkOpen();
        return settings == null || settings.maxFieldSize == -1 ? 0 : settings.maxFieldSize;
    }

    @Override
    public void setMaxFieldSize(int max) throws SQLException {
        checkOpen();
        settings().maxFieldSize = max;
        Statement s = boundVendor();
        if (s != null) {
            s.setMaxFieldSize(max);
        }
    }

    @Override
    public int getMaxRows() throws SQLException {
        return (int) getLargeMaxRows();
    }

    @Override
    public void setMaxRows(int max) throws SQLException {
        setLargeMaxRows(max);
    }

    @Override
    public long getLargeMaxRows() throws SQLException {
        checkOpen();
        return settings == null || settings.maxRows == -1 ? 0 : settings.maxRows;
    }

    @Override
    public void setLargeMaxRows(long max) throws SQLException {
        checkOpen();
        settings().maxRows = max;
        Statement s = boundVendor();
        if (s != null) {
            s.setLargeMaxRows(max);
        }
    }

    @Override
    public void setEscapeProcessing(boolean enable) throws SQLException {
        checkOpen();
        settings().escapeProcessing = enable;
        Statement s = boundVendor();
        if (s != null) {
            s.setEscapeProcessing(enable);
        }
    }

    @Override
    public int getQueryTimeout() throws SQLException {
        checkOpen();
        return settings == null || settings.queryTimeout == -1 ? 0 : settings.queryTimeout;
    }

    @Override
    public void setQueryTimeout(int seconds) throws SQLException {
        checkOpen();
        settings().queryTimeout = seconds;
        Statement s = boundVendor();
        if (s != null) {
            s.setQueryTimeout(seconds);
        }
    }

    @Override
    public void cancel() throws SQLException {
        Statement s = boundVendor();
        if (s != null) {
            s.cancel();
        }
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        Statement s = boundVendor();
        return s == null ? null : s.getWarnings();
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        Statement s = boundVendor();
        if (s != null) {
            s.clearWarnings();
        }
    }

    @Override
    public void setCursorName(String name) throws SQLException {
        checkOpen();
        settings().cursorName = name;
        Statement s = boundVendor();
        if (s != null) {
            s.setCursorName(name);
        }
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        checkOpen();
        settings().fetchDirection = direction;
        Statement s = boundVendor();
        if (s != null) {
            s.setFetchDirection(direction);
        }
    }

    @Override
    public int getFetchDirection() throws SQLException {
        checkOpen();
        return settings == null || settings.fetchDirection == -1 ? ResultSet.FETCH_FORWARD : settings.fetchDirection;
    }

    @Override
    public void setFetchSize(int rows) throws SQLException {
        checkOpen();
        settings().fetchSize = rows;
        Statement s = boundVendor();
        if (s != null) {
            s.setFetchSize(rows);
        }
    }

    @Override
    public int getFetchSize() throws SQLException {
        checkOpen();
        return settings == null || settings.fetchSize == -1 ? 0 : settings.fetchSize;
    }

    @Override
    public int getResultSetConcurrency() throws SQLException {
        checkOpen();
        StatementSpec spec = spec();
        return spec == null || spec.resultSetConcurrency() == -1 ? ResultSet.CONCUR_READ_ONLY
                : spec.resultSetConcurrency();
    }

    @Override
    public int getResultSetType() throws SQLException {
        checkOpen();
        StatementSpec spec = spec();
        return spec == null || spec.resultSetType() == -1 ? ResultSet.TYPE_FORWARD_ONLY : spec.resultSetType();
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
        checkOpen();
        StatementSpec spec = spec();
        return spec == null || spec.resultSetHoldability() == -1 ? conn.getHoldability()
                : spec.resultSetHoldability();
    }

    @Override
    public void setPoolable(boolean poolable) throws SQLException {
        checkOpen();
        settings().poolable = poolable;
        Statement s = boundVendor();
        if (s != null) {
            s.setPoolable(poolable);
        }
    }

    @Override
    public boolean isPoolable() throws SQLException {
        checkOpen();
        return settings != null && settings.poolable;
    }

    @Override
    public void closeOnCompletion() throws SQLException {
        checkOpen();
        settings().closeOnCompletion = true;
        Statement s = boundVendor();
        if (s != null) {
            s.closeOnCompletion();
        }
    }

    @Override
    public boolean isCloseOnCompletion() throws SQLException {
        checkOpen();
        return settings != null && settings.closeOnCompletion;
    }

    // ------------------------------------------------------------------------------------ lifecycle

    @Override
    public Connection getConnection() throws SQLException {
        checkOpen();
        return conn;
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        result = null;
        Statement v = vendor;
        vendor = null;
        try {
            if (v != null) {
                v.close();
            }
        } finally {
            conn.closed(this); // may give the physical connection back: after the vendor statement is closed
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLNonTransientException("the statement is closed", "HY010");
        }
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        Statement s = vendor != null ? vendor : vendorFor(sql);
        return iface.isInstance(s) ? iface.cast(s) : s.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return true;
        }
        Statement s = vendor != null ? vendor : vendorFor(sql);
        return iface.isInstance(s) || s.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (sql == null ? "" : sql) + "]";
    }
}
