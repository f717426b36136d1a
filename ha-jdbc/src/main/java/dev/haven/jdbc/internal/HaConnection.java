package dev.haven.jdbc.internal;

import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * A logical connection: what {@code HaDataSource.getConnection()} returns. It holds no physical connection until
 * its first statement runs, then borrows one from the chosen node's pool:
 *
 * <ul>
 *   <li>read-only connections read from a replica; read-write ones go to the primary; with
 *       {@code ha.routing=auto}, plain reads in auto-commit mode go to replicas too;</li>
 *   <li>a transaction (auto-commit off, from its first statement to commit or rollback) keeps one physical
 *       connection throughout and returns it to its pool at the end; in auto-commit mode the physical connection
 *       is kept while the routing target stays the same, and changed between statements when it does not;</li>
 *   <li>failures: {@link FailurePolicy}, whose table is {@code docs/failure-semantics.md}.</li>
 * </ul>
 *
 * This class is the JDBC facade: the routing state machine, the session settings and the failure handling live in
 * {@link RoutingSession}, which it extends (one object per logical connection); it keeps the open statements and
 * the connection's own lifecycle.
 *
 * <p>Implementation notes: confined to one thread at a time, as JDBC connections are; no locks.
 */
public class HaConnection extends RoutingSession implements Connection {


    /**
     * Open statements: the first in a field, others in a list made on demand and kept with the session's rare
     * parts ({@link #moreStatements()}), because most connections run one statement at a time and the cycle should
     * allocate as little as possible.
     */
    private HaStatement firstStatement;

    HaConnection(ClusterContext ctx) {
        super(ctx);
    }

    /**
     * A logical connection that runs a hook once when it is closed or aborted (the driver's connections). A
     * subclass rather than a field, so that the data source's connections, which have no hook, stay at 56 bytes.
     */
    static final class WithCloseHook extends HaConnection {
        private final Runnable onClose;

        WithCloseHook(ClusterContext ctx, Runnable onClose) {
            super(ctx);
            this.onClose = onClose;
        }

        @Override
        void afterClose() {
            onClose.run();
        }
    }

    /** Runs once, after the connection was closed or aborted. */
    void afterClose() {
    }

    /**
     * The physical connection a statement must run on now, for {@code sql} (null when unknown, as for metadata).
     */
    Connection physical(HaStatement statement, String sql) throws SQLException {
        checkOpen();
        return route(statement, sql);
    }

    private Connection physical() throws SQLException {
        return physical(null, null);
    }

    /**
     * The monitored cluster behind this connection, for applications that reach it with
     * {@code connection.unwrap(HaConnection.class)} (through any pool): its topology, router and events.
     */
    public dev.haven.core.HavenCluster cluster() {
        return ctx.cluster;
    }

