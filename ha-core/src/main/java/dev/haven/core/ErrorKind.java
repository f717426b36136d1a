package dev.haven.core;

/** What a failure means for Haven; see {@link ErrorClassifier}. */
public enum ErrorKind {
    /**
     * The connection or the node is gone (crashed, unreachable, shutting down, refusing
     * connections, connection killed): discard the connection, report a passive failure to the
     * detector, retry a read elsewhere.
     */
    NODE_GONE,
    /** The node refused a write because it is read-only: it is not the primary (any more); nothing was applied, so retry on the new primary. */
    NOT_PRIMARY,
    /** The application's business (deadlock, lock wait timeout, constraint violation, syntax, statement timeout): pass it on unchanged. */
    APPLICATION,
    /** Anything else (authentication, driver misuse, unknown codes): pass it on, take no action. */
    OTHER
}
