package dev.haven.jdbc;

import dev.haven.core.ErrorKind;
import dev.haven.core.NodeAddress;

/**
 * Told about every statement an {@link HaDataSource} runs and every statement it runs again elsewhere: what metrics
 * need to count routed statements per node and intent, and retries. Register with
 * {@link HaDataSource#setRoutingListener}; {@link #NONE} (the default) does nothing and costs nothing.
 *
 * <p>Called on the application's threads, on the hot path, once per statement execution: an implementation must be
 * thread-safe, non-blocking and allocation-free (a striped counter looked up by node, for example). An exception
 * thrown here reaches the application, so do not throw.
 */
public interface RoutingListener {

    /** Does nothing; the default. */
    RoutingListener NONE = new RoutingListener() {
        @Override
        public void statementExecuted(NodeAddress node, boolean forReads) {
        }

        @Override
        public void statementRetried(NodeAddress node, ErrorKind cause) {
        }
    };

    /**
     * A statement ran successfully on {@code node}.
     *
     * @param forReads whether the connection was routed for reads (a read-only connection, or a plain read with
     *                 {@code ha.routing=auto}); such a statement may still have run on the primary, by
     *                 {@code ha.readFallback=primary} or read-your-writes
     */
    void statementExecuted(NodeAddress node, boolean forReads);

    /**
     * A statement failed on {@code node} and is run again: a read in auto-commit mode on another node
     * ({@link ErrorKind#NODE_GONE}), or a write refused by a demoted primary on the new one
     * ({@link ErrorKind#NOT_PRIMARY}). {@code node} is {@code null} if the statement had no node yet.
     */
    void statementRetried(NodeAddress node, ErrorKind cause);
}
