package dev.haven.jdbc.internal;

import dev.haven.core.NodeAddress;
import java.io.PrintWriter;
import dev.haven.core.internal.Disconnect;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The data source under one node's HikariCP pool: opens physical connections through the vendor driver and keeps
 * every one it opened, so that all of them, in use or idle, can be cut off at once when the node is replaced as
 * primary ({@link #condemn}). Borrowing never comes here; only creating a connection does, which is rare.
 *
 * <p>Why: a statement or commit waiting on a frozen primary completes when the server thaws, and without this its
 * success would reach the application although another node has been promoted in the meantime. After
 * {@link #condemn} every such wait ends with a communication error (which the caller reports as {@code 08007},
 * outcome unknown), and no new connection is opened until {@link #pardon} (the node is healthy again).
 *
 * <p>How a connection is cut off without waiting on a frozen server: {@link Disconnect}.
 */
final class NodeDataSource implements DataSource {

    private final NodeAddress node;
    private final Driver driver;
    private final String url;
    private final Properties properties;
    private final Executor aborter;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean condemned;
    private volatile String why;
    private volatile int loginTimeoutSeconds;
    /** Whether each new connection asks its server for the GTID of every commit in the OK packet (OkPacketGtids). */
    private final boolean trackGtids;
    private volatile boolean trackingFailureLogged;

    NodeDataSource(NodeAddress node, Driver driver, String url, Properties properties, Executor aborter) {
        this(node, driver, url, properties, aborter, false);
    }

    NodeDataSource(NodeAddress node, Driver driver, String url, Properties properties, Executor aborter,
            boolean trackGtids) {
        this.trackGtids = trackGtids;
        this.node = node;
        this.driver = driver;
        this.url = url;
        this.properties = properties;
        this.aborter = aborter;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return getConnection(null, null);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        refuseIfCondemned();
        Properties props = new Properties();
        props.putAll(properties);
        if (username != null) {
            props.setProperty("user", username);
            if (password != null) {
                props.setProperty("password", password);
            }
        }
        Connection c = driver.connect(url, props);
        if (c == null) {
            throw new SQLNonTransientConnectionException(driver.getClass().getName() + " refused the URL " + url,
                    HaUrl.SQLSTATE_BAD_URL);
        }
        if (trackGtids) {
            trackGtids(c);
        }
        if (trackGtids) {
            trackGtids(c);
        }
        open.removeIf(NodeDataSource::closed); // creation is rare: the set never holds more than the pool's size long
        open.add(c);
        if (condemned) {
            // condemned while connecting: condemn() may not have seen it in the set
            cutOff(c);
            refuseIfCondemned();
        }
        return c;
    }

    /**
     * Connection setup for the RPO guard: the server is to report each commit's GTID in its OK packet. A server that
     * refuses (too old, or a privilege) leaves the connection usable; the guard then cannot protect the writes made
     * on it, which is logged once per node.
     */
    private void trackGtids(Connection c) throws SQLException {
        try {
            OkPacketGtids.enable(c);
        } catch (SQLException e) {
            if (dev.haven.core.ErrorClassifier.classify(e) == dev.haven.core.ErrorKind.NODE_GONE) {
                Disconnect.cutOff(c, aborter);
                throw e;
            }
            if (!trackingFailureLogged) {
                trackingFailureLogged = true;
                boolean trackingOff = "0A000".equals(e.getSQLState()); // OkPacketGtids.enable's own refusal
                org.slf4j.LoggerFactory.getLogger(NodeDataSource.class).warn("{} does not report the GTID of each"
                        + " commit (SQLState {}: {}); {}", node, e.getSQLState(), e.getMessage(), trackingOff
                        ? "the RPO guard reads it with a query after each write commit instead (a round trip)"
                        : "the RPO guard cannot protect the writes acknowledged on it");
            }
        }
    }

    private void refuseIfCondemned() throws SQLException {
        if (condemned) {
            throw new SQLTransientConnectionException("no new connection to " + node + ": " + why, "08001");
        }
    }

    /**
     * Cuts off every physical connection this data source opened, in use or idle, and refuses new ones until
     * {@link #pardon}. Never waits on the network.
     *
     * @return how many open connections were cut off
     */
    int condemn(String reason) {
        why = reason;
        condemned = true;
        int count = 0;
        for (Connection c : open) {
            if (!closed(c)) {
                cutOff(c);
                count++;
            }
            open.remove(c);
        }
        return count;
    }

    /** New connections may be opened again: the node is known healthy and not a replaced primary. */
    void pardon() {
        condemned = false;
    }

    boolean condemned() {
        return condemned;
    }

    /** Physical connections opened and not seen closed, for tests. */
    int tracked() {
        open.removeIf(NodeDataSource::closed);
        return open.size();
    }

    private void cutOff(Connection c) {
        Disconnect.cutOff(c, aborter);
    }

    private static boolean closed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // no log writer: Haven logs through SLF4J
    }

    @Override
    public void setLoginTimeout(int seconds) {
        loginTimeoutSeconds = seconds; // the vendor's connectTimeout in the URL bounds a connect
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("Haven logs through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "NodeDataSource[" + node + "]"; // never the properties: they hold the password
    }
}
