package dev.haven.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.haven.core.HavenEvent;
import dev.haven.core.HavenEventListener;
import dev.haven.core.NodeAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
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
    private final Map<NodeAddress, Set<Waiter>> waiters = new ConcurrentHashMap<>();
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
        if (node.health() == dev.haven.core.Health.UP) {
            return pool.getConnection();
        }
        return borrowFromNodeInDoubt(node.address(), pool);
    }

    /**
     * Borrows from a node that is not {@code UP}, where a borrower may wait for HikariCP's whole connection timeout
     * for a server that is gone. The wait is cut short when the node is declared {@code DOWN} or stops being the
     * primary: the borrower gets a {@code 08001} error and routes again (to the new primary, for a write).
     */
    private Connection borrowFromNodeInDoubt(NodeAddress address, HikariDataSource pool) throws SQLException {
        Waiter waiter = new Waiter();
        Set<Waiter> set = waiters.computeIfAbsent(address, a -> ConcurrentHashMap.newKeySet());
        set.add(waiter);
        boolean cancelled = false;
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            if (waiter.state == Waiter.CANCELLED) {
                cancelled = true;
                throw new SQLTransientConnectionException(address + " went down while waiting for a connection to it",
                        "08001", e);
            }
            throw e;
        } finally {
            set.remove(waiter);
            synchronized (waiter) {
                if (waiter.state == Waiter.CANCELLED || cancelled) {
                    Thread.interrupted(); // the interrupt was ours, to wake the wait; the caller never sees it
                }
                waiter.state = Waiter.DONE;
            }
        }
    }

    /** A thread borrowing from a node in doubt, and whether its wait was cut short. */
    private static final class Waiter {
        static final int WAITING = 0;
        static final int CANCELLED = 1;
        static final int DONE = 2;
        final Thread thread = Thread.currentThread();
        volatile int state = WAITING;

        synchronized void cancel() {
            if (state == WAITING) {
                state = CANCELLED;
                thread.interrupt();
            }
        }
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

    /** How many borrowers wait on a node in doubt, for tests. */
    int waiting(NodeAddress address) {
        Set<Waiter> set = waiters.get(address);
        return set == null ? 0 : set.size();
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
        if ((event.type() == HavenEvent.Type.NODE_DOWN || demoted) && event.address() != null) {
            Set<Waiter> waiting = waiters.get(event.address());
            if (waiting != null) {
                for (Waiter w : waiting) {
                    w.cancel();
                }
            }
        }
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
