package dev.haven.jdbc.internal;

import dev.haven.core.ErrorClassifier;
import dev.haven.core.ErrorKind;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.ReplicationPosition;
import dev.haven.core.Role;
import dev.haven.core.StatementKind;
import dev.haven.core.Topology;
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
import java.sql.SQLTransientConnectionException;
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
 *   <li>failures: see {@link #failed}.</li>
 * </ul>
 *
 * Session state set on the logical connection (auto-commit, isolation, catalog, schema, network timeout,
 * holdability, client info, type map) is applied to every physical connection it takes.
 *
 * <p>Implementation notes: confined to one thread at a time, as JDBC connections are; no locks. The physical
 * connection is re-checked against the topology only when the topology's epoch moved since the last check (one
 * volatile read per statement otherwise).
 */
public final class HaConnection implements Connection {

    private static final String RESOLUTION_UNKNOWN = "08007";

    final ClusterContext ctx;

    // Session state, applied to each physical connection.
    private boolean autoCommit = true;
    private boolean readOnly;
    /** Session settings beyond auto-commit and read-only; null while the application made none (the usual case). */
    private Session session;

    // The physical connection, if any.
    private Node node;
    private Connection raw;
    private boolean rawForReads;
    private long checkedEpoch;
    /** Bumped at every new physical connection, so statements know when to re-create their vendor statements. */
    private int generation;

    /** Whether this connection holds one of the write gate's leases (see {@link WriteGate}). */
    private boolean writeLease;
    private boolean transactionActive;
    private boolean transactionWrote;
    private int transactionStatements;
    private boolean closed;
    private boolean closing;
    /**
     * Open statements: the first in a field, others in a list made on demand, because most connections run one
     * statement at a time and the cycle should allocate as little as possible.
     */
    private HaStatement firstStatement;
    private List<HaStatement> statements;
    private final Runnable onClose;

    /** Session settings, -1 or null where the application left the server's default. */
    private static final class Session {
        int isolation = -1;
        String catalog;
        String schema;
        int holdability = -1;
        int networkTimeoutMillis = -1;
        Executor networkTimeoutExecutor;
        Properties clientInfo;
        Map<String, Class<?>> typeMap;
    }

    private Session session() {
        Session s = session;
        if (s == null) {
            s = new Session();
            session = s;
        }
        return s;
    }

    HaConnection(ClusterContext ctx, Runnable onClose) {
        this.ctx = ctx;
        this.onClose = onClose;
    }

    // ------------------------------------------------------------------------------------------ routing core

    /**
     * The physical connection a statement must run on now, for {@code sql} (null when unknown, as for
     * metadata). Takes one if needed; may switch nodes between auto-commit statements.
     */
    Connection physical(String sql) throws SQLException {
        checkOpen();
        boolean forReads = routesToReplica(sql);
        if (raw != null) {
            if (transactionActive || forReads == rawForReads || hasOpenResults()) {
                revalidate();
                if (raw != null) {
                    return raw;
                }
            } else {
                release();
            }
        }
        bind(forReads);
        return raw;
    }

    /**
     * The monitored cluster behind this connection, for applications that reach it with
     * {@code connection.unwrap(HaConnection.class)} (through any pool): its topology, router and events.
     */
    public dev.haven.core.HavenCluster cluster() {
        return ctx.cluster;
    }

    int generation() {
        return generation;
    }

    private boolean routesToReplica(String sql) {
        if (readOnly) {
            return true;
        }
        if (ctx.autoRouting && autoCommit && sql != null) {
            return ctx.classifier.classify(sql) == StatementKind.READ;
        }
        return false;
    }

    /**
     * Takes a physical connection from the target node's pool. When the pool cannot reach the node (it died since
     * the topology was published), the node is reported at once and the next target is tried, waiting for the
     * topology to move (a new primary, another replica, the same node probed healthy again) up to
     * {@code ha.failover.timeout}.
     */
    private void bind(boolean forReads) throws SQLException {
        if (!forReads) {
            ctx.writeGate.enter(ctx.config.failoverTimeout().toNanos());
            writeLease = true;
        }
        try {
            bindNode(forReads);
        } catch (SQLException | RuntimeException e) {
            if (writeLease) {
                writeLease = false;
                ctx.writeGate.leave();
            }
            throw e;
        }
    }

