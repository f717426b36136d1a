package dev.haven.spring.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.haven.core.ErrorKind;
import dev.haven.core.Health;
import dev.haven.core.HavenCluster;
import dev.haven.core.HavenEvent;
import dev.haven.core.HavenEventListener;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.Role;
import dev.haven.core.Topology;
import dev.haven.jdbc.HaDataSource;
import dev.haven.jdbc.RoutingListener;
import dev.haven.spring.HavenDataSourceCustomizer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Haven's Micrometer metrics (names in the README's "Spring Boot" section): node health, role, readability and lag
 * gauges, statements per node and intent, retries, events by type (failovers, promotions, fencing, role changes),
 * failover duration, and HikariCP's own metrics for every node's pool.
 *
 * <p>Counting starts with the data source, before any registry exists: this object is applied to the data source
 * as a {@link HavenDataSourceCustomizer} (a routing listener, an event listener and a pool metrics tracker) and
 * exposes what it counted when Spring Boot binds it to the registry, after every singleton is created. A data
 * source the application built itself gets the node gauges and the event counts from then on, but no statement
 * counts or pool metrics (those need hooks set before it starts).
 *
 * <p>Implementation notes: the statement counters are {@link LongAdder}s found by node in a concurrent map (no
 * allocation once a node was seen); meters are registered when a registry is bound and, for nodes or event kinds
 * seen later, when first seen. Registering a meter twice returns the existing one, so races only cost time.
 */
public final class HavenMetrics implements MeterBinder, HavenDataSourceCustomizer {

    private static final String NO_NODE = "none";

    private final Supplier<HaDataSource> fallbackDataSource;
    private volatile HaDataSource dataSource;
    private volatile boolean customized;
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

    private final Map<NodeAddress, NodeCounters> statements = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> events = new ConcurrentHashMap<>();
    private final FailoverClock failovers = new FailoverClock();
    private final PoolTrackers pools = new PoolTrackers();
    private final Map<NodeAddress, Boolean> nodesWithGauges = new ConcurrentHashMap<>();

    private final RoutingListener routing = new RoutingListener() {
        @Override
        public void statementExecuted(NodeAddress node, boolean forReads) {
            NodeCounters c = statements.get(node);
            if (c == null) {
                c = counters(node);
            }
            (forReads ? c.reads : c.writes).increment();
        }

        @Override
        public void statementRetried(NodeAddress node, ErrorKind cause) {
            NodeCounters c = counters(node);
            (cause == ErrorKind.NOT_PRIMARY ? c.notPrimaryRetries : c.nodeGoneRetries).increment();
        }
    };

    private final HavenEventListener listener = this::onEvent;
    /** Added to every meter: the data source's name when there are several. */
    private volatile Tags tags = Tags.empty();

    /** @param fallbackDataSource the data source to watch if none was customized (the application's own) */
    public HavenMetrics(Supplier<HaDataSource> fallbackDataSource) {
        this.fallbackDataSource = fallbackDataSource;
    }

    // ------------------------------------------------------------------------------------------ before start

    @Override
    public void customize(HaDataSource ds) {
        this.dataSource = ds;
        this.customized = true;
        ds.addListener(listener);
        RoutingListener existing = ds.getRoutingListener();
        ds.setRoutingListener(existing == RoutingListener.NONE ? routing : new Both(existing, routing));
        BiConsumer<NodeAddress, HikariConfig> mine = (node, config) -> {
            if (config.getMetricsTrackerFactory() == null && config.getMetricRegistry() == null) {
                config.setMetricsTrackerFactory(pools);
            }
        };
        BiConsumer<NodeAddress, HikariConfig> theirs = ds.getPoolCustomizer();
        ds.setPoolCustomizer(theirs == null ? mine : theirs.andThen(mine));
    }

    /** Two routing listeners, for an application that set its own. */
    private static final class Both implements RoutingListener {
        private final RoutingListener first;
        private final RoutingListener second;

