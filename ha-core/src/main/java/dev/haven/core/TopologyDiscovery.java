package dev.haven.core;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * How Haven learns a cluster's shape from its servers: one implementation per kind of cluster (asynchronous or
 * semi-synchronous replication, Group Replication, a static list). The health monitor calls {@link #probe} on
 * every node at every probe interval, over the node's dedicated monitoring connection; the connection's socket
 * timeout bounds each call, so an implementation simply runs its statements.
 *
 * <p>Implementations are stateless and thread-safe: the monitor probes nodes concurrently.
 */
public interface TopologyDiscovery {

    /** The name used by the {@code ha.discovery} setting, such as {@code replication}. */
    String name();

    /**
     * Reads one server's view of itself and of the cluster.
     *
     * @param connection the monitor's connection to the server, in auto-commit mode
     * @param address    the address the connection was opened to
     * @return what the server reported
     * @throws SQLException when the server cannot be read; the monitor counts it as a failed probe
     */
    ServerState probe(Connection connection, NodeAddress address) throws SQLException;
}
