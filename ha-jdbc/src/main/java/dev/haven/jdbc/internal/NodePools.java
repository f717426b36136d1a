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
import java.util.function.Supplier;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.Role;
import dev.haven.core.Topology;
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
    /** Per node, the data source under its pool: it knows every physical connection and can cut them all off. */
    private final Map<NodeAddress, NodeDataSource> sources = new ConcurrentHashMap<>();
    /** Nodes condemned before their pool existed (a pool created later starts condemned). */
    private final Set<NodeAddress> condemnedEarly = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ExecutorService aborter;
    /** The pools' threads (adders, closers, housekeepers) and the aborter's, waited for by {@link #close()}. */
    private final TrackedThreads threads = new TrackedThreads("haven-pool");
    private final TrackedThreads abortThreads = new TrackedThreads("haven-abort");
    private final java.sql.Driver driver;
    private volatile Supplier<Topology> topology;
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
        this.driver = VendorNodeConnector.loadDriverClass(url.vendor(), this.poolSettings.getProperty("driverClassName"),
                Thread.currentThread().getContextClassLoader(), NodePools.class.getClassLoader());
        this.aborter = java.util.concurrent.Executors.newCachedThreadPool(abortThreads);
    }

    /** Where a node's role is looked up when it goes down; until set, every node that goes down is condemned. */
    void topology(Supplier<Topology> topology) {
        this.topology = topology;
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
        // Haven's own data source under the pool: it opens the physical connections and can cut them all off.
        Properties vendorProperties = url.vendorProperties();
        boolean trackGtids = ClusterContext.gtidsFromOkPacket(url);
        if (trackGtids && !url.vendorParameters().containsKey(OkPacketGtids.DRIVER_PROPERTY)) {
            // Connector/J keeps the session state changes of each OK packet only when asked: the RPO guard reads a
            // commit's GTID there (OkPacketGtids). A URL that sets it is obeyed (the driver's properties would win
            // over its query); with it off the guard reads the GTID with a query instead.
            vendorProperties.putIfAbsent(OkPacketGtids.DRIVER_PROPERTY, "true");
        }
        NodeDataSource source = new NodeDataSource(node, driver, url.vendorUrl(node), vendorProperties, aborter,
                trackGtids);
        if (condemnedEarly.contains(node)) {
            source.condemn("it was replaced as primary or is down");
        }
        sources.put(node, source);
        config.setDataSource(source);
        // Informational only beside a data source; HikariCP picks its network-timeout executor by it.
        config.setJdbcUrl(url.vendorUrl(node));
        config.setDataSourceProperties(new Properties());
        if (poolSettings.getProperty("connectionTimeout") == null) {
            // How long a borrower waits for a connection: long enough for a busy pool, short enough that a node
            // that died a moment ago (before the monitor noticed) costs a retry elsewhere, not half a minute.
            config.setConnectionTimeout(Math.max(250, 2 * connectTimeoutMillis));
        }
        if (poolSettings.getProperty("validationTimeout") == null) {
            // HikariCP validates a connection idle for over 500 ms before lending it, and waits up to its
            // validationTimeout (5 s by default) for the answer: a frozen server held a read that long whatever the
            // socket timeout. A live server answers a ping within the probe timeout (the monitor relies on it),
            // and the URL's socketTimeout bounds any read anyway.
            config.setValidationTimeout(validationTimeoutMillis(config.getConnectionTimeout()));
        }
        if (poolSettings.getProperty("initializationFailTimeout") == null) {
            // A node may be down when its pool is first needed; the pool must still exist and recover later.
            config.setInitializationFailTimeout(-1);
        }
        if (customizer != null) {
            customizer.accept(node, config);
        }
        if (config.getThreadFactory() == null && config.getScheduledExecutor() == null) {
            // HikariCP's shutdown leaves its housekeeper (and an adder stuck in a connect) running: close() waits.
            config.setThreadFactory(threads);
        }
        // HikariCP ignores its dataSourceProperties beside a data source: hand the pool settings' vendor driver
        // properties (dataSource.X, spring.datasource.hikari.data-source-properties.X) to Haven's, the URL's first
        for (String name : config.getDataSourceProperties().stringPropertyNames()) {
            vendorProperties.putIfAbsent(name, config.getDataSourceProperties().getProperty(name));
        }
        log.debug("Creating the pool for {}", node);
        return new HikariDataSource(config);
    }

    /**
     * HikariCP's validation timeout for the node pools: the probe timeout, or the URL's socketTimeout when that is
     * shorter, at least HikariCP's minimum of 250 ms and below the pool's connection timeout.
     */
    long validationTimeoutMillis(long connectionTimeoutMillis) {
        long bound = url.config().probeTimeout().toMillis();
        String socketTimeout = url.vendorParameters().get("socketTimeout");
        if (socketTimeout != null) {
            try {
                long socket = Long.parseLong(socketTimeout.trim());
                if (socket > 0) {
                    bound = Math.min(bound, socket);
                }
            } catch (NumberFormatException e) {
                // the vendor driver reports a malformed value itself
            }
        }
        return Math.max(250, Math.min(bound, connectionTimeoutMillis > 250 ? connectionTimeoutMillis - 1 : 250));
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
        cutOffReplacedPrimary(event);
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

    /**
     * No acknowledgement from a primary that is being replaced may reach the application: when the primary is
     * declared {@code DOWN}, when a promotion in its place starts here, and when another primary takes its place
     * in the topology (a promotion seen only by probing), every physical connection to it is cut off, so a
     * statement or commit waiting on it fails instead of completing when it thaws. No new connection to it is
     * opened until it is {@code UP} again (then it is fenced or still the primary, as the topology says). A
     * primary demoted while it answers probes is left alone (see below).
     */
    private void cutOffReplacedPrimary(HavenEvent event) {
        NodeAddress address = event.address();
        String reason = null;
        switch (event.type()) {
            case NODE_DOWN:
                if (address != null && wasPrimary(address)) {
                    reason = "the primary is down";
                }
                break;
            case ROLE_CHANGED:
                if ("PRIMARY".equals(event.oldValue()) && address != null) {
                    reason = "it is no longer the primary";
                }
                break;
            case FAILOVER_STARTED:
                // The old value names the primary being replaced. A planned switchover announces itself the same
                // way with the primary alive (UP, or SUSPECT on a busy machine): it drains the transactions in flight
                // itself, which must not fail. A promotion replaces only a DOWN primary.
                address = byName(event.oldValue());
                if (address != null && isDownOrGone(address)) {
                    reason = "a replica is being promoted in its place";
                }
                break;
            case NODE_UP:
                if (address != null) {
                    pardon(address);
                }
                return;
            default:
                return;
        }
        if (reason == null) {
            return;
        }
        if (event.type() == HavenEvent.Type.ROLE_CHANGED && isUp(address)) {
            // Demoted while answering probes (a planned switchover, an operator): it made itself read-only, which
            // waits for the commits in progress, and the new primary caught up with it after that, so what it
            // acknowledged is not lost. Reads in flight on it go on.
            return;
        }
        condemn(address, reason);
    }

    private boolean wasPrimary(NodeAddress address) {
        Supplier<Topology> t = topology;
        if (t == null) {
            return true; // starting: nothing routes yet, and being conservative costs a reconnect
        }
        Node node = t.get().node(address);
        return node == null || node.role() == Role.PRIMARY;
    }

    private boolean isDownOrGone(NodeAddress address) {
        Supplier<Topology> t = topology;
        Node node = t == null ? null : t.get().node(address);
        return node == null || node.health() == Health.DOWN;
    }

    private boolean isUp(NodeAddress address) {
        Supplier<Topology> t = topology;
        Node node = t == null ? null : t.get().node(address);
        return node != null && node.health() == Health.UP;
    }

    private NodeAddress byName(String name) {
        if (name == null) {
            return null;
        }
        for (NodeAddress a : sources.keySet()) {
            if (a.toString().equals(name)) {
                return a;
            }
        }
        Supplier<Topology> t = topology;
        if (t != null) {
            for (Node n : t.get().nodes()) {
                if (n.address().toString().equals(name)) {
                    return n.address();
                }
            }
        }
        return null;
    }

    /** Cuts off every physical connection to the node and refuses new ones until it is {@code UP}. */
    void condemn(NodeAddress address, String reason) {
        condemnedEarly.add(address);
        NodeDataSource source = sources.get(address);
        if (source != null) {
            int cut = source.condemn(reason);
            if (cut > 0) {
                log.warn("Cut off {} connection(s) to {}: {}", cut, address, reason);
            }
        }
    }

    private void pardon(NodeAddress address) {
        condemnedEarly.remove(address);
        NodeDataSource source = sources.get(address);
        if (source != null) {
            source.pardon();
        }
    }

    /** The data source under a node's pool, for tests. */
    NodeDataSource source(NodeAddress address) {
        return sources.get(address);
    }

    @Override
    public void close() {
        closed = true;
        for (HikariDataSource pool : pools.values()) {
            pool.close();
        }
        pools.clear();
        aborter.shutdownNow();
        // Bounded like the failover's own threads: an adder in a connect to a frozen server ends at its timeout.
        long bound = Math.max(1_000, 2 * connectTimeoutMillis);
        threads.awaitEnd(bound);
        abortThreads.awaitEnd(bound);
    }
}
