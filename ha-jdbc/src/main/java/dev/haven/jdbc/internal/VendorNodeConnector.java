package dev.haven.jdbc.internal;

import dev.haven.core.HavenConfig;
import dev.haven.core.NodeAddress;
import dev.haven.core.NodeConnector;

import java.lang.reflect.InvocationTargetException;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Opens the health monitor's connections through the vendor driver, one node at a time, with the vendor's own
 * {@code connectTimeout} and {@code socketTimeout} (milliseconds in both mysql-connector-j and MariaDB Connector/J)
 * set from the arguments, overriding whatever the URL says: the URL's timeouts are for application connections.
 *
 * <p>What bounds what, measured against a server that accepts TCP but never answers (mysql-connector-j 9.7,
 * MariaDB Connector/J 3.5): mysql-connector-j bounds the TCP connect by {@code connectTimeout} and the handshake by
 * {@code socketTimeout}; MariaDB Connector/J bounds both by {@code connectTimeout}. So a connect to a hung server
 * fails after at least the smaller of the two and at most their sum, plus scheduling noise.
 *
 * <p>The vendor {@link Driver} is instantiated directly from its class, never looked up through
 * {@link java.sql.DriverManager}: that way Haven's own driver, registered there too, is never re-entered, and no
 * other registered driver gets a say.
 *
 * <p>Implementation notes: immutable and thread-safe; each call builds the vendor URL afresh, which costs
 * microseconds against a network round trip, and monitoring connects rarely.
 */
public final class VendorNodeConnector implements NodeConnector {

    /** The vendor parameter for the TCP connect (and, with MariaDB, handshake) timeout, in milliseconds. */
    static final String CONNECT_TIMEOUT = "connectTimeout";
    /** The vendor parameter for the read timeout on an established socket, in milliseconds. */
    static final String SOCKET_TIMEOUT = "socketTimeout";

    private final Driver driver;
    private final HaUrl url;

    private VendorNodeConnector(Driver driver, HaUrl url) {
        this.driver = driver;
        this.url = url;
    }

    /**
     * A connector that logs in as the given user, with the URL's other vendor parameters.
     *
     * @param url      where the vendor and its parameters come from
     * @param user     the monitoring user, {@code null} to send none
     * @param password its password, {@code null} for none; never printed
     * @throws SQLException (SQLState {@code 08001}) when the vendor driver is not on the class path
     */
    public static VendorNodeConnector create(HaUrl url, String user, String password) throws SQLException {
        return create(url, user, password, Thread.currentThread().getContextClassLoader(),
                VendorNodeConnector.class.getClassLoader());
    }

    /**
     * A connector for the health monitor: {@code ha.admin.user} and {@code ha.admin.password} when configured,
     * else the application's own {@code user} and {@code password}.
     *
     * @throws SQLException (SQLState {@code 08001}) when the vendor driver is not on the class path
     */
    public static VendorNodeConnector forMonitoring(HaUrl url) throws SQLException {
        return forMonitoring(url, null);
    }

    /** As {@link #forMonitoring(HaUrl)}, through {@code driverClass} instead of the vendor's when not null. */
    public static VendorNodeConnector forMonitoring(HaUrl url, String driverClass) throws SQLException {
        HavenConfig config = url.config();
        ClassLoader[] loaders = {Thread.currentThread().getContextClassLoader(), VendorNodeConnector.class.getClassLoader()};
        if (config.adminUser() != null) {
            return createThrough(url, config.adminUser(), config.adminPassword(), driverClass, loaders);
        }
        return createThrough(url, url.user(), url.password(), driverClass, loaders);
    }

    /**
     * As {@link #create(HaUrl, String, String)}, loading the driver from the first of the class loaders that has it
     * ({@code null} entries are skipped). The context class loader comes first by default because application
     * servers and plug-in hosts put the vendor driver where it sees it, not necessarily where Haven was loaded.
     */
    static VendorNodeConnector create(HaUrl url, String user, String password, ClassLoader... loaders)
            throws SQLException {
        return createThrough(url, user, password, null, loaders);
    }

    static VendorNodeConnector createThrough(HaUrl url, String user, String password, String driverClass,
                                      ClassLoader... loaders) throws SQLException {
        Objects.requireNonNull(url, "url");
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put("user", user);
        credentials.put("password", password);
        return new VendorNodeConnector(loadDriverClass(url.vendor(), driverClass, loaders),
                url.withVendorParameters(credentials));
    }

    static Driver loadDriver(Vendor vendor, ClassLoader... loaders) throws SQLException {
        return loadDriverClass(vendor, null, loaders);
    }

