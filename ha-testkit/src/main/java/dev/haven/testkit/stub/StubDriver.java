package dev.haven.testkit.stub;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * A no-op {@link Driver} whose connections reach the {@link StubCluster} servers by the {@code host:port} of the
 * URL: {@code jdbc:stub://stub1:1/db}, or a vendor URL such as {@code jdbc:mariadb://stub2:2/db?connectTimeout=500}
 * (the database and parameters are read but change nothing). An address that is not a stub server fails like a
 * refused connection (SQLState {@code 08001}).
 *
 * <p>Pools create it from its class name ({@code driverClassName}); it is deliberately never registered with
 * {@link java.sql.DriverManager}, where it would capture real {@code jdbc:mariadb:} URLs.
 */
public final class StubDriver implements Driver {

    /** The driver's own URL prefix. */
    public static final String PREFIX = "jdbc:stub://";
    private static final String[] ACCEPTED = {PREFIX, "jdbc:mariadb://", "jdbc:mysql://"};

    public StubDriver() {
        // for pools that instantiate drivers by class name
    }

    /** {@code jdbc:stub://host:port/database}. */
    public static String url(String hostAndPort, String database) {
        return PREFIX + hostAndPort + "/" + database;
    }

    @Override
    public boolean acceptsURL(String url) {
        if (url == null) {
            return false;
        }
        for (String prefix : ACCEPTED) {
            if (url.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null; // the Driver contract: not ours
        }
        int start = url.indexOf("://") + 3;
        int end = start;
        while (end < url.length() && url.charAt(end) != '/' && url.charAt(end) != '?') {
            end++;
        }
        String hostAndPort = url.substring(start, end);
        String database = null;
        if (end < url.length() && url.charAt(end) == '/') {
            int query = url.indexOf('?', end);
            database = url.substring(end + 1, query < 0 ? url.length() : query);
        }
        StubNode node = StubCluster.node(hostAndPort);
        if (node == null) {
            throw new SQLNonTransientConnectionException("stub driver: no server at " + hostAndPort + " (the stub"
                    + " servers are " + StubCluster.HOSTS + ")", "08001");
        }
        return new StubConnection(node, database == null || database.isEmpty() ? null : database);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("the stub driver does not log");
    }
}
