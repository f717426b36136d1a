package dev.haven.core;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Opens the health monitor's own connections to nodes. ha-core knows no vendor driver: the JDBC layer supplies
 * this, building the vendor URL for the node with both timeouts applied, and with the monitoring credentials.
 *
 * <p>The returned connection must already enforce both timeouts: {@code connectTimeout} on establishing the
 * connection (TCP connect and handshake), {@code socketTimeout} on every read, so that a frozen server or a
 * dropped network fails a probe instead of hanging it.
 */
@FunctionalInterface
public interface NodeConnector {

    /**
     * Opens a new connection to the node, in auto-commit mode.
     *
     * @param node           where to connect
     * @param connectTimeout bound on establishing the connection
     * @param socketTimeout  bound on every read from the server
     * @return a new connection, owned and closed by the caller
     * @throws SQLException when the node cannot be reached within the bounds
     */
    Connection connect(NodeAddress node, Duration connectTimeout, Duration socketTimeout) throws SQLException;

    /** The user these connections log in as, for error messages (never the password); {@code null} if unknown. */
    default String user() {
        return null;
    }
}
