package dev.haven.jdbc.internal;

import dev.haven.core.ErrorClassifier;
import dev.haven.core.ErrorKind;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.ReplicationPosition;
import dev.haven.core.Role;
import dev.haven.core.StatementKind;
import dev.haven.core.Topology;
import dev.haven.jdbc.internal.FailurePolicy.Decision;
import dev.haven.jdbc.internal.FailurePolicy.Kind;
import dev.haven.jdbc.internal.FailurePolicy.Phase;
import dev.haven.jdbc.internal.FailurePolicy.Tx;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * The routing state machine of one logical connection: which physical connection it holds, on which node, for
 * what, and what happens when something fails there. {@link HaConnection} and the statements are JDBC facades over
 * it; what a failure means is decided by {@link FailurePolicy}, and carried out here.
 *
 * <p>{@link HaConnection} extends this class rather than holding an instance, so that a logical connection stays
 * one object: the connection cycle allocates no more than before the split ({@code ConnectionCycleBench}, B/op).
 * The session's operations are named for what they do to the session ({@code changeAutoCommit},
 * {@code commitTransaction}, ...) so that they never collide with the JDBC methods the facade implements.
 *
 * <pre>
 *   UNBOUND --first statement--> BOUND_READ | BOUND_WRITE --statement with auto-commit off--> IN_TRANSACTION
 *      ^                               |                                                       |
 *      +--- released (auto-commit statement done, commit, rollback, close) or discarded -------+
 *   RECOVERING: while binding again after a failure (waiting for another connection or the new primary)
 * </pre>
 *
 * <p>Session settings made on the logical connection (auto-commit, read-only, isolation, catalog, schema, network
 * timeout, holdability, client info, type map) are kept here and applied to every physical connection it takes.
 *
 * <p>Implementation notes: confined to one thread at a time, as JDBC connections are; no locks. The physical
 * connection is re-checked against the topology only when the topology's epoch moved since the last check (one
 * volatile read per statement otherwise). The common path reads no clock and allocates nothing.
 */
abstract class RoutingSession {

    private static final String RESOLUTION_UNKNOWN = "08007";
    /** Not committed, rolled back: retry the whole transaction (Spring and most frameworks retry it). */
    static final String RETRY_TRANSACTION = "40001";
    /** How often a check of an acknowledgement from a node in doubt looks again (rare: only after a fault). */
    private static final long ACKNOWLEDGEMENT_POLL_NANOS = 2_000_000L;

    /** Where the session stands; see the class comment. */
    enum State { UNBOUND, BOUND_READ, BOUND_WRITE, IN_TRANSACTION, RECOVERING }

    final ClusterContext ctx;

    /**
     * The logical connection is closed ({@link HaConnection}'s lifecycle). Declared here rather than in the facade
     * so that the one object of a logical connection packs into 64 bytes (a subclass's fields do not fill the gaps
     * of its superclass's): {@code ConnectionCycleBench}, B/op.
     */
    boolean closed;
    private boolean autoCommit = true;
    private boolean readOnly;
    /** Session settings beyond auto-commit and read-only; null while the application made none (the usual case). */
    private Settings settings;

    /** Binding again after a failure (see {@link State#RECOVERING}); the other states follow from the fields. */
    private boolean recovering;
    private Node node;
    private Connection raw;
    private boolean forReads;
    /**
     * The low 32 bits of the topology epoch last checked against: an epoch is compared only for equality, and a
     * false match would take exactly 2^32 topology changes between two statements of one session.
     */
    private int checkedEpoch;
    /** Whether this session holds one of the write gate's leases (see {@link WriteGate}). */
    private boolean writeLease;
    private boolean transactionWrote;
    /**
     * Whether the transaction changed data (DML, or a statement of unknown text): what a commit marker is for. A
     * transaction that only locked or set something (a migration tool's validation, say) gets none.
     */
    private boolean transactionChangesData;
    /** Statements (and savepoints) of the current transaction that ran; 0 outside one. */
    private int transactionStatements;
    /**
     * The node's {@link dev.haven.core.NodeStats#doubt()} (its low 32 bits: enough to see it move) when it was last
     * known trusted by this session.
     */
    private int doubtSeen;
    /**
     * A statement was sent in manual-commit mode and neither commit nor rollback followed: giving the connection
     * back must roll back first. HikariCP's statement proxies kept this bit for it; Haven's statements run on the
     * vendor's statements directly, so the session keeps it (see {@link HaStatement#vendorFor}).
     */
    private boolean uncommitted;
    /** A failure said the physical connection is gone: it is dropped, not given back to its pool. */
    private boolean broken;

    /**
     * Session settings, -1 or null where the application left the server's default; and the facade's rare parts
     * (here so that the logical connection stays one object of 56 bytes).
     */
    private static final class Settings {
        int isolation = -1;
        String catalog;
        String schema;
        int holdability = -1;
        int networkTimeoutMillis = -1;
        Executor networkTimeoutExecutor;
        Properties clientInfo;
        Map<String, Class<?>> typeMap;
        /** The logical connection's open statements beyond its first (see {@link HaConnection}). */
        java.util.List<HaStatement> moreStatements;
        /**
         * The record of the current transaction with {@code ha.replay=on}, else null. Kept here rather than in a
         * field of its own so that a logical connection is no bigger with replay off (the cycle's B/op).
         */
        ReplayLog replay;
    }

