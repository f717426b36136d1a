package dev.haven.core;

/**
 * What a SQL statement does, as far as routing is concerned; see {@link SqlClassifier}.
 */
public enum StatementKind {
    /** A plain read with no side effect: may go to a replica ({@code SELECT}, {@code SHOW}, {@code EXPLAIN}, {@code WITH ... SELECT}). */
    READ,
    /** Changes data, schema, locks or server state, or depends on this session's last write: goes to the primary. */
    WRITE,
    /** {@code SELECT ... FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE}: takes row locks, so the primary. */
    LOCKING_READ,
    /** Changes session state ({@code SET}, {@code USE}): must be applied to every physical connection of the session. */
    SESSION,
    /**
     * Transaction control ({@code BEGIN}, {@code START TRANSACTION}, {@code COMMIT}, {@code ROLLBACK},
     * {@code SAVEPOINT}, {@code RELEASE SAVEPOINT}, {@code XA ...}): the JDBC layer handles these itself
     * (they pin or release the physical connection) rather than route them as reads or writes.
     */
    TRANSACTION,
    /**
     * Cannot be told ({@code PREPARE}/{@code EXECUTE}, compound statements, {@code SHOW WARNINGS} which
     * reports on the previous statement's connection, unparseable text): keep it where the session is,
     * or on the primary.
     */
    UNKNOWN
}