    static Driver loadDriverClass(Vendor vendor, String driverClass, ClassLoader... loaders) throws SQLException {
        String className = driverClass != null ? driverClass : vendor.driverClass();
        Class<?> type = null;
        Throwable failure = null;
        for (ClassLoader loader : loaders) {
            if (loader == null || type != null) {
                continue;
            }
            try {
                type = Class.forName(className, true, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                failure = e;
            }
        }
        if (type == null) {
            throw new SQLNonTransientConnectionException(vendor.displayName() + " (" + vendor.driverClass()
                    + ") is not on the class path, and jdbc:ha:" + vendor.scheme() + ": URLs need it; add the dependency "
                    + vendor.artifact(), HaUrl.SQLSTATE_BAD_URL, failure);
        }
        if (!Driver.class.isAssignableFrom(type)) {
            throw new SQLNonTransientConnectionException(vendor.driverClass() + " is not a java.sql.Driver",
                    HaUrl.SQLSTATE_BAD_URL);
        }
        try {
            return (Driver) type.getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            throw new SQLNonTransientConnectionException("could not create " + vendor.driverClass() + ": " + e.getCause(),
                    HaUrl.SQLSTATE_BAD_URL, e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new SQLNonTransientConnectionException("could not create " + vendor.driverClass() + ": " + e,
                    HaUrl.SQLSTATE_BAD_URL, e);
        }
    }

    /** The vendor this connector connects with. */
    public Vendor vendor() {
        return url.vendor();
    }

    /** The user this connector logs in as, {@code null} for none. */
    String loginUser() {
        return url.user();
    }

    @Override
    public String user() {
        return url.user();
    }

    /**
     * Opens a connection to the node in auto-commit mode, bounded by both timeouts.
     *
     * @param connectTimeout at least 1 ms (sub-millisecond values round up; zero would mean "wait forever" to the
     *                       vendor); values beyond {@code Integer.MAX_VALUE} ms are capped
     * @param socketTimeout  likewise
     * @throws SQLException the vendor's failure with its SQLState and error code, the message prefixed with the node
     *                      and the timeouts
     * @throws IllegalArgumentException for a zero or negative timeout
     */
    @Override
    public Connection connect(NodeAddress node, Duration connectTimeout, Duration socketTimeout) throws SQLException {
        Map<String, String> timeouts = new LinkedHashMap<>();
        timeouts.put(CONNECT_TIMEOUT, Long.toString(millis(CONNECT_TIMEOUT, connectTimeout)));
        timeouts.put(SOCKET_TIMEOUT, Long.toString(millis(SOCKET_TIMEOUT, socketTimeout)));
        HaUrl target = url.withVendorParameters(timeouts);
        String vendorUrl = target.vendorUrl(node);
        Connection connection;
        try {
            connection = driver.connect(vendorUrl, target.vendorProperties());
        } catch (SQLException e) {
            throw withContext(e, "cannot connect to " + node + " with " + url.vendor().displayName() + " (connectTimeout="
                    + timeouts.get(CONNECT_TIMEOUT) + "ms, socketTimeout=" + timeouts.get(SOCKET_TIMEOUT) + "ms): "
                    + e.getMessage());
        }
        if (connection == null) {
            // a Driver returns null for a URL it does not accept; ours are built for it, so this is a bug
            throw new SQLNonTransientConnectionException(url.vendor().driverClass() + " refused the URL " + vendorUrl,
                    HaUrl.SQLSTATE_BAD_URL);
        }
        try {
            if (!connection.getAutoCommit()) {
                // a vendor option such as autocommit=false must not leave probes inside a transaction
                connection.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection, e);
            throw e;
        }
        return connection;
    }

    /**
     * The vendor's failure with the node in its message (mysql-connector-j does not name it), keeping the SQLState,
     * the error code and the transient / non-transient kind, which error classification and pools read.
     */
    private static SQLException withContext(SQLException e, String message) {
        SQLException wrapped;
        if (e instanceof SQLTimeoutException) {
            wrapped = new SQLTimeoutException(message, e.getSQLState(), e.getErrorCode(), e);
        } else if (e instanceof SQLTransientConnectionException) {
            wrapped = new SQLTransientConnectionException(message, e.getSQLState(), e.getErrorCode(), e);
        } else if (e instanceof SQLNonTransientConnectionException) {
            wrapped = new SQLNonTransientConnectionException(message, e.getSQLState(), e.getErrorCode(), e);
        } else if (e instanceof SQLRecoverableException) {
            wrapped = new SQLRecoverableException(message, e.getSQLState(), e.getErrorCode(), e);
        } else if (e instanceof SQLInvalidAuthorizationSpecException) {
            wrapped = new SQLInvalidAuthorizationSpecException(message, e.getSQLState(), e.getErrorCode(), e);
        } else {
            wrapped = new SQLException(message, e.getSQLState(), e.getErrorCode(), e);
        }
        return wrapped;
    }

    private static long millis(String name, Duration timeout) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + timeout
                    + "; the vendor drivers read 0 as no timeout at all");
        }
        long ms;
        try {
            ms = timeout.toMillis();
            if (!timeout.minusMillis(ms).isZero()) {
                ms++;
            }
        } catch (ArithmeticException e) {
            ms = Integer.MAX_VALUE;
        }
        return Math.min(ms, Integer.MAX_VALUE);
    }

    private static void closeQuietly(Connection connection, Throwable primary) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }

    /** Names the vendor and the parameters; never the password. */
    @Override
    public String toString() {
        return "VendorNodeConnector[" + url.vendor().displayName() + ", " + url + "]";
    }
}