    private void bindNode(boolean forReads) throws SQLException {
        long deadline = 0; // set at the first refusal: the common path reads no clock
        NodeAddress refused = null;
        SQLException refusal = null;
        while (true) {
            Node target = forReads ? readTarget() : writeTarget();
            if (target.address().equals(refused) && target.health() != dev.haven.core.Health.UP) {
                long epoch = ctx.cluster.topology().epoch();
                long left = deadline - System.nanoTime();
                if (left <= 0 || !awaitTopologyAfter(epoch, left)) {
                    throw refusal;
                }
                continue;
            }
            Connection c;
            try {
                c = ctx.pools.borrow(target);
            } catch (SQLException e) {
                if (ErrorClassifier.classify(e) != ErrorKind.NODE_GONE && !(e instanceof SQLTransientConnectionException)) {
                    throw e;
                }
                ctx.cluster.nodeFailed(target.address());
                if (refused == null) {
                    deadline = System.nanoTime() + ctx.config.failoverTimeout().toNanos();
                }
                refused = target.address();
                refusal = e;
                if (System.nanoTime() >= deadline) {
                    throw e;
                }
                continue;
            }
            try {
                applySession(c, target.role() == Role.PRIMARY && readOnly);
            } catch (SQLException e) {
                abortQuietly(c);
                throw e;
            }
            adopt(target, c, forReads);
            if (forReads && ctx.readYourWrites && target.role() == Role.REPLICA) {
                awaitOwnWrites();
            }
            return;
        }
    }