    @Override
    boolean hasOpenResults() {
        if (firstStatement != null && firstStatement.hasOpenResult()) {
            return true;
        }
        List<HaStatement> statements = moreStatements();
        if (statements != null) {
            for (int i = 0; i < statements.size(); i++) {
                if (statements.get(i).hasOpenResult()) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    void physicalReleased(boolean closeStatements) {
        if (firstStatement != null) {
            firstStatement.physicalReleased(closeStatements);
        }
        List<HaStatement> statements = moreStatements();
        if (statements != null) {
            for (int i = 0; i < statements.size(); i++) {
                statements.get(i).physicalReleased(closeStatements);
            }
        }
    }

    private void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLNonTransientConnectionException("the connection is closed", "08003");
        }
    }

    void opened(HaStatement statement) {
        if (firstStatement == null) {
            firstStatement = statement;
            return;
        }
        List<HaStatement> statements = moreStatements();
        if (statements == null) {
            statements = new ArrayList<>(4);
            keepMoreStatements(statements);
        }
        statements.add(statement);
    }

    /**
     * A statement was closed. In auto-commit mode, once no statement is open, the physical connection goes back to
     * its pool: the next statement is routed afresh. That keeps routing per unit of work when the logical
     * connection itself lives long, as under a pool of {@code jdbc:ha:} connections.
     */
    void closed(HaStatement statement) {
        if (closed) {
            return; // closing (or aborted): close() lets the statements go itself, with no copy to iterate over
        }
        if (firstStatement == statement) {
            firstStatement = null;
        } else if (moreStatements() != null) {
            moreStatements().remove(statement);
        }
        if (autoCommit() && raw() != null && firstStatement == null
                && (moreStatements() == null || moreStatements().isEmpty())) {
            release();
        }
    }

    // ------------------------------------------------------------------------------------------ statements

    @Override
    public Statement createStatement() throws SQLException {
        return createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        return createStatement(resultSetType, resultSetConcurrency, -1);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        checkOpen();
        boolean defaults = resultSetType == ResultSet.TYPE_FORWARD_ONLY
                && resultSetConcurrency == ResultSet.CONCUR_READ_ONLY && resultSetHoldability == -1;
        return new HaStatement(this, null, defaults ? null : new StatementSpec(null, resultSetType,
                resultSetConcurrency, resultSetHoldability, -1, null, null, false));
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        checkOpen();
        return new HaPreparedStatement(this, sql, null);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        return prepare(new StatementSpec(sql, resultSetType, resultSetConcurrency, -1, -1, null, null, false));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
                                              int resultSetHoldability) throws SQLException {
        return prepare(new StatementSpec(sql, resultSetType, resultSetConcurrency, resultSetHoldability, -1, null,
                null, false));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        return prepare(new StatementSpec(sql, -1, -1, -1, autoGeneratedKeys, null, null, false));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        return prepare(new StatementSpec(sql, -1, -1, -1, -1, columnIndexes, null, false));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return prepare(new StatementSpec(sql, -1, -1, -1, -1, null, columnNames, false));
    }

    private PreparedStatement prepare(StatementSpec spec) throws SQLException {
        checkOpen();
        return new HaPreparedStatement(this, spec.sql(), spec);
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        return prepareCall(sql, -1, -1, -1);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        return prepareCall(sql, resultSetType, resultSetConcurrency, -1);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
                                         int resultSetHoldability) throws SQLException {
        checkOpen();
        return new HaCallableStatement(this, new StatementSpec(sql, resultSetType, resultSetConcurrency,
                resultSetHoldability, -1, null, null, true));
    }

    // ------------------------------------------------------------------------------------------ transactions

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        checkOpen();
        changeAutoCommit(autoCommit);
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        checkOpen();
        return autoCommit();
    }

    @Override
    public void commit() throws SQLException {
        checkOpen();
        commitTransaction();
    }

    @Override
    public void rollback() throws SQLException {
        checkOpen();
        rollbackTransaction();
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        Connection c = physical();
        Savepoint s;
        try {
            s = c.setSavepoint();
        } catch (SQLException e) {
            throw transactionCallFailed(e);
        }
        savepointSet();
        return s;
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        Connection c = physical();
        Savepoint s;
        try {
            s = c.setSavepoint(name);
        } catch (SQLException e) {
            throw transactionCallFailed(e);
        }
        savepointSet();
        return s;
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        checkOpen();
        Connection raw = raw();
        if (raw == null) {
            throw new SQLException("no transaction holds savepoint " + savepoint, "3B001");
        }
        try {
            raw.rollback(savepoint);
        } catch (SQLException e) {
            throw transactionCallFailed(e);
        }
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        checkOpen();
        Connection raw = raw();
        if (raw == null) {
            throw new SQLException("no transaction holds savepoint " + savepoint, "3B001");
        }
        try {
            raw.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            throw transactionCallFailed(e);
        }
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        SQLException first = null;
        if (firstStatement != null) {
            try {
                firstStatement.close();
            } catch (SQLException e) {
                first = e;
            }
            firstStatement = null;
        }
        List<HaStatement> statements = moreStatements();
        if (statements != null) {
            for (int i = 0; i < statements.size(); i++) {
                try {
                    statements.get(i).close();
                } catch (SQLException e) {
                    first = first == null ? e : first;
                }
            }
            statements.clear();
        }
        release(); // HikariCP rolls back an unfinished transaction before reuse; failures change nothing
        afterClose();
        if (first != null) {
            throw first;
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        discard();
        afterClose();
    }

    @Override
    public boolean isValid(int timeout) throws SQLException {
        if (closed) {
            return false;
        }
        Connection raw = raw();
        if (raw != null) {
            return raw.isValid(timeout);
        }
        return ctx.cluster.topology().primary() != null || ctx.cluster.router().routeRead() != null;
    }

    // ------------------------------------------------------------------------------------------ session setters

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        checkOpen();
        changeReadOnly(readOnly);
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        checkOpen();
        return readOnly();
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        checkOpen();
        changeIsolation(level);
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        int level = transactionIsolation();
        if (level == -1) {
            Connection raw = raw();
            return raw != null ? raw.getTransactionIsolation() : TRANSACTION_REPEATABLE_READ;
        }
        return level;
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        checkOpen();
        changeCatalog(catalog);
    }