        Both(RoutingListener first, RoutingListener second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void statementExecuted(NodeAddress node, boolean forReads) {
            first.statementExecuted(node, forReads);
            second.statementExecuted(node, forReads);
        }

        @Override
        public void statementRetried(NodeAddress node, ErrorKind cause) {
            first.statementRetried(node, cause);
            second.statementRetried(node, cause);
        }
    }

    // ------------------------------------------------------------------------------------------ binding

    @Override
    public void bindTo(MeterRegistry registry) {
        bindTo(registry, Tags.empty());
    }

    /**
     * Binds with tags added to every Haven meter, such as {@code datasource=<bean name>} when the application has
     * several Haven data sources. The first binding's tags stay for later registries.
     */
    public void bindTo(MeterRegistry registry, Tags tags) {
        if (registries.isEmpty()) {
            this.tags = tags;
        }
        HaDataSource ds = dataSource;
        if (ds == null) {
            ds = fallbackDataSource.get();
            if (ds == null) {
                return;
            }
            dataSource = ds;
        }
        HavenCluster cluster;
        try {
            cluster = ds.cluster();
        } catch (SQLException e) {
            return; // closed: nothing to measure
        }
        registries.add(registry);
        if (!customized) {
            customized = true;
            cluster.addListener(listener);
        }
        Gauge.builder("haven.cluster.primary", cluster, c -> c.topology().primary() == null ? 0 : 1)
                .description("1 when Haven sees a primary, 0 when writes have nowhere to go")
                .tags(tags).register(registry);
        Gauge.builder("haven.cluster.readable.replicas", cluster, c -> c.topology().readReplicas().size())
                .description("Replicas eligible for reads")
                .tags(tags).register(registry);
        FunctionTimer.builder("haven.failover.duration", failovers, FailoverClock::count,
                        FailoverClock::totalNanos, TimeUnit.NANOSECONDS)
                .description("Failovers Haven ran, from FAILOVER_STARTED to FAILOVER_FINISHED")
                .tags(tags).register(registry);
        for (Node n : cluster.topology().nodes()) {
            nodesWithGauges.put(n.address(), Boolean.TRUE);
            registerNode(registry, cluster, n.address());
            zeroEventCounts(n.address());
        }
        for (Map.Entry<NodeAddress, NodeCounters> e : statements.entrySet()) {
            registerCounters(registry, e.getKey() == UNKNOWN_NODE ? null : e.getKey(), e.getValue());
        }
        for (Map.Entry<String, LongAdder> e : events.entrySet()) {
            registerEvent(registry, e.getKey(), e.getValue());
        }
        pools.bind(registry);
    }

    private void registerNode(MeterRegistry registry, HavenCluster cluster, NodeAddress address) {
        String node = address.toString();
        for (Health h : Health.values()) {
            Gauge.builder("haven.node.health", cluster, c -> {
                        Node n = c.topology().node(address);
                        return n != null && n.health() == h ? 1 : 0;
                    })
                    .tags("node", node, "state", lower(h.name()))
                    .description("1 for the node's current health (up, suspect, down), 0 for the others")
                    .tags(tags).register(registry);
        }
        for (Role r : Role.values()) {
            Gauge.builder("haven.node.role", cluster, c -> {
                        Node n = c.topology().node(address);
                        return n != null && n.role() == r ? 1 : 0;
                    })
                    .tags("node", node, "role", lower(r.name()))
                    .description("1 for the node's current role (primary, replica, unknown), 0 for the others")
                    .tags(tags).register(registry);
        }
        Gauge.builder("haven.node.readable", cluster, c -> {
                    Node n = c.topology().node(address);
                    return n != null && n.eligibleForReads() ? 1 : 0;
                })
                .tag("node", node)
                .description("1 when the node is a replica eligible for reads")
                .tags(tags).register(registry);
        TimeGauge.builder("haven.node.replication.lag", cluster, TimeUnit.MILLISECONDS, c -> {
                    Node n = c.topology().node(address);
                    return n == null || n.role() != Role.REPLICA || n.lagMillis() == Node.LAG_UNKNOWN
                            ? Double.NaN : n.lagMillis();
                })
                .tag("node", node)
                .description("Replication lag of a replica; NaN when unknown (replication stopped) or not a replica")
                .tags(tags).register(registry);
    }

