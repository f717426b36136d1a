package dev.haven.core;

import java.sql.SQLTransientConnectionException;

/**
 * No primary was available for a write within the wait allowed ({@code ha.failover.timeout}).
 * Transient: a later attempt may succeed once a primary is promoted or comes back. SQLState
 * {@code 08001}. The message says how long it waited, what the topology looked like, and what to
 * check.
 */
public final class NoPrimaryException extends SQLTransientConnectionException {

    private static final long serialVersionUID = 1L;

    /** SQLState: unable to establish a connection. */
    public static final String SQL_STATE = "08001";

    /** @param message the full explanation, see the class comment */
    public NoPrimaryException(String message) {
        super(message, SQL_STATE);
    }
}
