package dev.haven.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.haven.core.HavenEvent;
import dev.haven.core.HavenEventListener;
import dev.haven.core.NodeAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HikariCP pool per node, created on first use (a replica nobody reads from has no pool). Pool settings are
 * HikariCP's own property names, passed through as given; Haven sets only what must be per node (URL, name,
 * credentials, driver).
 *
 * <p>When a node goes down or stops being the primary, its pool's idle connections are evicted at once and the
 * ones in use are closed when they come back; {@code HaConnection} also re-checks its node on every statement,
 * so no pooled connection keeps writing to a demoted primary.
 */
final class NodePools implements HavenEventListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodePools.class);

    private final HaUrl url;
    private final Properties poolSettings;
    private final long connectTimeoutMillis;
    private final Map<NodeAddress, HikariDataSource> pools = new ConcurrentHashMap<>();
    private final BiConsumer<NodeAddress, HikariConfig> customizer;
    private volatile boolean closed;

    NodePools(HaUrl url, Properties poolSettings) throws SQLException {
        this(url, poolSettings, null);
    }

    /** @param customizer called with each node's configuration just before its pool starts; may be null */
    NodePools(HaUrl url, Properties poolSettings, BiConsumer<NodeAddress, HikariConfig> customizer) throws SQLException {
        this.customizer = customizer;
        // Pool connections get the monitor's connect timeout unless the URL sets one: a dead or frozen node must
        // not hold a borrower for the vendor's default (30 s on MariaDB Connector/J, none on some servers).
        this.connectTimeoutMillis = url.config().connectTimeout().toMillis();
        this.url = url.vendorParameters().containsKey("connectTimeout") ? url
                : url.withVendorParameters(Map.of("connectTimeout", Long.toString(connectTimeoutMillis)));
        this.poolSettings = poolSettings == null ? new Properties() : (Properties) poolSettings.clone();
        // Validate the settings once, at start, with HikariCP's own messages naming the property.
        try {
            HikariConfig check = new HikariConfig(this.poolSettings);
            check.setJdbcUrl(url.vendorUrl(url.hosts().get(0)));
            check.validate();
        } catch (RuntimeException e) {
            throw new SQLException("invalid pool setting: " + e.getMessage() + " (pool settings are HikariCP's"
                    + " property names, such as maximumPoolSize)", "08001", e);
        }
    }

    /** A connection from the node's pool, creating the pool on first use. */
    Connection borrow(NodeAddress node) throws SQLException {
        HikariDataSource pool = pools.get(node);
        if (pool == null) {
            pool = create(node);
        }
        return pool.getConnection();
    }

    /**
     * As {@link #borrow(NodeAddress)}, with the pool found through the node's stats attachment: no map lookup on
     * the borrowing path once the pool exists.
     */
    Connection borrow(dev.haven.core.Node node) throws SQLException {
        Object attached = node.stats().attachment();
        HikariDataSource pool;
        if (attached instanceof HikariDataSource && !((HikariDataSource) attached).isClosed()) {
            pool = (HikariDataSource) attached;
        } else {
            pool = pools.get(node.address());
            if (pool == null) {
                pool = create(node.address());
            }
            node.stats().attach(pool);
        }
        return pool.getConnection();
    }

    private HikariDataSource create(NodeAddress node) throws SQLException {
        if (closed) {
            throw new SQLException("the data source is closed", "08003");
        }
        try {
            return pools.computeIfAbsent(node, this::newPool);
        } catch (RuntimeException e) {
            throw new SQLException("cannot create the connection pool for " + node + ": " + e.getMessage(), "08001", e);
        }
    }

    private HikariDataSource newPool(NodeAddress node) {
        HikariConfig config = new HikariConfig(poolSettings);
        config.setPoolName("haven-" + node);
        config.setJdbcUrl(url.vendorUrl(node));
        if (poolSettings.getProperty("driverClassName") == null) {
            config.setDriverClassName(url.vendor().driverClass());
        }
        config.setDataSourceProperties(url.vendorProperties());
        if (poolSettings.getProperty("connectionTimeout") == null) {
            // How long a borrower waits for a connection: long enough for a busy pool, short enough that a node
            // that died a moment ago (before the monitor noticed) costs a retry elsewhere, not half a minute.
            config.setConnectionTimeout(Math.max(250, 2 * connectTimeoutMillis));
        }
        if (poolSettings.getProperty("initializationFailTimeout") == null) {
            // A node may be down when its pool is first needed; the pool must still exist and recover later.
            config.setInitializationFailTimeout(-1);
        }
        if (customizer != null) {
            customizer.accept(node, config);
        }
        log.debug("Creating the pool for {}", node);
        return new HikariDataSource(config);
    }

    /** Pools that exist, for metrics and tests. */
    Map<NodeAddress, HikariDataSource> pools() {
        return Map.copyOf(pools);
    }

    @Override
    public void onEvent(HavenEvent event) {
        boolean demoted = event.type() == HavenEvent.Type.ROLE_CHANGED && "PRIMARY".equals(event.oldValue());
        // SUSPECT too: idle connections to a server that just stopped answering are most likely dead, and handing
        // one out turns the next write into an "outcome unknown". Re-opening a few connections is cheap.
        boolean failing = event.type() == HavenEvent.Type.NODE_DOWN || event.type() == HavenEvent.Type.NODE_SUSPECT;
        if (failing || demoted) {
            HikariDataSource pool = event.address() == null ? null : pools.get(event.address());
            if (pool != null) {
                HikariPoolMXBean bean = pool.getHikariPoolMXBean();
                if (bean != null) {
                    bean.softEvictConnections();
                    log.info("Evicted the pooled connections to {} ({})", event.address(),
                            demoted ? "no longer the primary" : event.type() == HavenEvent.Type.NODE_DOWN ? "down"
                                    : "suspect");
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (HikariDataSource pool : pools.values()) {
            pool.close();
        }
        pools.clear();
    }
}