    private void registerCounters(MeterRegistry registry, NodeAddress address, NodeCounters c) {
        String node = address == null ? NO_NODE : address.toString();
        FunctionCounter.builder("haven.statements", c.reads, LongAdder::sum)
                .tags("node", node, "intent", "read")
                .description("Statements run, by node and intent (read: a read-only connection or an auto-routed read)")
                .tags(tags).register(registry);
        FunctionCounter.builder("haven.statements", c.writes, LongAdder::sum)
                .tags("node", node, "intent", "write")
                .description("Statements run, by node and intent (read: a read-only connection or an auto-routed read)")
                .tags(tags).register(registry);
        FunctionCounter.builder("haven.statement.retries", c.nodeGoneRetries, LongAdder::sum)
                .tags("node", node, "cause", "node-gone")
                .description("Statements run again after failing on this node: a read elsewhere (node-gone),"
                        + " a write on the new primary (not-primary)")
                .tags(tags).register(registry);
        FunctionCounter.builder("haven.statement.retries", c.notPrimaryRetries, LongAdder::sum)
                .tags("node", node, "cause", "not-primary")
                .description("Statements run again after failing on this node: a read elsewhere (node-gone),"
                        + " a write on the new primary (not-primary)")
                .tags(tags).register(registry);
    }

    private void registerEvent(MeterRegistry registry, String key, LongAdder count) {
        int bar = key.indexOf('|');
        FunctionCounter.builder("haven.events", count, LongAdder::sum)
                .tags("type", key.substring(0, bar), "node", key.substring(bar + 1))
                .description("Haven's events by type (node-up, node-down, role-changed, failover-started,"
                        + " failover-finished, promoted, fenced, failover-refused, ...) and node")
                .tags(tags).register(registry);
    }

    // ------------------------------------------------------------------------------------------ counting

    private NodeCounters counters(NodeAddress node) {
        NodeCounters c = node == null ? null : statements.get(node);
        if (c != null) {
            return c;
        }
        NodeAddress key = node;
        if (key == null) {
            key = UNKNOWN_NODE;
        }
        boolean[] created = {false};
        c = statements.computeIfAbsent(key, k -> {
            created[0] = true;
            return new NodeCounters();
        });
        if (created[0]) {
            for (MeterRegistry registry : registries) {
                registerCounters(registry, node, c);
            }
        }
        return c;
    }

    /** Stands for "no node" in the statement map (a retry before any node was bound). */
    private static final NodeAddress UNKNOWN_NODE = NodeAddress.parse("unknown-node:1");

    private void onEvent(HavenEvent event) {
        if (event.type() == HavenEvent.Type.FAILOVER_STARTED) {
            failovers.started(event.timestamp());
        } else if (event.type() == HavenEvent.Type.FAILOVER_FINISHED) {
            failovers.finished(event.timestamp());
        }
        if (event.type() != HavenEvent.Type.TOPOLOGY_CHANGED) {
            String key = lower(event.type().name()) + "|" + (event.address() == null ? NO_NODE : event.address());
            eventCount(key).increment();
        }
        if (!registries.isEmpty()) {
            HaDataSource ds = dataSource;
            try {
                HavenCluster cluster = ds == null ? null : ds.cluster();
                if (cluster != null) {
                    registerNewNodes(cluster, cluster.topology());
                }
            } catch (SQLException e) {
                // closed
            }
        }
    }

    private void registerNewNodes(HavenCluster cluster, Topology t) {
        for (Node n : t.nodes()) {
            if (nodesWithGauges.putIfAbsent(n.address(), Boolean.TRUE) == null) {
                for (MeterRegistry registry : registries) {
                    registerNode(registry, cluster, n.address());
                }
                zeroEventCounts(n.address());
            }
        }
    }

    /** The count of an event kind ({@code type|node}), registered with every bound registry when first needed. */
    private LongAdder eventCount(String key) {
        LongAdder count = events.get(key);
        if (count == null) {
            LongAdder fresh = new LongAdder();
            count = events.putIfAbsent(key, fresh);
            if (count == null) {
                count = fresh;
                for (MeterRegistry registry : registries) {
                    registerEvent(registry, key, count);
                }
            }
        }
        return count;
    }

