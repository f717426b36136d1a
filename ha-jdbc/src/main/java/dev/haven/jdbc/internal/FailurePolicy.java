package dev.haven.jdbc.internal;

import dev.haven.core.ErrorKind;

/**
 * What a logical connection does when something fails on its physical connection: a pure function of where the
 * failure happened ({@link Phase}), what the error means ({@link ErrorKind}), how much of the transaction is at
 * stake ({@link Tx}), what the statement does ({@link Kind}), how often this operation failed before, and whether
 * the failover deadline ({@code ha.failover.timeout}) still leaves time. No I/O, no clock, no state: the session
 * ({@link RoutingSession}) gathers the inputs and carries out the {@link Decision}.
 *
 * <p>The rule behind the table: a failure of a node found <em>before</em> anything of the unit of work ran on it is
 * the node's failure, not the application's, so it is reported to the monitor and the work goes on elsewhere (or
 * waits for the new primary). Once something ran, the application must learn it ({@code 08007} when a write's
 * outcome is unknown, {@code 08006} for a read that failed twice). A failure after the work's outcome was settled
 * (a commit that returned, a rollback the dead server does itself) never turns that outcome into an error.
 *
 * <p>The table in {@code docs/failure-semantics.md} lists every row of this function; {@code FailurePolicyTest}
 * reads that table and checks this code against each row, and that the rows cover every input exactly once.
 */
final class FailurePolicy {

    /** Where the failure happened. */
    enum Phase {
        /**
         * Taking or preparing a physical connection for the next statement (borrowing it, applying the session's
         * auto-commit, read-only and other settings), or finding at that moment that the bound node was replaced
         * (down, gone or demoted in the topology): nothing of the statement was sent.
         */
        BIND,
        /** Running a statement: it was sent, and may have been applied. */
        STATEMENT,
        /** {@code commit()}, or {@code setAutoCommit(true)} ending a transaction. */
        COMMIT,
        /** {@code rollback()}. */
        ROLLBACK,
        /**
         * Giving the physical connection back, or reading the write position for read-your-writes, after the unit
         * of work was settled (committed, rolled back, or the logical connection closed).
         */
        RELEASE
    }

    /** How much of a transaction is at stake. */
    enum Tx {
        /** Auto-commit: every statement is its own unit of work. */
        NONE,
        /** Auto-commit off, but no statement of this transaction ran yet. */
        EMPTY,
        /** Auto-commit off and at least one statement of this transaction ran (or a savepoint was set). */
        RAN
    }

    /** What the statement does, for the choice between running it again and reporting it. */
    enum Kind {
        /** A plain read, or anything on a connection bound to a replica: running it again changes nothing. */
        READ,
        /** Anything else (writes, locking reads, unknown statements, batches, calls, commits). */
        WRITE
    }

    /**
     * What the session can do for the transaction beyond reporting: replay it ({@code ha.replay=on} and its record
     * is complete: see {@link ReplayLog}), resolve its commit with a marker ({@code ha.commitOutcome=marker} and the
     * commit carried one, or the auto-commit write was wrapped with one), both, or neither.
     */
    enum Recovery {
        NONE, REPLAY, MARKER, BOTH;

        static Recovery of(boolean replay, boolean marker) {
            return replay ? (marker ? BOTH : REPLAY) : (marker ? MARKER : NONE);
        }

        boolean replays() {
            return this == REPLAY || this == BOTH;
        }

        boolean marks() {
            return this == MARKER || this == BOTH;
        }
    }

    /** What to do. */
    enum Decision {
        /** Return the error to the application unchanged: its business (or a server's refusal it must see). */
        PASS_THROUGH(null),
        /** Drop the physical connection, report the node, take another physical connection for the same target. */
        RETRY_HERE(null),
        /** Drop the physical connection, report the node, route again (another replica, or the primary). */
        RETRY_ELSEWHERE(null),
        /**
         * Drop the physical connection, report the node, wait (within {@code ha.failover.timeout}) until the
         * topology names a primary other than the failed node, or the failed node is seen healthy again, then
         * take a connection there and run the statement.
         */
        WAIT_FOR_PRIMARY(null),
        /** Nothing of the unit of work ran and no node could take it in time: retrying it later is safe. */
        NOT_APPLIED("08001"),
        /** A read failed on a node and again on its one retry. */
        READ_FAILED("08006"),
        /** A write or a transaction may or may not have been committed: transaction resolution unknown. */
        OUTCOME_UNKNOWN("08007"),
        /**
         * The transaction was not committed anywhere (its commit was not sent): wait for the primary, run its record
         * again on a new physical connection, and go on if every result matches; else roll back and fail with
         * {@code 40001}.
         */
        REPLAY(null),
        /**
         * The commit may or may not have happened, and it carried a marker: wait for the primary and fence the marker
         * there. Found: committed, return normally. Not found: not committed; replay if the record allows, else fail
         * with {@code 40001} (safe to retry).
         */
        RESOLVE_WITH_MARKER(null),
        /**
         * The failure does not change the outcome, which is already settled: a rollback on a dead connection (the
         * server rolls back itself), a release after a commit that returned. Drop the connection, report the node
         * if it is gone, and return normally.
         */
        ABSORBED(null);

