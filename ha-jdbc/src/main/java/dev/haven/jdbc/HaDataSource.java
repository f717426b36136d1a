package dev.haven.jdbc;

import com.zaxxer.hikari.HikariConfig;
import dev.haven.core.HavenCluster;
import dev.haven.core.HavenEventListener;
import dev.haven.core.NodeAddress;
import dev.haven.core.PrimaryFencer;
import dev.haven.core.Topology;
import dev.haven.jdbc.internal.ClusterContext;
import dev.haven.jdbc.internal.HaUrl;
import java.io.Closeable;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Locale;
import java.util.Properties;
import java.util.function.BiConsumer;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A topology-aware {@link DataSource}: writes go to the primary, reads from read-only connections go to healthy,
 * fresh-enough replicas, and failures are handled by Haven's rules (see the README's failure semantics).
 *
 * <pre>{@code
 * HaDataSource ds = HaDataSource.builder()
 *         .url("jdbc:ha:mysql://db1:3306,db2:3306,db3:3306/app?ha.maxReplicaLag=2s")
 *         .user("app").password(secret)
 *         .poolProperty("maximumPoolSize", "20")
 *         .build();
 * try (Connection c = ds.getConnection()) {
 *     c.setReadOnly(true);            // this connection reads from a replica
 *     ...
 * }
 * }</pre>
 *
 * Each node gets its own HikariCP pool (a replica's on first use); pool settings are HikariCP's property names,
 * applied to every node's pool. {@link #getConnection()} returns a logical connection that takes a physical one at
 * its first statement, so {@code setReadOnly} and {@code setAutoCommit} after {@code getConnection()} still
 * route correctly.
 *
 * <p>Frameworks can also use the JavaBean setters and a no-argument constructor; the data source then starts at
 * the first {@code getConnection()}. {@link #close()} stops monitoring and closes every pool.
 */
public final class HaDataSource implements DataSource, Closeable {

    private String url;
    private String user;
    private String password;
    private final Properties poolProperties = new Properties();
    private final Properties settings = new Properties();
    private final List<HavenEventListener> listeners = new ArrayList<>();
    private BiConsumer<NodeAddress, HikariConfig> poolCustomizer;
    private RoutingListener routingListener = RoutingListener.NONE;
    private PrimaryFencer fencer;
    private volatile ClusterContext context;
    private volatile boolean closed;
    private PrintWriter logWriter;
    private int loginTimeout;

    /** For frameworks: set the URL and credentials with the setters; it starts at the first connection. */
    public HaDataSource() {
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------ connections

    /** A logical connection; it takes a physical connection from the right node at its first statement. */
    @Override
    public Connection getConnection() throws SQLException {
        return context().connect();
    }

    /**
     * Credentials are fixed per data source (each has its own pools and monitor); this accepts only the configured
     * ones.
     */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        if (Objects.equals(username, user) && Objects.equals(password, this.password)) {
            return getConnection();
        }
        throw new SQLFeatureNotSupportedException("HaDataSource connects with the user it was configured with;"
                + " create another HaDataSource for user '" + username + "'");
    }

    /** The monitored cluster: its topology, router and events (for health checks and metrics). */
    public HavenCluster cluster() throws SQLException {
        return context().cluster();
    }

    /**
     * Planned switchover: moves the primary role to the replica at {@code target} ({@code host:port} as in the
     * URL). New writes are held back while the writes in progress finish, the primary is made read-only, the
     * target catches up and is promoted, the other replicas follow it, and writes resume on it: no committed
     * write is lost or fails. The old primary stays read-only (fenced). Needs {@code ha.admin.user} (or
     * application credentials) allowed to change {@code read_only} and replication.
     *
     * @return how long writes were held back
     * @throws SQLException when the switchover is refused or fails; the message says why, and the old primary is
     *                      writable again unless the target had already become writable
     */
    public java.time.Duration switchover(String target) throws SQLException {
        return context().switchover(dev.haven.core.NodeAddress.parse(target)).writePause();
    }

    /** The live topology. */
    public Topology topology() throws SQLException {
        return context().cluster().topology();
    }

    private ClusterContext context() throws SQLException {
        ClusterContext c = context;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (closed) {
                throw new SQLException("the data source is closed", "08003");
            }
            if (context == null) {
                if (url == null) {
                    throw new SQLException("HaDataSource has no URL: set one like jdbc:ha:mysql://db1,db2/app", "08001");
                }
                Properties info = new Properties();
                if (user != null) {
                    info.setProperty("user", user);
                }
                if (password != null) {
                    info.setProperty("password", password);
                }
                info.putAll(settings);
                context = ClusterContext.open(HaUrl.parse(url, info), poolProperties, poolCustomizer, routingListener,
                        fencer, listeners.toArray(new HavenEventListener[0]));
            }
            return context;
        }
    }

    /** Starts monitoring now instead of at the first connection; fails at once on a bad URL or setting. */
    public void start() throws SQLException {
        context();
    }

    @Override
    public synchronized void close() {
        closed = true;
        ClusterContext c = context;
        context = null;
        if (c != null) {
            c.close();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------------------------------ JavaBean setters

    public String getUrl() {
        return url;
    }

    /** The {@code jdbc:ha:mysql://...} or {@code jdbc:ha:mariadb://...} URL. */
    public void setUrl(String url) {
        requireNotStarted();
        this.url = url;
    }

    /** Same as {@link #setUrl}, under HikariCP's and Spring's name. */
    public void setJdbcUrl(String url) {
        setUrl(url);
    }

    public String getUser() {
        return user;
    }

    public void setUser(String user) {
        requireNotStarted();
        this.user = user;
    }

    /** Same as {@link #setUser}, under HikariCP's and Spring's name. */
    public void setUsername(String user) {
        setUser(user);
    }

    public void setPassword(String password) {
        requireNotStarted();
        this.password = password;
    }

    /** A HikariCP setting for every node's pool, by HikariCP's property name ({@code maximumPoolSize}, ...). */
    public void setPoolProperty(String name, String value) {
        requireNotStarted();
        poolProperties.setProperty(name, value);
    }

    /** HikariCP settings for every node's pool, by HikariCP's property names. */
    public void setPoolProperties(Properties properties) {
        requireNotStarted();
        poolProperties.putAll(properties);
    }

    public void setMaximumPoolSize(int size) {
        setPoolProperty("maximumPoolSize", Integer.toString(size));
    }

    public void setMinimumIdle(int idle) {
        setPoolProperty("minimumIdle", Integer.toString(idle));
    }

    public void setConnectionTimeout(long millis) {
        setPoolProperty("connectionTimeout", Long.toString(millis));
    }

    public void setIdleTimeout(long millis) {
        setPoolProperty("idleTimeout", Long.toString(millis));
    }

    public void setMaxLifetime(long millis) {
        setPoolProperty("maxLifetime", Long.toString(millis));
    }

    /** Told about every topology and failover event, from the first topology on. */
    public void addListener(HavenEventListener listener) {
        requireNotStarted();
        listeners.add(listener);
    }

    /**
     * A Haven setting, as if it were a parameter of the URL's query string, which it overrides: for configuration
     * kept apart from the URL, such as Spring Boot's {@code haven.*} properties. Checked with the URL's settings
     * when the data source starts, by {@link dev.haven.core.HavenConfig}; an invalid value fails the start with a
     * message naming the key, the value (never a password's) and what is allowed.
     *
     * @param key   an {@code ha.*} key such as {@code ha.maxReplicaLag}; {@code ha.seeds} is the URL's host list
     * @param value the text, as in a URL ({@code 2s}, {@code read-your-writes}); {@code null} removes the setting
     * @throws IllegalArgumentException if the key does not start with {@code ha.}
     */
    public void setSetting(String key, String value) {
        requireNotStarted();
        if (key == null || !key.toLowerCase(Locale.ROOT).startsWith("ha.")) {
            throw new IllegalArgumentException("'" + key + "' is not a Haven setting; Haven's settings start with ha.,"
                    + " e.g. ha.maxReplicaLag");
        }
        if (value == null) {
            settings.remove(key);
        } else {
            settings.setProperty(key, value);
        }
    }

    /**
     * Called with each node's HikariCP configuration just before the node's pool starts (a replica's at its first
     * use), after Haven has set the node's URL, credentials, driver and pool name ({@code haven-host:port}) and the
     * pool properties: for what differs by node, or a metrics tracker such as HikariCP's
     * {@code MicrometerMetricsTrackerFactory}. Runs on the thread that first needs the pool.
     */
    public void setPoolCustomizer(BiConsumer<NodeAddress, HikariConfig> customizer) {
        requireNotStarted();
        this.poolCustomizer = customizer;
    }

    /** The pool customizer, {@code null} if none; to chain another with {@code andThen}. */
    public BiConsumer<NodeAddress, HikariConfig> getPoolCustomizer() {
        return poolCustomizer;
    }

    /**
     * Told about every statement run and every retry, for metrics (see {@link RoutingListener} for what an
     * implementation may do); {@link RoutingListener#NONE} by default.
     */
    public void setRoutingListener(RoutingListener listener) {
        requireNotStarted();
        this.routingListener = listener == null ? RoutingListener.NONE : listener;
    }

    /** The routing listener, {@link RoutingListener#NONE} if none was set. */
    public RoutingListener getRoutingListener() {
        return routingListener;
    }

    /**
     * Isolates the old primary before each promotion this data source makes ({@code ha.failover=promote}): the
     * application's own instance, for a fencer built with what a class name cannot carry (a cloud client,
     * credentials). Instead of {@code ha.failover.fencer}, not beside it: the start fails when both are set, or
     * when the failover mode is not {@code promote}. See {@link PrimaryFencer} for what it must do.
     */
    public void setFencer(PrimaryFencer fencer) {
        requireNotStarted();
        this.fencer = fencer;
    }

    /** The fencer given with {@link #setFencer}, {@code null} if none (a configured class is not returned). */
    public PrimaryFencer getFencer() {
        return fencer;
    }

    private void requireNotStarted() {
        if (context != null) {
            throw new IllegalStateException("HaDataSource is already started; configure it before its first connection");
        }
    }

    // ------------------------------------------------------------------------------------------ DataSource

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
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
        throw new SQLException("HaDataSource does not wrap a " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "HaDataSource[" + (url == null ? "no url" : HaUrl.PREFIX + "...") + ", user=" + user
                + (closed ? ", closed" : context == null ? ", not started" : ", " + context.cluster().topology()) + "]";
    }

    /** Builds and starts an {@link HaDataSource}. */
    public static final class Builder {
        private final HaDataSource ds = new HaDataSource();

        private Builder() {
        }

        public Builder url(String url) {
            ds.setUrl(url);
            return this;
        }

        public Builder user(String user) {
            ds.setUser(user);
            return this;
        }

        public Builder password(String password) {
            ds.setPassword(password);
            return this;
        }

        /** A HikariCP setting for every node's pool, such as {@code maximumPoolSize}. */
        public Builder poolProperty(String name, String value) {
            ds.setPoolProperty(name, value);
            return this;
        }

        public Builder listener(HavenEventListener listener) {
            ds.addListener(listener);
            return this;
        }

        /** A Haven setting such as {@code setting("ha.maxReplicaLag", "2s")}; see {@link HaDataSource#setSetting}. */
        public Builder setting(String key, String value) {
            ds.setSetting(key, value);
            return this;
        }

        /** See {@link HaDataSource#setPoolCustomizer}. */
        public Builder poolCustomizer(BiConsumer<NodeAddress, HikariConfig> customizer) {
            ds.setPoolCustomizer(customizer);
            return this;
        }

        /** See {@link HaDataSource#setRoutingListener}. */
        public Builder routingListener(RoutingListener listener) {
            ds.setRoutingListener(listener);
            return this;
        }

        /** See {@link HaDataSource#setFencer}. */
        public Builder fencer(PrimaryFencer fencer) {
            ds.setFencer(fencer);
            return this;
        }

        /**
         * Starts monitoring and returns the data source once the first topology is known.
         *
         * @throws SQLException on a bad URL or setting (the message names it), or a missing vendor driver
         */
        public HaDataSource build() throws SQLException {
            ds.start();
            return ds;
        }
    }
}
