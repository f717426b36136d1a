package dev.haven.core;

import dev.haven.core.internal.Failover;
import dev.haven.core.internal.HealthMonitor;
import dev.haven.core.internal.discovery.AutoDiscovery;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One monitored cluster: the live {@link Topology}, the {@link Router} over it, and the monitor that keeps it
 * current. This is what the JDBC layer holds per cluster; applications meet it through {@code HaDataSource}.
 *
 * <pre>{@code
 * try (HavenCluster cluster = HavenCluster.start(config, connector)) {
 *     Node replica = cluster.router().routeRead();
 *     ...
 *     cluster.nodeFailed(replica.address());   // an application statement hit a dead node
 * }
 * }</pre>
 *
 * <p>{@link #start} returns once every seed has been probed once (at most the connect timeout plus the probe
 * timeout), so the first route sees a real topology. {@link #close()} stops every thread and monitoring
 * connection the cluster started.
 */
public final class HavenCluster implements AutoCloseable {

    private final HavenConfig config;
    private final ClusterState state;
    private final Router router;
    private final HealthMonitor monitor;
    private final Failover failover;

    private HavenCluster(HavenConfig config, ClusterState state, HealthMonitor monitor, Failover failover) {
        this.config = config;
        this.state = state;
        this.router = new Router(config, state);
        this.monitor = monitor;
        this.failover = failover;
    }

    /**
     * Starts monitoring the cluster that {@code config}'s seeds belong to.
     *
     * @param connector opens the monitor's own connections (with the monitoring credentials)
     * @param listeners told about every event from the first topology on
     */
    public static HavenCluster start(HavenConfig config, NodeConnector connector, HavenEventListener... listeners) {
        return start(config, connector, null, listeners);
    }

    /**
     * As {@link #start(HavenConfig, NodeConnector, HavenEventListener...)}, with the application's own
     * {@link PrimaryFencer} instance (one built with what a class name cannot carry: a cloud client, credentials,
     * a framework's bean) instead of {@code ha.failover.fencer}'s class.
     *
     * @param fencer called before every promotion this instance makes; null for none (or the configured class's)
     * @throws IllegalArgumentException when {@code fencer} is given without {@code ha.failover=promote}, or besides
     *                                  {@code ha.failover.fencer}; nothing has started then
     */
    public static HavenCluster start(HavenConfig config, NodeConnector connector, PrimaryFencer fencer,
            HavenEventListener... listeners) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(connector, "connector");
        if (fencer != null && config.failover() != HavenConfig.FailoverMode.PROMOTE) {
            throw new IllegalArgumentException("a PrimaryFencer (" + Failover.nameOf(fencer) + ") needs"
                    + " ha.failover=promote (is " + dev.haven.core.internal.SettingType.kebab(config.failover())
                    + "): only a promoting instance fences the old primary");
        }
        if (fencer != null && config.failoverFencer() != null) {
            throw new IllegalArgumentException("two fencers: ha.failover.fencer is '" + config.failoverFencer()
                    + "' and a PrimaryFencer (" + Failover.nameOf(fencer) + ") was given as well; keep one");
        }
        ClusterState state = new ClusterState(config);
        for (HavenEventListener listener : listeners) {
            state.addListener(listener);
        }
        HealthMonitor monitor = new HealthMonitor(config, AutoDiscovery.of(config.discovery()), connector, state,
                System::nanoTime);
        Failover failover = null;
        if (config.failover() == HavenConfig.FailoverMode.PROMOTE) {
            failover = new Failover(config, connector, monitor.discovery(), state, monitor, System::nanoTime, fencer);
            monitor.hook(failover);
        } else {
            // Following someone else's promotions: a replaced primary that comes back writable gets no writes.
            dev.haven.core.internal.ReplacedPrimaries replaced = new dev.haven.core.internal.ReplacedPrimaries(state,
                    monitor);
            monitor.hook(replaced);
            state.addListener(replaced);
        }
        HavenCluster cluster = new HavenCluster(config, state, monitor, failover);
        monitor.start();
        if (failover != null) {
            failover.start();
        }
        return cluster;
    }

    public HavenConfig config() {
        return config;
    }

    /** The live topology: one volatile read. */
    public Topology topology() {
        return state.current();
    }

    /** Routes writes to the primary and reads to eligible replicas of the live topology. */
    public Router router() {
        return router;
    }

    /** The live state, for listeners and waiting on a primary. */
    public ClusterState state() {
        return state;
    }

    /**
     * Passive signal: an application statement on {@code node} failed because the node is gone (a communication
     * error, not a SQL error). The node is {@code SUSPECT} in a topology published before this returns, so the
     * next route avoids it, and it is probed at once instead of at the next tick. Never waits on the network;
     * call it from any thread.
     */
    public void nodeFailed(NodeAddress node) {
        monitor.nodeFailed(node);
    }

    /**
     * A statement was refused because the node is no longer writable (a demoted primary): probe every node now,
     * so the new primary is found without waiting for the next tick.
     */
    public void refresh() {
        monitor.probeAllNow();
    }

    /**
     * Whether every node but {@code node} that is not {@code DOWN} has been probed (answered or failed) by a probe
     * sent after {@code nanoTime} ({@link System#nanoTime()}): whether a promotion elsewhere before that moment
     * would be in the topology now. With {@link #refresh()}, how an acknowledgement from a node in doubt is checked
     * (see {@link NodeStats#doubt()}).
     */
    public boolean othersProbedSince(NodeAddress node, long nanoTime) {
        return monitor.othersProbedSince(node, nanoTime);
    }

    /** What each node reported at its last successful probe, for diagnostics and failover decisions. */
    public Map<NodeAddress, ServerState> serverStates() {
        return monitor.lastStates();
    }

    /** What one node reported at its last successful probe, or null when it never answered. */
    public ServerState serverState(NodeAddress node) {
        return monitor.lastState(node);
    }

    /**
     * Guards what this application saw acknowledged ({@code acknowledged} returns the position its acknowledged
     * writes reached): a replica lacking one of them serves no read once the write is older than
     * {@code ha.maxReplicaLag}, and with {@code ha.failover=promote} no such replica is promoted.
     */
    public void guardAcknowledgedWrites(java.util.function.Supplier<ReplicationPosition> acknowledged) {
        monitor.acknowledgedWrites(acknowledged);
        if (failover != null) {
            failover.guardAcknowledgedWrites(acknowledged);
        }
    }

    /**
     * The nodes that refused the monitor's login at their last probe (SQLState {@code 28000}): a wrong user or
     * password for them. Each got an {@link HavenEvent.Type#AUTHENTICATION_FAILED} event when it started.
     */
    public java.util.Set<NodeAddress> authenticationFailures() {
        return monitor.authenticationFailures();
    }

    public void addListener(HavenEventListener listener) {
        state.addListener(listener);
    }

    public void removeListener(HavenEventListener listener) {
        state.removeListener(listener);
    }

    /** Stops monitoring: every thread and monitoring connection this cluster started is gone when this returns. */
    @Override
    public void close() {
        if (failover != null) {
            failover.close();
        }
        monitor.close();
    }

    @Override
    public String toString() {
        return "HavenCluster" + List.of(state.current());
    }
}