        private final String sqlState;

        Decision(String sqlState) {
            this.sqlState = sqlState;
        }

        /** The SQLState of the error the application gets, null when it gets the original error or none. */
        String sqlState() {
            return sqlState;
        }

        /** Whether the operation runs again. */
        boolean retries() {
            return this == RETRY_HERE || this == RETRY_ELSEWHERE || this == WAIT_FOR_PRIMARY;
        }
    }

    private FailurePolicy() {
    }

    /**
     * The decision for one failure.
     *
     * @param attempt how many times this operation failed before (0 at the first failure)
     * @param timeLeft whether the deadline for finding a node ({@code ha.failover.timeout} from the first failure)
     *     has not passed yet
     */
    static Decision decide(Phase phase, ErrorKind error, Tx tx, Kind kind, int attempt, boolean timeLeft) {
        return decide(phase, error, tx, kind, attempt, timeLeft, Recovery.NONE);
    }

    /**
     * As {@link #decide(Phase, ErrorKind, Tx, Kind, int, boolean)}, with what the session can do for the
     * transaction ({@code ha.replay}, {@code ha.commitOutcome}).
     */
    static Decision decide(Phase phase, ErrorKind error, Tx tx, Kind kind, int attempt, boolean timeLeft,
            Recovery recovery) {
        boolean nodeGone = error == ErrorKind.NODE_GONE;
        boolean notPrimary = error == ErrorKind.NOT_PRIMARY;
        boolean nothingRan = tx != Tx.RAN;
        switch (phase) {
            case BIND:
                if (!nodeGone && !notPrimary) {
                    return Decision.PASS_THROUGH;
                }
                if (!nothingRan) {
                    // the transaction's node was lost under it, before anything of this statement was sent
                    return recovery.replays() ? Decision.REPLAY : Decision.OUTCOME_UNKNOWN;
                }
                if (!timeLeft) {
                    return Decision.NOT_APPLIED;
                }
                if (notPrimary) {
                    return Decision.WAIT_FOR_PRIMARY;
                }
                if (attempt == 0) {
                    return Decision.RETRY_HERE; // one stale pooled connection does not condemn the node
                }
                return kind == Kind.READ ? Decision.RETRY_ELSEWHERE : Decision.WAIT_FOR_PRIMARY;
            case STATEMENT:
                if (nodeGone) {
                    if (tx == Tx.NONE && kind == Kind.WRITE && recovery.marks()) {
                        // wrapped with a marker: its commit was not sent, so nothing was applied
                        return attempt == 0 ? Decision.WAIT_FOR_PRIMARY : Decision.NOT_APPLIED;
                    }
                    if (tx != Tx.NONE && (!nothingRan || kind == Kind.WRITE) && recovery.replays()) {
                        return Decision.REPLAY; // auto-commit off: nothing of the transaction was committed
                    }
                    if (!nothingRan || kind == Kind.WRITE) {
                        return Decision.OUTCOME_UNKNOWN;
                    }
                    return attempt == 0 ? Decision.RETRY_ELSEWHERE : Decision.READ_FAILED;
                }
                if (notPrimary && nothingRan && kind == Kind.WRITE && attempt == 0) {
                    return Decision.WAIT_FOR_PRIMARY; // refused as read-only: nothing was applied
                }
                if (notPrimary && !nothingRan && recovery.replays()) {
                    return Decision.REPLAY; // refused by a demoted primary: the transaction moves whole
                }
                return Decision.PASS_THROUGH;
            case COMMIT:
                if (!nodeGone) {
                    return Decision.PASS_THROUGH;
                }
                if (nothingRan) {
                    return Decision.ABSORBED;
                }
                return recovery.marks() ? Decision.RESOLVE_WITH_MARKER : Decision.OUTCOME_UNKNOWN;
            case ROLLBACK:
                return nodeGone ? Decision.ABSORBED : Decision.PASS_THROUGH;
            case RELEASE:
                return Decision.ABSORBED;
            default:
                throw new IllegalArgumentException("unknown phase " + phase);
        }
    }
}