    /**
     * Every event kind of a node, counted from 0 before it happens: a counter that appears already at 1 (the first
     * promotion of a node) shows no increase in Prometheus, so the dashboard's "promotions" would stay 0.
     */
    private void zeroEventCounts(NodeAddress node) {
        for (HavenEvent.Type type : HavenEvent.Type.values()) {
            if (type != HavenEvent.Type.TOPOLOGY_CHANGED) {
                eventCount(lower(type.name()) + "|" + node);
            }
        }
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Statement counts of one node. */
    private static final class NodeCounters {
        final LongAdder reads = new LongAdder();
        final LongAdder writes = new LongAdder();
        final LongAdder nodeGoneRetries = new LongAdder();
        final LongAdder notPrimaryRetries = new LongAdder();
    }

    /** Failovers Haven ran, timed from their start and finish events. */
    static final class FailoverClock {
        private Instant startedAt;
        private long count;
        private long totalNanos;

        synchronized void started(Instant at) {
            startedAt = at;
        }

        synchronized void finished(Instant at) {
            if (startedAt != null) {
                count++;
                totalNanos += Math.max(0, java.time.Duration.between(startedAt, at).toNanos());
                startedAt = null;
            }
        }

        synchronized long count() {
            return count;
        }

        synchronized double totalNanos() {
            return totalNanos;
        }
    }

    /**
     * HikariCP's metrics tracker for every node's pool. A pool may start before any registry exists (the first
     * query runs while the context starts); its tracker then waits and is bound to HikariCP's own Micrometer tracker
     * when the first registry is bound. Pools are named {@code haven-host:port}; {@code HavenMetricsAutoConfiguration}
     * adds a {@code node} tag to their meters.
     */
    static final class PoolTrackers implements MetricsTrackerFactory {
        private volatile MeterRegistry registry;
        private final List<Deferred> waiting = new ArrayList<>();

        @Override
        public IMetricsTracker create(String poolName, PoolStats stats) {
            synchronized (this) {
                MeterRegistry r = registry;
                if (r != null) {
                    return new MicrometerMetricsTrackerFactory(r).create(poolName, stats);
                }
                Deferred d = new Deferred(poolName, stats);
                waiting.add(d);
                return d;
            }
        }

        synchronized void bind(MeterRegistry r) {
            if (registry != null) {
                return; // HikariCP's tracker reports to one registry: the first bound
            }
            registry = r;
            MicrometerMetricsTrackerFactory factory = new MicrometerMetricsTrackerFactory(r);
            for (Deferred d : waiting) {
                d.bind(factory);
            }
            waiting.clear();
        }
    }

    /** A pool's tracker until a registry exists, then a pass-through to HikariCP's Micrometer tracker. */
    static final class Deferred implements IMetricsTracker {
        private static final IMetricsTracker NONE = new IMetricsTracker() {
        };
        final String poolName;
        final PoolStats stats;
        private volatile IMetricsTracker delegate = NONE;
        private boolean closed;

        Deferred(String poolName, PoolStats stats) {
            this.poolName = poolName;
            this.stats = stats;
        }

        synchronized void bind(MetricsTrackerFactory factory) {
            if (!closed) {
                delegate = factory.create(poolName, stats);
            }
        }

        @Override
        public void recordConnectionCreatedMillis(long millis) {
            delegate.recordConnectionCreatedMillis(millis);
        }

        @Override
        public void recordConnectionAcquiredNanos(long nanos) {
            delegate.recordConnectionAcquiredNanos(nanos);
        }

        @Override
        public void recordConnectionUsageMillis(long millis) {
            delegate.recordConnectionUsageMillis(millis);
        }

        @Override
        public void recordConnectionTimeout() {
            delegate.recordConnectionTimeout();
        }

        @Override
        public synchronized void close() {
            closed = true;
            delegate.close();
        }
    }
}