    RoutingSession(ClusterContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The current transaction's record: null with {@code ha.replay=off} (the whole cost of replay being off), and
     * until the connection's first transaction with it on (so auto-commit work allocates nothing for it either).
     */
    final ReplayLog replayLog() {
        Settings s = settings;
        return s == null ? null : s.replay;
    }

    int transactionStatements() {
        return transactionStatements;
    }

    /** Whether a result set of one of the connection's statements still reads from the physical connection. */
    abstract boolean hasOpenResults();

    /**
     * The physical connection goes back to its pool ({@code closeStatements}: the statements close their vendor
     * statements first) or is dropped (they are let go with it).
     */
    abstract void physicalReleased(boolean closeStatements);

    /** The open statements beyond the first; null until a second one opened (rare). */
    java.util.List<HaStatement> moreStatements() {
        Settings s = settings;
        return s == null ? null : s.moreStatements;
    }

    void keepMoreStatements(java.util.List<HaStatement> statements) {
        settings().moreStatements = statements;
    }

    Settings settings() {
        Settings s = settings;
        if (s == null) {
            s = new Settings();
            settings = s;
        }
        return s;
    }

    /**
     * Where the session stands. Derived from the fields that carry it (the physical connection, what it is bound
     * for, the transaction's statements) rather than kept beside them, so the two can never disagree and the
     * logical connection stays as small as it was.
     */
    State state() {
        if (raw == null) {
            return recovering ? State.RECOVERING : State.UNBOUND;
        }
        if (transactionStatements > 0) {
            return State.IN_TRANSACTION;
        }
        return forReads ? State.BOUND_READ : State.BOUND_WRITE;
    }

    Node node() {
        return node;
    }

    Connection raw() {
        return raw;
    }

    boolean boundForReads() {
        return forReads;
    }

    boolean autoCommit() {
        return autoCommit;
    }

    boolean readOnly() {
        return readOnly;
    }

    private Tx tx() {
        return autoCommit ? Tx.NONE : transactionStatements > 0 ? Tx.RAN : Tx.EMPTY;
    }

    // ------------------------------------------------------------------------------------------ routing

    /**
     * The physical connection a statement must run on now. {@code statement} classifies its SQL (once per text);
     * null, with {@code sql} null, for what has no SQL (metadata, LOBs). Takes a connection if needed; may switch
     * nodes between auto-commit statements.
     */
    Connection route(HaStatement statement, String sql) throws SQLException {
        Connection c = routeFor(statement, sql);
        if (!autoCommit) {
            uncommitted = true; // something may run in the transaction now
        }
        return c;
    }

    private Connection routeFor(HaStatement statement, String sql) throws SQLException {
        boolean reads = routesToReplica(statement, sql);
        if (raw != null) {
            if (transactionStatements > 0 || reads == forReads || hasOpenResults()) {
                revalidate();
                if (raw != null) {
                    return raw;
                }
            } else {
                release();
            }
        }
        bind(reads, reads ? Kind.READ : Kind.WRITE);
        return raw;
    }

    private boolean routesToReplica(HaStatement statement, String sql) {
        if (readOnly) {
            return true;
        }
        if (ctx.autoRouting && autoCommit && sql != null) {
            return statement.kind(sql) == StatementKind.READ;
        }
        return false;
    }

    /** Takes a physical connection for reads or writes, holding a write-gate lease for writes. */
    private void bind(boolean reads, Kind kind) throws SQLException {
        if (!reads) {
            ctx.writeGate.enter(ctx.failoverTimeoutNanos);
            writeLease = true;
        }
        try {
            bindNode(reads, kind);
        } catch (SQLException | RuntimeException e) {
            if (writeLease) {
                writeLease = false;
                ctx.writeGate.leave();
            }
            recovering = false;
            throw e;
        }
    }

    /**
     * Takes a physical connection from the target node's pool and prepares it. A failure here is before anything
     * of the statement was sent: {@link FailurePolicy} rows for {@link Phase#BIND} say what happens (report the
     * node, take another connection, wait for the new primary, within {@code ha.failover.timeout}).
     */
    private void bindNode(boolean reads, Kind kind) throws SQLException {
        int attempt = 0;
        long deadline = 0; // set at the first failure: the common path reads no clock
        boolean primaryForReads = false;
        while (true) {
            long epoch = ctx.cluster.topology().epoch();
            Node target = primaryForReads || !reads ? writeTarget() : readTarget();
            Connection c = null;
            SQLException failure;
            try {
                c = ctx.pools.borrow(target);
                applySession(c, target.role() == Role.PRIMARY && readOnly);
                adopt(target, c, reads);
                c = null; // adopted
                if (reads && !primaryForReads && ctx.readYourWrites && target.role() == Role.REPLICA
                        && !ownWritesVisible()) {
                    release();
                    primaryForReads = true;
                    continue;
                }
                return;
            } catch (SQLException e) {
                failure = e;
            }
            // What failed: the borrow, the session's settings, or the read-your-writes wait; nothing ran.
            ErrorKind error = ErrorClassifier.classify(failure);
            if (error != ErrorKind.NODE_GONE && failure instanceof SQLTransientConnectionException && c == null
                    && raw == null) {
                error = ErrorKind.NODE_GONE; // the pool timed out reaching the node
            }
            if (c != null) {
                abortQuietly(c);
            } else if (raw != null) {
                discard();
            }
            if (deadline == 0) {
                deadline = System.nanoTime() + ctx.config.failoverTimeout().toNanos();
            }
            boolean timeLeft = System.nanoTime() < deadline;
            Decision decision = FailurePolicy.decide(Phase.BIND, error, tx(), kind, attempt, timeLeft);
            if (error == ErrorKind.NODE_GONE) {
                ctx.cluster.nodeFailed(target.address());
            }
            switch (decision) {
                case RETRY_HERE:
                    break;
                case RETRY_ELSEWHERE:
                case WAIT_FOR_PRIMARY:
                    recovering = true;
                    awaitTopologyAfter(epoch, Math.min(deadline - System.nanoTime(),
                            ctx.config.probeInterval().toNanos()));
                    break;
                case NOT_APPLIED:
                    throw new SQLTransientConnectionException("no node took this connection's work within "
                            + ctx.config.failoverTimeout().toMillis() + " ms (ha.failover.timeout); the last"
                            + " attempt failed on " + target.address() + ". Nothing of the work ran, so retrying it"
                            + " is safe", Decision.NOT_APPLIED.sqlState(), failure);
                default:
                    throw failure; // the application's business (rows for other kinds pass it through)
            }
            recovering = true;
            attempt++;
        }
    }

    private void awaitTopologyAfter(long epoch, long nanos) throws SQLException {
        if (nanos <= 0) {
            return;
        }
        try {
            ctx.cluster.state().awaitTopologyAfter(epoch, nanos);
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
        Node target = routeRead(after);
        if (target != null) {
            return target;
        }
        // Neither an eligible replica nor a primary (a primary just died while a replica's lag is over the bound or
        // not yet measured again): wait for whichever comes first, a replica back within bounds or a promotion,
        // within ha.failover.timeout. Waiting for a primary alone kept a read waiting while a replica was fine.
        long started = System.nanoTime();
        while (true) {
            long epoch = ctx.cluster.topology().epoch();
            target = routeRead(after);
            if (target != null) {
                return target;
            }
            if (ctx.cluster.topology().primary() != null) {
                throw new SQLTransientConnectionException("no replica is eligible for reads and"
                        + " ha.readFallback=fail; topology: " + ctx.cluster.topology(), "08001");
            }
            long left = started + ctx.failoverTimeoutNanos - System.nanoTime();
            if (left <= 0) {
                throw ctx.cluster.state().noPrimaryAfter(System.nanoTime() - started);
            }
            awaitTopologyAfter(epoch, left);
        }
    }

    private Node routeRead(ReplicationPosition after) {
        return after.isEmpty() ? ctx.cluster.router().routeRead() : ctx.cluster.router().routeReadAfter(after);
    }

    /**
     * Read-your-writes on a replica that may not have our last write yet: waits for it on the replica, bounded by
     * {@code ha.consistency.timeout}. False when it did not arrive in time: read from the primary instead.
     */
    private boolean ownWritesVisible() throws SQLException {
        ReplicationPosition after = ctx.lastWrite();
        if (after.isEmpty() || node.position().covers(after)) {
            return true;
        }
        double seconds = ctx.config.consistencyTimeout().toMillis() / 1000.0;
        try (Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery(ctx.waitSql(node.address(), after, seconds))) {
            return rs.next() && rs.getInt(1) == 0;
        }
    }

    /** Makes {@code c}, borrowed from {@code target}'s pool, this session's physical connection. */
    private void adopt(Node target, Connection c, boolean reads) {
        node = target;
        raw = c;
        forReads = reads;
        recovering = false;
        checkedEpoch = (int) ctx.cluster.topology().epoch();
        doubtSeen = (int) target.stats().doubt();
        if (ctx.countsOutstanding) {
            target.stats().requestStarted();
        }
    }

    /**
     * The topology moved since we last looked: is our node still fit for what we use it for? A demoted or dead
     * node is dropped; inside a transaction that means the transaction is lost, which the caller must learn
     * (policy rows for {@link Phase#BIND}).
     */
    private void revalidate() throws SQLException {
        Topology t = ctx.cluster.topology();
        if ((int) t.epoch() == checkedEpoch) {
            return;
        }
        checkedEpoch = (int) t.epoch();
        Node now = t.node(node.address());
        ErrorKind lostAs;
        if (now == null || now.health() == Health.DOWN) {
            lostAs = ErrorKind.NODE_GONE;
        } else if (forReads || (t.primary() != null && t.primary().address().equals(node.address()))) {
            node = now; // a lagging replica finishes what it serves; new reads are routed afresh
            return;
        } else {
            lostAs = ErrorKind.NOT_PRIMARY;
        }
        NodeAddress lost = node.address();
        Decision decision = FailurePolicy.decide(Phase.BIND, lostAs, tx(), forReads ? Kind.READ : Kind.WRITE, 0,
                true, recovery(false));
        if (decision == Decision.REPLAY) {
            SQLException failed = replay(lost, lostAs == ErrorKind.NODE_GONE, transactionWrote);
            if (failed != null) {
                throw failed;
            }
            return; // replayed on a new physical connection: the caller goes on there
        }
        discard();
        if (decision == Decision.OUTCOME_UNKNOWN) {
            throw resolutionUnknown("the transaction's node " + lost + " is " + (now == null ? "gone"
                    : now.health() == Health.DOWN ? "down" : "no longer the primary")
                    + "; the transaction was abandoned and whether it committed is unknown", null);
        }
        // otherwise nothing ran there: the caller binds afresh
    }

    // ------------------------------------------------------------------------------------------ statements

    /** Called by a statement after it ran successfully; {@code sql} null when unknown (counts as a write). */
    void executed(HaStatement statement, String sql) throws SQLException {
        SQLException unprotected = executedUnrecorded(statement, sql);
        if (unprotected != null) {
            throw unprotected;
        }
    }

    /**
     * As {@link #executed}, but an auto-commit write whose acknowledgement cannot stand (its node was in doubt and
     * replaced, see {@link #acknowledgementRefused}, or the RPO guard could not record it, see {@link #recordWrite})
     * is returned as the error to give instead, for a caller that can still settle it.
     */
    private SQLException executedUnrecorded(HaStatement statement, String sql) {
        if (autoCommit && !forReads && !trustedThroughout()
                && (sql == null || statement.kind(sql) != StatementKind.READ)) {
            SQLException refused = acknowledgementRefused("write");
            if (refused != null) {
                return refused;
            }
        }
        ctx.routing.statementExecuted(node.address(), forReads);
        boolean wrote = (ctx.tracksWrites || ctx.marker) && !forReads
                && (sql == null || statement.kind(sql) != StatementKind.READ);
        if (!autoCommit) {
            transactionStatements++;
            transactionWrote |= wrote;
            transactionChangesData |= wrote && ctx.marker && (sql == null || CommitMarker.wraps(sql));
        } else if (wrote) {
            return recordWrite(node.address(), "write");
        }
        return null;
    }

    /**
     * Decides what a failed statement means (policy rows for {@link Phase#STATEMENT}). Returns null when the
     * statement should simply run again (on a new physical connection, which {@link #physical} will take), or the
     * exception to throw.
     */
    SQLException statementFailed(SQLException error, Kind kind, int attempt) {
        ErrorKind errorKind = ErrorClassifier.classify(error);
        Tx tx = tx();
        Decision decision = FailurePolicy.decide(Phase.STATEMENT, errorKind, tx, kind, attempt, true,
                recovery(false));
        NodeAddress lost = node == null ? null : node.address();
        if (decision == Decision.PASS_THROUGH) {
            ReplayLog log = replayLog();
            if (log != null && !autoCommit) {
                log.refuse("a statement failed and the application saw the error");
            }
            return error;
        }
        if (decision == Decision.REPLAY) {
            return replay(lost, errorKind == ErrorKind.NODE_GONE, transactionWrote);
        }
        if (errorKind == ErrorKind.NODE_GONE && lost != null) {
            ctx.cluster.nodeFailed(lost);
        }
        discard();
        switch (decision) {
            case RETRY_ELSEWHERE:
                ctx.routing.statementRetried(lost, errorKind);
                return null;
            case WAIT_FOR_PRIMARY:
                long waited = awaitPrimaryOtherThan(lost);
                if (waited >= 0) {
                    // Nothing ran (refused as read-only) and ha.failover.timeout is spent: binding the retry would
                    // wait for a primary a second time (found by the campaign, seed 21110: an insert took 30 s).
                    return ctx.cluster.state().noPrimaryAfter(waited);
                }
                ctx.routing.statementRetried(lost, errorKind);
                return null;
            case READ_FAILED:
                return new SQLTransientConnectionException("the read failed on " + lost + " and again on its retry: "
                        + error.getMessage(), Decision.READ_FAILED.sqlState(), error.getErrorCode(), error);
            case OUTCOME_UNKNOWN:
                return resolutionUnknown((tx == Tx.RAN ? "the connection to " + lost + " failed during a transaction"
                        : "the connection to " + lost + " failed while a write was in flight")
                        + ", so whether it committed is unknown", error);
            default:
                throw new IllegalStateException("no statement rule decides " + decision);
        }
    }

    /**
     * Waits for a primary after {@code demoted} refused a write as read-only: another node, or {@code demoted}
     * itself once the topology has shown it without the primary role and then with it again (a primary back
     * read-only that promote mode made writable again). Until then the topology may still hold the role it had.
     * Returns -1 once there is one (or the wait was interrupted), else the nanoseconds waited in vain.
     */
    private long awaitPrimaryOtherThan(NodeAddress demoted) {
        ctx.cluster.refresh();
        long started = System.nanoTime();
        long deadline = started + ctx.config.failoverTimeout().toNanos();
        boolean demotionSeen = false;
        while (System.nanoTime() < deadline) {
            Node primary = ctx.cluster.topology().primary();
            if (primary != null && (!primary.address().equals(demoted) || demotionSeen)) {
                return -1;
            }
            demotionSeen |= primary == null;
            try {
                ctx.cluster.state().awaitTopologyAfter(ctx.cluster.topology().epoch(), deadline - System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return System.nanoTime() - started;
    }

    /**
     * A savepoint operation or another transaction-scoped call on the physical connection failed: the policy's
     * statement rows, as a write.
     */
    SQLException transactionCallFailed(SQLException e) {
        ReplayLog log = replayLog();
        if (log != null) {
            log.refuse("a savepoint");
        }
        SQLException outcome = statementFailed(e, Kind.WRITE, 1);
        return outcome == null ? e : outcome;
    }

    /**
     * Reading results found the physical connection gone (see {@link HaStatement#readFailed}): the node is
     * reported, and the connection is dropped when the session lets it go.
     */
    void physicalBroken() {
        if (raw != null && !broken) {
            broken = true;
            ctx.cluster.nodeFailed(node.address());
        }
    }

    /** A savepoint was set: the transaction now holds state of its own on its node. */
    void savepointSet() {
        if (!autoCommit) {
            transactionStatements++;
            ReplayLog log = replayLog();
            if (log != null) {
                log.refuse("a savepoint");
            }
        }
    }

    // ------------------------------------------------------------------------------------------ replay and markers

    /** What the session can do for the transaction now (an input of the policy, never a guess inside it). */
    private FailurePolicy.Recovery recovery(boolean marked) {
        ReplayLog log = replayLog();
        boolean replayable = log != null && !autoCommit && log.refused() == null
                && log.replays < ReplayLog.MAX_REPLAYS;
        if (replayable) {
            java.util.List<ReplayLog.Entry> entries = log.entries();
            for (int i = 0; i < entries.size(); i++) {
                if (ReplayLog.streamingOpen(entries.get(i))) {
                    replayable = false; // the server-side cursor state is gone with the node
                    break;
                }
            }
        }
        return FailurePolicy.Recovery.of(replayable, marked);
    }

    /**
     * Policy decision {@link Decision#REPLAY}: the transaction did not commit anywhere. Drops the physical
     * connection, waits for the primary within {@code ha.failover.timeout}, takes a new physical connection (the
     * session's settings applied as at every bind), and runs the record again, comparing every result with what
     * the application saw. Returns null when it matched (the session stands in the transaction on the new
     * connection, and the caller goes on), else the {@code 40001} to throw, with the replayed work rolled back.
     */
    private SQLException replay(NodeAddress lost, boolean lostIsGone, boolean wrote) {
        ReplayLog log = replayLog();
        java.util.List<ReplayLog.Entry> entries = log.entries();
        int n = entries.size();
        boolean reads = forReads; // a read-only transaction replays on a replica
        long epoch = ctx.cluster.topology().epoch();
        if (lostIsGone && lost != null) {
            ctx.cluster.nodeFailed(lost);
        } else {
            ctx.cluster.refresh();
        }
        discard(true);
        log.replays++;
        ctx.emit(dev.haven.core.HavenEvent.Type.REPLAY_STARTED, lost, null, null, n + " statement(s)");
        long deadline = System.nanoTime() + ctx.config.failoverTimeout().toNanos();
        java.util.List<Statement> open = new java.util.ArrayList<>();
        while (true) {
            if (!reads && !awaitWritable(lost, epoch, deadline)) {
                return replayFailed(lost, -1, "no primary to replay on within " + ctx.config.failoverTimeout()
                        .toMillis() + " ms (ha.failover.timeout)", null);
            }
            long attemptEpoch = ctx.cluster.topology().epoch();
            try {
                bind(reads, reads ? Kind.READ : Kind.WRITE);
            } catch (SQLException e) {
                return replayFailed(lost, -1, "no connection to replay on: " + e.getMessage(), e);
            }
            Connection c = raw;
            NodeAddress on = node.address();
            int i = 0;
            boolean same = true;
            try {
                for (; i < n && same; i++) {
                    same = replayEntry(c, entries.get(i), open);
                }
            } catch (SQLException e) {
                for (Statement st : open) {
                    ReplayLog.closeQuietly(st);
                }
                open.clear();
                ErrorKind kind = ErrorClassifier.classify(e);
                if ((kind == ErrorKind.NODE_GONE || kind == ErrorKind.NOT_PRIMARY)
                        && System.nanoTime() < deadline) {
                    epoch = attemptEpoch; // as in resolveWithMarker: a change seen after the attempt began counts
                    if (kind == ErrorKind.NODE_GONE) {
                        ctx.cluster.nodeFailed(on);
                    } else {
                        ctx.cluster.refresh();
                    }
                    lost = on;
                    discard(true);
                    continue; // that node failed too: replay on the next one
                }
                rollbackQuietly();
                return replayFailed(on, i, "statement " + (i + 1) + " of " + n + " failed on replay", e);
            }
            if (!same) {
                for (Statement st : open) {
                    ReplayLog.closeQuietly(st);
                }
                rollbackQuietly();
                return replayFailed(on, i - 1, "statement " + i + " of " + n
                        + " returned something else than the first time", null);
            }
            // Matched: hand the application's open result sets over to the replayed ones.
            for (int k = 0; k < n; k++) {
                ReplayLog.Entry e = entries.get(k);
                if (e.handOver != null) {
                    e.rows.result.handOver(e.handOver);
                    e.owner.restoreResult(e.rows.result);
                    e.handOver = null;
                }
            }
            transactionStatements = n;
            transactionWrote = wrote;
            transactionChangesData |= wrote && ctx.marker; // the replayed commit is marked, erring on the safe side
            ctx.emit(dev.haven.core.HavenEvent.Type.REPLAY_SUCCEEDED, on, null, null, n + " statement(s) matched");
            return null;
        }
    }

    /**
     * Runs one recorded execution on {@code c} and compares its results: true when they match. A result set the
     * application still holds open is kept (in {@code e.handOver}, its statement in {@code open}) to be handed over.
     */
    private static boolean replayEntry(Connection c, ReplayLog.Entry e, java.util.List<Statement> open)
            throws SQLException {
        Statement s = e.owner.newForReplay(c, e.params);
        boolean keep = false;
        try {
            boolean prepared = e.params != null;
            java.sql.PreparedStatement p = prepared ? (java.sql.PreparedStatement) s : null;
            long count;
            boolean has;
            ResultSet rs = null;
            switch (e.op) {
                case HaStatement.QUERY:
                    rs = prepared ? p.executeQuery() : s.executeQuery(e.sql);
                    has = true;
                    count = -1;
                    break;
                case HaStatement.UPDATE:
                    if (prepared) {
                        count = p.executeLargeUpdate();
                    } else if (e.keys != -1) {
                        count = s.executeLargeUpdate(e.sql, e.keys);
                    } else if (e.indexes != null) {
                        count = s.executeLargeUpdate(e.sql, e.indexes);
                    } else if (e.names != null) {
                        count = s.executeLargeUpdate(e.sql, e.names);
                    } else {
                        count = s.executeLargeUpdate(e.sql);
                    }
                    has = false;
                    break;
                default:
                    if (prepared) {
                        has = p.execute();
                    } else if (e.keys != -1) {
                        has = s.execute(e.sql, e.keys);
                    } else if (e.indexes != null) {
                        has = s.execute(e.sql, e.indexes);
                    } else if (e.names != null) {
                        has = s.execute(e.sql, e.names);
                    } else {
                        has = s.execute(e.sql);
                    }
                    rs = has ? s.getResultSet() : null;
                    count = has ? -1 : s.getLargeUpdateCount();
                    break;
            }
            if (count != e.updateCount || has != e.hasResultSet) {
                return false;
            }
            if (e.rows != null) {
                if (rs == null || !ReplayLog.matches(rs, e.rows)) {
                    return false;
                }
                if (!e.rows.closed) {
                    e.handOver = rs;
                    keep = true;
                }
            }
            if (e.keys2 != null) {
                ResultSet k = s.getGeneratedKeys();
                if (k == null || !ReplayLog.matches(k, e.keys2)) {
                    return false;
                }
            }
            return true;
        } finally {
            if (keep) {
                open.add(s);
            } else {
                ReplayLog.closeQuietly(s);
            }
        }
    }

    private void rollbackQuietly() {
        Connection c = raw;
        if (c != null) {
            try {
                c.rollback();
            } catch (SQLException | RuntimeException ignored) {
                discard();
                return;
            }
        }
        release();
    }

    /** A replay that did not match or could not run: counted, reported, and the transaction forgotten. */
    private SQLException replayFailed(NodeAddress on, int index, String why, SQLException cause) {
        ReplayLog log = replayLog();
        for (ReplayLog.Entry e : log.entries()) {
            e.handOver = null;
        }
        log.reset();
        if (raw != null) {
            discard();
        }
        ctx.emit(dev.haven.core.HavenEvent.Type.REPLAY_MISMATCH, on, null, null, why);
        return new java.sql.SQLTransactionRollbackException("the transaction was interrupted by a failover before"
                + " its commit and could not be replayed as it ran: " + why + ". It was rolled back and nothing of it"
                + " was committed: retry the whole transaction.", RETRY_TRANSACTION, 0, cause);
    }

    static SQLException notCommitted(String what, SQLException cause) {
        return new java.sql.SQLTransactionRollbackException(what + ". Nothing of it was committed: retry the whole"
                + " transaction.", RETRY_TRANSACTION, 0, cause);
    }

    /**
     * Waits until a primary can take the work: one other than {@code lost}, or {@code lost} itself seen healthy
     * again after {@code epoch} (a short freeze with no promotion). False when the deadline passed first.
     */
    private boolean awaitWritable(NodeAddress lost, long epoch, long deadline) {
        while (true) {
            Topology t = ctx.cluster.topology();
            Node p = t.primary();
            if (p != null && (lost == null || !p.address().equals(lost)
                    || (p.health() == Health.UP && t.epoch() > epoch))) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                ctx.cluster.state().awaitTopologyAfter(t.epoch(), Math.min(left,
                        ctx.config.probeInterval().toNanos()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /**
     * Policy decision {@link Decision#RESOLVE_WITH_MARKER}: fences the marker {@code hi, lo} on the primary (see
     * {@link CommitMarker}). True: the transaction committed; false: it did not, and cannot any more; null: no
     * primary answered within {@code ha.failover.timeout}.
     */
    private Boolean resolveWithMarker(NodeAddress lost, long epoch, long hi, long lo) {
        long deadline = System.nanoTime() + ctx.config.failoverTimeout().toNanos();
        NodeAddress interrupted = lost;
        java.util.List<long[]> earlierFences = new java.util.ArrayList<>(2);
        while (awaitWritable(lost, epoch, deadline)) {
            Topology t = ctx.cluster.topology();
            Node p = t.primary();
            if (p == null) {
                continue;
            }
            long[] attempt = {CommitMarker.random(), CommitMarker.random()};
            try (Connection c = ctx.pools.borrow(p)) {
                boolean committed;
                try {
                    committed = CommitMarker.fence(c, hi, lo, attempt, earlierFences);
                } finally {
                    // whatever became of it, a retry must know this fence's id (its commit may have been applied)
                    earlierFences.add(attempt);
                }
                if (committed) {
                    // The guard and read-your-writes learn where this primary stands, which covers the write: it
                    // is acknowledged now, and a failover must keep it like any other.
                    ctx.recordPosition(p.address(), c, true);
                }
                ctx.emit(dev.haven.core.HavenEvent.Type.COMMIT_OUTCOME_RESOLVED, p.address(), "unknown",
                        committed ? "committed" : "not-committed", "a commit interrupted on " + interrupted);
                return committed;
            } catch (SQLException e) {
                ErrorKind kind = ErrorClassifier.classify(e);
                if (kind != ErrorKind.NODE_GONE && kind != ErrorKind.NOT_PRIMARY
                        && !(e instanceof SQLTransientConnectionException)) {
                    return null; // e.g. the marker table is gone: the outcome stays unknown
                }
                // The epoch this attempt started in: the node may turn SUSPECT and UP again before the failure is
                // reported, and waiting for a change after that would wait for nothing until the deadline.
                epoch = t.epoch();
                if (kind == ErrorKind.NODE_GONE) {
                    ctx.cluster.nodeFailed(p.address());
                } else {
                    ctx.cluster.refresh();
                }
                lost = p.address();
            }
        }
        return null;
    }

    /**
     * {@code ha.commitOutcome=marker}: whether an auto-commit statement is a write to run inside a transaction with
     * a marker (plain DML on a read-write connection), so that a failure during its commit can be resolved.
     */
    final boolean wrapsAutoCommitWrite(HaStatement statement, String sql, int op) {
        return ctx.marker && autoCommit && !readOnly && sql != null && op != HaStatement.BATCH
                && statement.kind(sql) == StatementKind.WRITE && CommitMarker.wraps(sql);
    }

    /**
     * Runs an auto-commit write as a transaction of its own with a marker: {@code setAutoCommit(false)}, the
     * marker, the statement, {@code setAutoCommit(true)} (the commit). A failure before the commit means nothing
     * was applied: it runs again on the primary (policy, STATEMENT with a marker). A failure during the commit is
     * resolved by the marker: committed, the statement returns its result; not committed, it runs again.
     */
    final void runWrapped(HaStatement st, int op, String sql, int keys, int[] indexes, String[] names)
            throws SQLException {
        for (int attempt = 0; ; attempt++) {
            Statement s = st.vendorFor(sql);
            Connection c = raw;
            NodeAddress on = node.address();
            long hi = CommitMarker.random();
            long lo = CommitMarker.random();
            try {
                CommitMarker.ensureTable(ctx, on);
                c.setAutoCommit(false);
                CommitMarker.insert(c, hi, lo);
                st.invoke(s, op, sql, keys, indexes, names);
            } catch (SQLException e) {
                ErrorKind kind = ErrorClassifier.classify(e);
                Decision decision = FailurePolicy.decide(Phase.STATEMENT, kind, Tx.NONE, Kind.WRITE, attempt, true,
                        FailurePolicy.Recovery.MARKER);
                if (decision == Decision.PASS_THROUGH) {
                    try {
                        c.rollback();
                        c.setAutoCommit(true);
                    } catch (SQLException | RuntimeException ignored) {
                        discard();
                    }
                    throw e;
                }
                long epoch = ctx.cluster.topology().epoch();
                if (kind == ErrorKind.NODE_GONE) {
                    ctx.cluster.nodeFailed(on);
                } else {
                    ctx.cluster.refresh();
                }
                discard();
                if (decision == Decision.NOT_APPLIED) {
                    throw new SQLTransientConnectionException("the write failed on " + on + " and again on its"
                            + " retry; it ran in a transaction whose commit was not sent, so nothing of it was"
                            + " applied and retrying is safe", Decision.NOT_APPLIED.sqlState(), e);
                }
                awaitWritable(on, epoch, System.nanoTime() + ctx.config.failoverTimeout().toNanos());
                ctx.routing.statementRetried(on, kind);
                continue;
            }
            long epoch = ctx.cluster.topology().epoch();
            try {
                c.setAutoCommit(true); // commits
            } catch (SQLException e) {
                ErrorKind kind = ErrorClassifier.classify(e);
                Decision decision = FailurePolicy.decide(Phase.COMMIT, kind, Tx.RAN, Kind.WRITE, 0, true,
                        FailurePolicy.Recovery.MARKER);
                if (decision == Decision.PASS_THROUGH) {
                    try {
                        c.rollback();
                        c.setAutoCommit(true);
                    } catch (SQLException | RuntimeException ignored) {
                        discard();
                    }
                    throw e; // the server refused the commit: not committed
                }
                ctx.cluster.nodeFailed(on);
                discard();
                Boolean committed = resolveWithMarker(on, epoch, hi, lo);
                if (committed == null) {
                    throw resolutionUnknown("the connection to " + on + " failed while a write was committing and no"
                            + " primary answered for its marker within " + ctx.config.failoverTimeout().toMillis()
                            + " ms (ha.failover.timeout), so whether it committed is unknown", e);
                }
                if (committed) {
                    ctx.routing.statementExecuted(on, false);
                    return; // applied once: its update count is the one it returned
                }
                if (attempt > 0) {
                    throw new SQLTransientConnectionException("the write did not commit on " + on + " nor on its"
                            + " retry; nothing of it was applied and retrying is safe", Decision.NOT_APPLIED.sqlState(),
                            e);
                }
                ctx.routing.statementRetried(on, kind);
                continue; // not applied anywhere: run it again
            }
            SQLException unprotected = executedUnrecorded(st, sql);
            if (unprotected == null) {
                return;
            }
            // Committed, but the acknowledgement cannot stand as it is: the marker tells whether the primary has it.
            Boolean committed = resolveWithMarker(on, ctx.cluster.topology().epoch(), hi, lo);
            if (committed == null) {
                throw unprotected;
            }
            if (committed) {
                return;
            }
            if (attempt > 0) {
                throw new SQLTransientConnectionException("the write was acknowledged by " + on + ", but that"
                        + " acknowledgement could not stand (see the cause) and the primary lacks it, as it lacked its"
                        + " retry; nothing of it was applied and retrying is safe", Decision.NOT_APPLIED.sqlState(),
                        unprotected);
            }
            ctx.routing.statementRetried(on, ErrorKind.NODE_GONE);
            // not on the primary that counts: run it again
        }
    }

    static SQLException resolutionUnknown(String what, SQLException cause) {
        return new SQLNonTransientConnectionException(what + ". Check whether your last transaction's changes are"
                + " there before retrying it; this connection stays usable and its next transaction goes to the"
                + " current primary.", RESOLUTION_UNKNOWN, cause == null ? 0 : cause.getErrorCode(), cause);
    }

    // ------------------------------------------------------------------------------------------ transactions

    void changeAutoCommit(boolean on) throws SQLException {
        if (on == autoCommit) {
            return;
        }
        if (!on && ctx.replay) {
            ReplayLog log = replayLog();
            if (log == null) {
                settings().replay = new ReplayLog(ctx.config.replayMaxSize());
            } else {
                log.reset(); // a transaction starts
            }
        }
        if (raw == null) {
            autoCommit = on;
            return;
        }
        if (!on) {
            // Starting a transaction on a connection still bound by an auto-commit statement: nothing of the
            // transaction ran, so a dead connection is only the node's failure (policy, BIND).
            try {
                raw.setAutoCommit(false);
            } catch (SQLException e) {
                if (ErrorClassifier.classify(e) != ErrorKind.NODE_GONE) {
                    throw e;
                }
                ctx.cluster.nodeFailed(node.address());
                discard();
            }
            autoCommit = false;
            return;
        }
        // Switching to auto-commit commits an open transaction (JDBC); the physical connection goes back.
        commitPhysical(true);
        autoCommit = true;
        uncommitted = false; // switching to auto-commit committed it
    }

    void commitTransaction() throws SQLException {
        if (autoCommit) {
            throw new SQLException("commit() with auto-commit on", "25000");
        }
        if (raw == null) {
            ReplayLog log = replayLog();
            if (log != null) {
                log.reset();
            }
            return; // nothing ran: nothing to commit
        }
        commitPhysical(false);
    }

    /**
     * Commits the transaction on the physical connection ({@code commit()}, or {@code setAutoCommit(true)}), with
     * its marker first when {@code ha.commitOutcome=marker} and it wrote. A failure follows the policy's
     * {@link Phase#COMMIT} rows: a marker resolves it, and a transaction found not committed is replayed when its
     * record allows, then committed again.
     */
    private void commitPhysical(boolean viaAutoCommit) throws SQLException {
        while (true) {
            NodeAddress on = node.address();
            boolean wrote = transactionWrote;
            Tx tx = tx();
            boolean marked = ctx.marker && wrote && transactionChangesData;
            long hi = 0;
            long lo = 0;
            if (marked) {
                hi = CommitMarker.random();
                lo = CommitMarker.random();
                try {
                    CommitMarker.ensureTable(ctx, on);
                    CommitMarker.insert(raw, hi, lo);
                } catch (SQLException e) {
                    // Before the commit: a statement of the transaction (policy, STATEMENT).
                    SQLException outcome = statementFailed(e, Kind.WRITE, 0);
                    if (outcome != null) {
                        throw outcome;
                    }
                    continue; // replayed on a new physical connection: commit there
                }
            }
            long epoch = ctx.cluster.topology().epoch();
            try {
                if (viaAutoCommit) {
                    raw.setAutoCommit(true);
                } else {
                    raw.commit();
                }
            } catch (SQLException e) {
                ErrorKind kind = ErrorClassifier.classify(e);
                Decision decision = FailurePolicy.decide(Phase.COMMIT, kind, tx, Kind.WRITE, 0, true,
                        recovery(marked));
                if (decision == Decision.PASS_THROUGH) {
                    throw e;
                }
                ctx.cluster.nodeFailed(on);
                if (decision != Decision.RESOLVE_WITH_MARKER) {
                    discard();
                    if (decision == Decision.OUTCOME_UNKNOWN) {
                        throw resolutionUnknown("the connection to " + on + " failed during commit", e);
                    }
                    return; // absorbed
                }
                discard(true);
                Boolean committed = resolveWithMarker(on, epoch, hi, lo);
                if (committed == null) {
                    resetLog();
                    throw resolutionUnknown("the connection to " + on + " failed during commit and no primary"
                            + " answered for its marker within " + ctx.config.failoverTimeout().toMillis()
                            + " ms (ha.failover.timeout)", e);
                }
                if (committed) {
                    resetLog();
                    return; // the commit took effect: the application goes on as if it had returned
                }
                if (!recovery(false).replays()) {
                    resetLog();
                    throw notCommitted("the connection to " + on + " failed during commit, and its marker shows"
                            + " that it did not commit", e);
                }
                SQLException failed = replay(on, true, wrote);
                if (failed != null) {
                    throw failed;
                }
                continue; // replayed: commit there, with a new marker
            }
            if (viaAutoCommit) {
                autoCommit = true;
            }
            uncommitted = false;
            SQLException unprotected = null;
            if (!forReads && tx == Tx.RAN && !trustedThroughout()) {
                unprotected = acknowledgementRefused("commit");
            }
            // Committed. From here on nothing may turn the commit into an error (policy, RELEASE), except an
            // acknowledgement that cannot stand: from a node in doubt and replaced, or one the RPO guard could not
            // record (see recordWrite). The marker may yet settle either.
            if (unprotected == null && wrote) {
                unprotected = recordWrite(on, "commit");
            }
            if (unprotected != null && marked) {
                Boolean committed = resolveWithMarker(on, ctx.cluster.topology().epoch(), hi, lo);
                if (committed == Boolean.FALSE && recovery(false).replays()) {
                    SQLException failed = replay(on, true, wrote);
                    if (failed != null) {
                        throw failed;
                    }
                    continue; // replayed: commit there, with a new marker
                }
                if (committed != null) {
                    unprotected = committed ? null : notCommitted("the commit was acknowledged by " + on + ", but"
                            + " that acknowledgement could not stand (see the cause), and its marker shows that the"
                            + " primary now lacks it", unprotected);
                }
            }
            endTransaction();
            if (unprotected != null) {
                throw unprotected;
            }
            return;
        }
    }

    /**
     * Whether the session's node was trusted from the moment the session took it (or last checked it) until now:
     * its {@link dev.haven.core.NodeStats#doubt()} did not move and is even. One volatile read; the common path.
     */
    private boolean trustedThroughout() {
        int d = (int) node.stats().doubt();
        return d == doubtSeen && (d & 1) == 0;
    }

    /**
     * No acknowledgement from a primary that is being replaced may reach the application (issue 10, bug 1). The
     * node that just acknowledged a write or commit was in doubt at some moment since the session took it: frozen,
     * cut off, its probes late. A promotion elsewhere in that moment (seen by this instance only by probing) would
     * make this acknowledgement one of a replaced primary, whose write the new primary may not have. So the
     * acknowledgement waits until every other node was probed since it arrived (asked for at once: a probe round
     * trip), and stands only if the node is still the primary then; otherwise the physical connection is dropped
     * and the caller gets {@code 08007}, outcome unknown (or, with a commit marker, the marker's answer). Bounded by
     * {@code ha.failover.timeout}. Returns null when the acknowledgement stands, else the error to give instead.
     */
    private SQLException acknowledgementRefused(String what) {
        Node on = node;
        int doubt = (int) on.stats().doubt();
        long at = System.nanoTime();
        long deadline = at + ctx.config.failoverTimeout().toNanos();
        ctx.cluster.refresh();
        String why;
        while (true) {
            boolean fresh = ctx.cluster.othersProbedSince(on.address(), at); // before the topology it vouches for
            Node primary = ctx.cluster.topology().primary();
            if (primary == null) {
                why = "no node is the primary now";
                break;
            }
            if (!primary.address().equals(on.address())) {
                why = primary.address() + " is the primary now";
                break;
            }
            if (primary.health() == Health.DOWN) {
                why = "it is down";
                break;
            }
            if (fresh) {
                doubtSeen = doubt;
                return null;
            }
            if (System.nanoTime() - deadline >= 0) {
                why = "the other nodes could not all be probed within " + ctx.config.failoverTimeout().toMillis()
                        + " ms (ha.failover.timeout)";
                break;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(ACKNOWLEDGEMENT_POLL_NANOS);
            if (Thread.currentThread().isInterrupted()) {
                why = "interrupted while checking it";
                break;
            }
        }
        discard(true); // a transaction's record stays for a replay, should its marker show it lost
        return resolutionUnknown("the " + what + " was acknowledged by " + on.address() + ", which was in doubt while"
                + " it ran, and " + why + "; the acknowledgement was not passed on, so whether it took effect on the"
                + " primary that counts is unknown", null);
    }

    void rollbackTransaction() throws SQLException {
        if (autoCommit) {
            throw new SQLException("rollback() with auto-commit on", "25000");
        }
        if (raw == null) {
            resetLog();
            return;
        }
        try {
            raw.rollback();
        } catch (SQLException e) {
            ErrorKind kind = ErrorClassifier.classify(e);
            if (FailurePolicy.decide(Phase.ROLLBACK, kind, tx(), Kind.WRITE, 0, true) == Decision.PASS_THROUGH) {
                throw e;
            }
            ctx.cluster.nodeFailed(node.address()); // the server rolls back a transaction whose connection died
            discard();
            return;
        }
        endTransaction();
    }

    /** The transaction is over: the physical connection goes back, unless a result set still reads from it. */
    private void endTransaction() {
        resetLog();
        uncommitted = false;
        if (hasOpenResults()) {
            transactionWrote = false;
            transactionChangesData = false;
            transactionStatements = 0;
        } else {
            release();
        }
    }

    /**
     * Records where an acknowledged write commit left the primary (read-your-writes, the RPO guard). Returns null, or
     * the error to give the caller instead of the acknowledgement.
     *
     * <p>A failure to read where the write left the primary changes no outcome for read-your-writes (its later reads
     * cannot wait for this write: policy, RELEASE). The RPO guard is another matter: it keeps a promotion from
     * losing the writes it knows of, and it cannot know this one. That is the window in which a primary dies right
     * after a commit's answer and before the query for its GTID (MariaDB Connector/J, which hands over no OK-packet
     * GTID): acknowledged, unrecorded, on no replica, and lost when the best replica is promoted. So with the guard
     * on, the caller gets {@code 08007} (its write is on a primary that may be replaced, and may not survive) rather
     * than an acknowledgement no one can keep.
     */
    private SQLException recordWrite(NodeAddress on, String what) {
        if (!ctx.tracksWrites || raw == null) {
            return null;
        }
        try {
            ctx.recordWrite(on, raw);
            return null;
        } catch (SQLException e) {
            boolean gone = ErrorClassifier.classify(e) == ErrorKind.NODE_GONE;
            if (gone) {
                ctx.cluster.nodeFailed(on);
            }
            if (!ctx.guardsAcknowledged || e instanceof ClusterContext.PositionUnread) {
                if (gone) {
                    discard();
                }
                return null;
            }
            discard(true); // a transaction's record stays for a replay, should its marker show it lost
            return resolutionUnknown("the " + what + " was acknowledged by " + on + ", but its GTID could not be"
                    + " read after it, so a failover could lose it (the RPO guard protects only the writes it"
                    + " knows of); the acknowledgement was not passed on", e);
        }
    }

    // ------------------------------------------------------------------------------------------ session settings

    void changeReadOnly(boolean on) throws SQLException {
        if (transactionStatements > 0 && on != readOnly) {
            throw new SQLException("cannot change read-only during a transaction", "25001");
        }
        readOnly = on;
    }

    void changeIsolation(int level) throws SQLException {
        settings().isolation = level;
        if (raw != null) {
            try {
                raw.setTransactionIsolation(level);
            } catch (SQLException e) {
                settingFailed(e);
            }
        }
    }

    int transactionIsolation() {
        return settings == null ? -1 : settings.isolation;
    }

    void changeCatalog(String catalog) throws SQLException {
        settings().catalog = catalog;
        applyNow(c -> c.setCatalog(catalog));
    }

    String catalog() {
        return settings == null ? null : settings.catalog;
    }

    void changeSchema(String schema) throws SQLException {
        settings().schema = schema;
        applyNow(c -> c.setSchema(schema));
    }

    String schema() {
        return settings == null ? null : settings.schema;
    }

    void changeHoldability(int holdability) throws SQLException {
        settings().holdability = holdability;
        applyNow(c -> c.setHoldability(holdability));
    }

    int holdability() {
        return settings == null ? -1 : settings.holdability;
    }

    void changeNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        if (raw != null) {
            try {
                raw.setNetworkTimeout(executor, milliseconds);
            } catch (SQLException e) {
                settingFailed(e);
            }
        }
        Settings s = settings();
        s.networkTimeoutExecutor = executor;
        s.networkTimeoutMillis = milliseconds;
    }

    int networkTimeoutMillis() {
        return settings == null ? -1 : settings.networkTimeoutMillis;
    }

    Properties clientInfo() {
        return settings == null ? null : settings.clientInfo;
    }

    void keepClientInfo(Properties info) {
        settings().clientInfo = info;
    }

    Map<String, Class<?>> typeMap() {
        return settings == null ? null : settings.typeMap;
    }

    void changeTypeMap(Map<String, Class<?>> map) throws SQLException {
        settings().typeMap = map;
        if (raw != null) {
            try {
                raw.setTypeMap(map);
            } catch (SQLException e) {
                settingFailed(e);
            }
        }
    }

    /**
     * A setting failed on the bound physical connection. A dead connection before the transaction ran anything
     * is the node's failure (policy, BIND): the connection is dropped, and the setting, kept, applies to the next.
     */
    /** A rarely changed session setting, remembered already, applied at once to the bound physical connection. */
    private void applyNow(RawSetting setting) throws SQLException {
        if (raw != null) {
            try {
                setting.apply(raw);
            } catch (SQLException e) {
                settingFailed(e);
            }
        }
    }

    @FunctionalInterface
    private interface RawSetting {
        void apply(Connection raw) throws SQLException;
    }

    private void settingFailed(SQLException e) throws SQLException {
        ErrorKind kind = ErrorClassifier.classify(e);
        Decision decision = FailurePolicy.decide(Phase.BIND, kind, tx(), Kind.WRITE, 0, true);
        if (decision == Decision.PASS_THROUGH) {
            throw e;
        }
        NodeAddress lost = node.address();
        if (kind == ErrorKind.NODE_GONE) {
            ctx.cluster.nodeFailed(lost);
        }
        discard();
        if (decision == Decision.OUTCOME_UNKNOWN) {
            throw resolutionUnknown("the connection to " + lost + " failed during a transaction", e);
        }
    }

    private void applySession(Connection c, boolean propagateReadOnly) throws SQLException {
        if (c.getAutoCommit() != autoCommit) {
            c.setAutoCommit(autoCommit);
        }
        if (propagateReadOnly && !c.isReadOnly()) {
            // Only a primary serving a read-only connection needs the flag; replicas are read-only already,
            // and the flag costs a round trip each way on some drivers.
            c.setReadOnly(true);
        }
        Settings s = settings;
        if (s == null) {
            return;
        }
        if (s.isolation != -1) {
            c.setTransactionIsolation(s.isolation);
        }
        if (s.catalog != null) {
            c.setCatalog(s.catalog);
        }
        if (s.schema != null) {
            c.setSchema(s.schema);
        }
        if (s.holdability != -1) {
            c.setHoldability(s.holdability);
        }
        if (s.networkTimeoutMillis != -1) {
            c.setNetworkTimeout(s.networkTimeoutExecutor, s.networkTimeoutMillis);
        }
        if (s.clientInfo != null) {
            c.setClientInfo(s.clientInfo);
        }
        if (s.typeMap != null) {
            c.setTypeMap(s.typeMap);
        }
    }

    // ------------------------------------------------------------------------------------------ giving back

    /**
     * Gives the physical connection back to its pool. The work on it was settled before, so a failure here (the
     * pool's reset of a connection whose node just died) changes no outcome (policy, RELEASE): the connection is
     * dropped, the node reported, and nothing is thrown.
     */
    void release() {
        Connection c = raw;
        Node n = node;
        boolean rollback = uncommitted;
        boolean condemned = broken;
        raw = null;
        finishRequest(false);
        if (c != null) {
            if (condemned) {
                physicalReleased(false);
                abortQuietly(c);
                return;
            }
            physicalReleased(true);
            try {
                if (rollback) {
                    c.rollback(); // an unfinished transaction never reaches the pool's next borrower
                }
                c.close();
            } catch (SQLException | RuntimeException e) {
                if (ErrorClassifier.classify(e) == ErrorKind.NODE_GONE && n != null) {
                    ctx.cluster.nodeFailed(n.address());
                }
                abortQuietly(c);
            }
        }
    }

    /** Drops the physical connection without giving it back: it is broken or on the wrong node. */
    void discard() {
        discard(false);
    }

    /** As {@link #discard()}; {@code keepRecord} keeps the transaction's replay record, for the replay. */
    private void discard(boolean keepRecord) {
        Connection c = raw;
        raw = null;
        finishRequest(keepRecord);
        physicalReleased(false);
        if (c != null) {
            abortQuietly(c);
        }
    }

    private void resetLog() {
        ReplayLog log = replayLog();
        if (log != null) {
            log.reset();
        }
    }

    /** The node no longer serves this session. */
    private void finishRequest(boolean keepRecord) {
        if (!keepRecord) {
            resetLog();
            transactionChangesData = false;
        }
        transactionWrote = false;
        transactionStatements = 0;
        uncommitted = false;
        broken = false;
        if (writeLease) {
            writeLease = false;
            ctx.writeGate.leave();
        }
        Node n = node;
        node = null;
        if (n != null && ctx.countsOutstanding) {
            n.stats().requestFinished(); // for the strategies that count requests in flight
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

    /** The session's state, for the connection's {@code toString()}. */
    final String describe() {
        return state() + (node == null ? "" : " on " + node.address()) + (readOnly ? ", read-only" : "")
                + (autoCommit ? "" : ", manual commit");
    }
}