    private boolean awaitTopologyAfter(long epoch, long nanos) throws SQLException {
        try {
            return ctx.cluster.state().awaitTopologyAfter(epoch, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("interrupted while waiting for the topology", "08001", e);
        }
    }

    /** The primary, waiting up to {@code ha.failover.timeout} for one; then a {@code NoPrimaryException}. */
    private Node writeTarget() throws SQLException {
        return ctx.cluster.router().awaitWrite();
    }

    private Node readTarget() throws SQLException {
        ReplicationPosition after = ctx.readYourWrites ? ctx.lastWrite() : ReplicationPosition.EMPTY;
        Node target = after.isEmpty() ? ctx.cluster.router().routeRead() : ctx.cluster.router().routeReadAfter(after);
        if (target == null) {
            if (ctx.cluster.topology().primary() == null) {
                return writeTarget(); // waits for a primary, then fails clearly
            }
            throw new SQLTransientConnectionException("no replica is eligible for reads and ha.readFallback=fail;"
                    + " topology: " + ctx.cluster.topology(), "08001");
        }
        return target;
    }

    /**
     * Read-your-writes on a replica that may not have our last write yet: wait for it on the replica, bounded by
     * {@code ha.consistency.timeout}; past that, read from the primary instead.
     */
    private void awaitOwnWrites() throws SQLException {
        ReplicationPosition after = ctx.lastWrite();
        if (after.isEmpty() || node.position().covers(after)) {
            return;
        }
        double seconds = ctx.config.consistencyTimeout().toMillis() / 1000.0;
        int result;
        try (Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(ctx.waitSql(node.address(), after, seconds))) {
            result = rs.next() ? rs.getInt(1) : -1;
        }
        if (result != 0) {
            release();
            bindPrimaryForReads();
        }
    }

    private void bindPrimaryForReads() throws SQLException {
        Node primary = writeTarget();
        Connection c = ctx.pools.borrow(primary);
        try {
            applySession(c, readOnly);
        } catch (SQLException e) {
            abortQuietly(c);
            throw e;
        }
        adopt(primary, c, true);
    }

    /** Makes {@code c}, borrowed from {@code target}'s pool, this connection's physical connection. */
    private void adopt(Node target, Connection c, boolean forReads) {
        node = target;
        raw = c;
        rawForReads = forReads;
        checkedEpoch = ctx.cluster.topology().epoch();
        generation++; // statements re-create their vendor statements on the new connection
        if (ctx.countsOutstanding) {
            target.stats().requestStarted();
        }
    }

    /**
     * The topology moved since we last looked: is our node still fit for what we use it for? A demoted or dead
     * node is dropped; inside a transaction that means the transaction is lost, which the caller must learn.
     */
    private void revalidate() throws SQLException {
        Topology t = ctx.cluster.topology();
        if (t.epoch() == checkedEpoch) {
            return;
        }
        checkedEpoch = t.epoch();
        Node now = t.node(node.address());
        boolean fit;
        if (now == null || now.health() == dev.haven.core.Health.DOWN) {
            fit = false;
        } else if (rawForReads) {
            fit = true; // a lagging replica finishes what it serves; new reads are routed afresh
        } else {
            fit = t.primary() != null && t.primary().address().equals(node.address());
        }
        if (fit) {
            node = now;
            return;
        }
        NodeAddress lost = node.address();
        boolean wasInTransaction = transactionActive && transactionStatements > 0;
        discard();
        if (wasInTransaction) {
            throw resolutionUnknown("the transaction's node " + lost + " is " + (now == null ? "gone"
                    : now.health() == dev.haven.core.Health.DOWN ? "down" : "no longer the primary")
                    + "; the transaction was abandoned and whether it committed is unknown", null);
        }
    }

    private boolean hasOpenResults() {
        if (firstStatement != null && firstStatement.hasOpenResult()) {
            return true;
        }
        if (statements != null) {
            for (int i = 0; i < statements.size(); i++) {
                if (statements.get(i).hasOpenResult()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Called by a statement after it ran successfully. */
    void executed(String sql, boolean wrote) throws SQLException {
        ctx.routing.statementExecuted(node.address(), rawForReads);
        if (!autoCommit) {
            transactionActive = true;
            transactionStatements++;
            transactionWrote |= wrote;
        } else if (wrote && ctx.readYourWrites && !rawForReads) {
            ctx.recordWrite(node.address(), raw);
        }
    }

    /** Whether a retry may move {@code sql} to another node now: nothing of a transaction is at stake. */
    boolean mayRetryElsewhere() {
        return !transactionActive || transactionStatements == 0;
    }

    boolean boundForReads() {
        return rawForReads;
    }

    /**
     * Decides what a failed statement means. Returns null when the statement should simply run again (on a new
     * physical connection, which {@link #physical} will take), or the exception to throw:
     *
     * <ul>
     *   <li>node gone (communication failure): the node is reported to the monitor at once. A read in auto-commit
     *       mode is retried once elsewhere. Anything else, a write in flight or an open transaction, may or may
     *       not have been applied: {@code 08007} (transaction resolution unknown), and the logical connection
     *       stays usable, its next statement going to the current primary;</li>
     *   <li>refused as read-only (1290, 1836, 3100): the node is no longer the primary and nothing was applied. The
     *       statement is retried once on the new primary, after a topology refresh, unless earlier statements of
     *       the same transaction ran on the old one;</li>
     *   <li>anything else (deadlocks, constraint violations, syntax): the application's business, returned as is.</li>
     * </ul>
     */
    SQLException failed(SQLException error, boolean readOnlyStatement, int attempt) {
        ErrorKind kind = ErrorClassifier.classify(error);
        if (kind == ErrorKind.NODE_GONE) {
            NodeAddress lost = node == null ? null : node.address();
            boolean retryable = attempt == 0 && readOnlyStatement && mayRetryElsewhere();
            boolean wasInTransaction = transactionActive && transactionStatements > 0;
            if (lost != null) {
                ctx.cluster.nodeFailed(lost);
            }
            discard();
            if (retryable) {
                ctx.routing.statementRetried(lost, kind);
                return null;
            }
            if (readOnlyStatement && !wasInTransaction) {
                return new SQLTransientConnectionException("the read failed on " + lost + " and again on its retry: "
                        + error.getMessage(), "08006", error.getErrorCode(), error);
            }
            return resolutionUnknown((wasInTransaction ? "the connection to " + lost + " failed during a transaction"
                    : "the connection to " + lost + " failed while a write was in flight")
                    + ", so whether it committed is unknown", error);
        }
        if (kind == ErrorKind.NOT_PRIMARY && attempt == 0 && mayRetryElsewhere() && node != null && !rawForReads) {
            NodeAddress demoted = node.address();
            discard();
            awaitPrimaryOtherThan(demoted);
            ctx.routing.statementRetried(demoted, kind);
            return null;
        }
        return error;
    }

    private void awaitPrimaryOtherThan(NodeAddress demoted) {
        ctx.cluster.refresh();
        long deadline = System.nanoTime() + ctx.config.failoverTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            Node primary = ctx.cluster.topology().primary();
            if (primary != null && !primary.address().equals(demoted)) {
                return;
            }
            try {
                ctx.cluster.state().awaitTopologyAfter(ctx.cluster.topology().epoch(), deadline - System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private SQLException resolutionUnknown(String what, SQLException cause) {
        return new SQLNonTransientConnectionException(what + ". Check whether your last transaction's changes are"
                + " there before retrying it; this connection stays usable and its next transaction goes to the"
                + " current primary.", RESOLUTION_UNKNOWN, cause == null ? 0 : cause.getErrorCode(), cause);
    }

    // ------------------------------------------------------------------------------------------ session state

    private void applySession(Connection c, boolean propagateReadOnly) throws SQLException {
        if (c.getAutoCommit() != autoCommit) {
            c.setAutoCommit(autoCommit);
        }
        if (propagateReadOnly && !c.isReadOnly()) {
            // Only a primary serving a read-only connection needs the flag; replicas are read-only already,
            // and the flag costs a round trip each way on some drivers.
            c.setReadOnly(true);
        }
        Session session = this.session;
        if (session == null) {
            return;
        }
        if (session.isolation != -1) {
            c.setTransactionIsolation(session.isolation);
        }
        if (session.catalog != null) {
            c.setCatalog(session.catalog);
        }
        if (session.schema != null) {
            c.setSchema(session.schema);
        }
        if (session.holdability != -1) {
            c.setHoldability(session.holdability);
        }
        if (session.networkTimeoutMillis != -1) {
            c.setNetworkTimeout(session.networkTimeoutExecutor, session.networkTimeoutMillis);
        }
        if (session.clientInfo != null) {
            c.setClientInfo(session.clientInfo);
        }
        if (session.typeMap != null) {
            c.setTypeMap(session.typeMap);
        }
    }

    /** Gives the physical connection back to its pool. */
    private void release() throws SQLException {
        Connection c = raw;
        raw = null;
        finishRequest();
        transactionActive = false;
        transactionWrote = false;
        transactionStatements = 0;
        if (c != null) {
            releaseStatements();
            c.close();
        }
    }

    /** Drops the physical connection without giving it back: it is broken or on the wrong node. */
    private void discard() {
        Connection c = raw;
        raw = null;
        finishRequest();
        transactionActive = false;
        transactionWrote = false;
        transactionStatements = 0;
        releaseStatements();
        if (c != null) {
            abortQuietly(c);
        }
    }

    /** The node no longer serves this connection: for the strategies that count requests in flight. */
    private void finishRequest() {
        if (writeLease) {
            writeLease = false;
            ctx.writeGate.leave();
        }
        Node n = node;
        node = null;
        if (n != null && ctx.countsOutstanding) {
            n.stats().requestFinished();
        }
    }

    private void releaseStatements() {
        if (firstStatement != null) {
            firstStatement.physicalReleased();
        }
        if (statements != null) {
            for (int i = 0; i < statements.size(); i++) {
                statements.get(i).physicalReleased();
            }
        }
    }

    private static void abortQuietly(Connection c) {
        try {
            // Hikari closes the underlying connection instead of returning it to the pool.
            c.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException | RuntimeException ignored) {
                // already broken
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
        if (statements == null) {
            statements = new ArrayList<>(4);
        }
        statements.add(statement);
    }

    /**
     * A statement was closed. In auto-commit mode, once no statement is open, the physical connection goes back to
     * its pool: the next statement is routed afresh. That keeps routing per unit of work when the logical
     * connection itself lives long, as under a pool of {@code jdbc:ha:} connections.
     */
    void closed(HaStatement statement) throws SQLException {
        if (closing) {
            return;
        }
        if (firstStatement == statement) {
            firstStatement = null;
        } else if (statements != null) {
            statements.remove(statement);
        }
        if (autoCommit && raw != null && firstStatement == null && (statements == null || statements.isEmpty())) {
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
        if (autoCommit == this.autoCommit) {
            return;
        }
        if (raw != null) {
            // Switching to auto-commit commits an open transaction (JDBC); the physical connection goes back.
            boolean wrote = transactionWrote;
            NodeAddress on = node.address();
            try {
                raw.setAutoCommit(autoCommit);
            } catch (SQLException e) {
                throw commitFailed(e, on);
            }
            if (autoCommit && wrote && ctx.readYourWrites && raw != null) {
                ctx.recordWrite(on, raw);
            }
            this.autoCommit = autoCommit;
            if (autoCommit) {
                release();
            }
            return;
        }
        this.autoCommit = autoCommit;
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        checkOpen();
        return autoCommit;
    }

    @Override
    public void commit() throws SQLException {
        checkOpen();
        if (autoCommit) {
            throw new SQLException("commit() with auto-commit on", "25000");
        }
        if (raw == null) {
            return; // nothing ran: nothing to commit
        }
        NodeAddress on = node.address();
        boolean wrote = transactionWrote;
        try {
            raw.commit();
            if (wrote && ctx.readYourWrites) {
                ctx.recordWrite(on, raw);
            }
        } catch (SQLException e) {
            throw commitFailed(e, on);
        }
        endTransaction();
    }

    /** The transaction is over: the physical connection goes back, unless a result set still reads from it. */
    private void endTransaction() throws SQLException {
        if (hasOpenResults()) {
            transactionActive = false;
            transactionWrote = false;
            transactionStatements = 0;
        } else {
            release();
        }
    }

    private SQLException commitFailed(SQLException e, NodeAddress on) {
        if (ErrorClassifier.classify(e) == ErrorKind.NODE_GONE) {
            ctx.cluster.nodeFailed(on);
            discard();
            return resolutionUnknown("the connection to " + on + " failed during commit", e);
        }
        return e;
    }

    @Override
    public void rollback() throws SQLException {
        checkOpen();
        if (autoCommit) {
            throw new SQLException("rollback() with auto-commit on", "25000");
        }
        if (raw == null) {
            return;
        }
        try {
            raw.rollback();
            endTransaction();
        } catch (SQLException e) {
            if (ErrorClassifier.classify(e) == ErrorKind.NODE_GONE) {
                // The server rolls back a transaction whose connection died: the outcome is known.
                ctx.cluster.nodeFailed(node.address());
                discard();
                return;
            }
            throw e;
        }
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        Savepoint s = physical(null).setSavepoint();
        transactionActive = true;
        return s;
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        Savepoint s = physical(null).setSavepoint(name);
        transactionActive = true;
        return s;
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        checkOpen();
        if (raw == null) {
            throw new SQLException("no transaction holds savepoint " + savepoint, "3B001");
        }
        raw.rollback(savepoint);
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        checkOpen();
        if (raw == null) {
            throw new SQLException("no transaction holds savepoint " + savepoint, "3B001");
        }
        raw.releaseSavepoint(savepoint);
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        SQLException first = null;
        closing = true; // statements closing now leave the bookkeeping alone: no copy to iterate over
        if (firstStatement != null) {
            try {
                firstStatement.close();
            } catch (SQLException e) {
                first = e;
            }
            firstStatement = null;
        }
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
        try {
            release(); // HikariCP rolls back an unfinished transaction before reuse
        } catch (SQLException e) {
            discard();
            first = first == null ? e : first;
        }
        if (onClose != null) {
            onClose.run();
        }
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
        if (onClose != null) {
            onClose.run();
        }
    }

    @Override
    public boolean isValid(int timeout) throws SQLException {
        if (closed) {
            return false;
        }
        if (raw != null) {
            return raw.isValid(timeout);
        }
        return ctx.cluster.topology().primary() != null || ctx.cluster.router().routeRead() != null;
    }

    // ------------------------------------------------------------------------------------------ session setters

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        checkOpen();
        if (transactionActive && readOnly != this.readOnly) {
            throw new SQLException("cannot change read-only during a transaction", "25001");
        }
        this.readOnly = readOnly;
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        checkOpen();
        return readOnly;
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        checkOpen();
        if (raw != null) {
            raw.setTransactionIsolation(level);
        }
        session().isolation = level;
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        if (session == null || session.isolation == -1) {
            return raw != null ? raw.getTransactionIsolation() : TRANSACTION_REPEATABLE_READ;
        }
        return session.isolation;
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        checkOpen();
        if (raw != null) {
            raw.setCatalog(catalog);
        }
        session().catalog = catalog;
    }

    @Override
    public String getCatalog() throws SQLException {
        checkOpen();
        if (session == null || session.catalog == null) {
            return raw != null ? raw.getCatalog() : ctx.url.database();
        }
        return session.catalog;
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        checkOpen();
        if (raw != null) {
            raw.setSchema(schema);
        }
        session().schema = schema;
    }

    @Override
    public String getSchema() throws SQLException {
        checkOpen();
        if (session == null || session.schema == null) {
            return raw != null ? raw.getSchema() : null;
        }
        return session.schema;
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        checkOpen();
        if (raw != null) {
            raw.setHoldability(holdability);
        }
        session().holdability = holdability;
    }

    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        if (session == null || session.holdability == -1) {
            return raw != null ? raw.getHoldability() : ResultSet.HOLD_CURSORS_OVER_COMMIT;
        }
        return session.holdability;
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        checkOpen();
        if (raw != null) {
            raw.setNetworkTimeout(executor, milliseconds);
        }
        session().networkTimeoutExecutor = executor;
        session().networkTimeoutMillis = milliseconds;
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        checkOpen();
        if (session == null || session.networkTimeoutMillis == -1) {
            return raw != null ? raw.getNetworkTimeout() : ctx.defaultNetworkTimeoutMillis;
        }
        return session.networkTimeoutMillis;
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        Session session = session();
        if (session.clientInfo == null) {
            session.clientInfo = new Properties();
        }
        if (value == null) {
            session.clientInfo.remove(name);
        } else {
            session.clientInfo.setProperty(name, value);
        }
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
        session().clientInfo = info;
        if (raw != null) {
            raw.setClientInfo(properties);
        }
    }

    @Override
    public String getClientInfo(String name) throws SQLException {
        checkOpen();
        return session == null || session.clientInfo == null ? null : session.clientInfo.getProperty(name);
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        checkOpen();
        Properties copy = new Properties();
        if (session != null && session.clientInfo != null) {
            copy.putAll(session.clientInfo);
        }
        return copy;
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        checkOpen();
        Map<String, Class<?>> map = session == null ? null : session.typeMap;
        return map != null ? map : raw != null ? raw.getTypeMap() : new java.util.HashMap<>();
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
        checkOpen();
        if (raw != null) {
            raw.setTypeMap(map);
        }
        session().typeMap = map;
    }

    // ------------------------------------------------------------------------------------------ needing a node

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        // a node now, as before any statement; the metadata then follows this connection's physical connection
        return HaDatabaseMetaData.following(this, physical(null));
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        return physical(sql).nativeSQL(sql);
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return raw == null ? null : raw.getWarnings();
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        if (raw != null) {
            raw.clearWarnings();
        }
    }

    @Override
    public Clob createClob() throws SQLException {
        return physical(null).createClob();
    }

    @Override
    public Blob createBlob() throws SQLException {
        return physical(null).createBlob();
    }

    @Override
    public NClob createNClob() throws SQLException {
        return physical(null).createNClob();
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        return physical(null).createSQLXML();
    }

    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        return physical(null).createArrayOf(typeName, elements);
    }

    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        return physical(null).createStruct(typeName, attributes);
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        Connection c = physical(null);
        return iface.isInstance(c) ? iface.cast(c) : c.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return true;
        }
        Connection c = physical(null);
        return iface.isInstance(c) || c.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "HaConnection[" + (closed ? "closed" : node == null ? "unbound" : node.address()
                + (rawForReads ? " for reads" : " for writes")) + (readOnly ? ", read-only" : "")
                + (autoCommit ? "" : ", manual commit") + "]";
    }
}