    @Override
    public String getCatalog() throws SQLException {
        checkOpen();
        String catalog = catalog();
        if (catalog == null) {
            Connection raw = raw();
            return raw != null ? raw.getCatalog() : ctx.url.database();
        }
        return catalog;
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        checkOpen();
        changeSchema(schema);
    }

    @Override
    public String getSchema() throws SQLException {
        checkOpen();
        String schema = schema();
        if (schema == null) {
            Connection raw = raw();
            return raw != null ? raw.getSchema() : null;
        }
        return schema;
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        checkOpen();
        changeHoldability(holdability);
    }

    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        int holdability = holdability();
        if (holdability == -1) {
            Connection raw = raw();
            return raw != null ? raw.getHoldability() : ResultSet.HOLD_CURSORS_OVER_COMMIT;
        }
        return holdability;
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        checkOpen();
        changeNetworkTimeout(executor, milliseconds);
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        checkOpen();
        int millis = networkTimeoutMillis();
        if (millis == -1) {
            Connection raw = raw();
            return raw != null ? raw.getNetworkTimeout() : ctx.defaultNetworkTimeoutMillis;
        }
        return millis;
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        Properties info = clientInfo();
        if (info == null) {
            info = new Properties();
            keepClientInfo(info);
        }
        if (value == null) {
            info.remove(name);
        } else {
            info.setProperty(name, value);
        }
        Connection raw = raw();
        if (raw != null) {
            raw.setClientInfo(name, value);
        }
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        Properties info = new Properties();
        if (properties != null) {
            info.putAll(properties);
        }
        keepClientInfo(info);
        Connection raw = raw();
        if (raw != null) {
            raw.setClientInfo(properties);
        }
    }

    @Override
    public String getClientInfo(String name) throws SQLException {
        checkOpen();
        Properties info = clientInfo();
        return info == null ? null : info.getProperty(name);
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        checkOpen();
        Properties copy = new Properties();
        Properties info = clientInfo();
        if (info != null) {
            copy.putAll(info);
        }
        return copy;
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        checkOpen();
        Map<String, Class<?>> map = typeMap();
        Connection raw = raw();
        return map != null ? map : raw != null ? raw.getTypeMap() : new java.util.HashMap<>();
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
        checkOpen();
        changeTypeMap(map);
    }

    // ------------------------------------------------------------------------------------------ needing a node

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        // a node now, as before any statement; the metadata then follows this connection's physical connection
        return HaDatabaseMetaData.following(this, physical());
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        return physical().nativeSQL(sql);
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        Connection raw = raw();
        return raw == null ? null : raw.getWarnings();
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        Connection raw = raw();
        if (raw != null) {
            raw.clearWarnings();
        }
    }

    @Override
    public Clob createClob() throws SQLException {
        return physical().createClob();
    }

    @Override
    public Blob createBlob() throws SQLException {
        return physical().createBlob();
    }

    @Override
    public NClob createNClob() throws SQLException {
        return physical().createNClob();
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        return physical().createSQLXML();
    }

    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        return physical().createArrayOf(typeName, elements);
    }

    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        return physical().createStruct(typeName, attributes);
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        Connection c = physical();
        return iface.isInstance(c) ? iface.cast(c) : c.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return true;
        }
        Connection c = physical();
        return iface.isInstance(c) || c.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "HaConnection[" + (closed ? "closed" : describe()) + "]";
    }
}
