package dev.haven.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import dev.haven.core.HavenCluster;
import dev.haven.core.HavenConfig;
import dev.haven.core.HavenEventListener;
import dev.haven.core.NodeAddress;
import dev.haven.core.ReplicationPosition;
import dev.haven.core.ServerState;
import dev.haven.core.SqlClassifier;
import dev.haven.jdbc.RoutingListener;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * Everything the logical connections of one data source share: the monitored cluster and its router, one pool
 * per node, the SQL classifier, and the replication position of the data source's own last committed write
 * (for read-your-writes).
 *
 * <p>"Your writes", precisely: every write committed through this context, by any thread and any logical
 * connection of it. Writes by other data sources, other processes or other JVMs are not tracked.
 */
public final class ClusterContext implements AutoCloseable {

    final HaUrl url;
    final HavenConfig config;
    final HavenCluster cluster;
    final NodePools pools;
    final SqlClassifier classifier;
    final boolean autoRouting;
    final boolean readYourWrites;
    /** Whether the read strategy looks at requests in flight, so logical connections must count them. */
    final boolean countsOutstanding;
    /**
     * What an unbound logical connection reports as its network timeout: the vendor's {@code socketTimeout} from
     * the URL. A pool that reads it to restore it later (HikariCP does, around validation) must not turn the
     * URL's timeout into "none".
     */
    final int defaultNetworkTimeoutMillis;
    /** Holds writes back during a planned switchover. */
    final WriteGate writeGate = new WriteGate();
    private final AtomicReference<ReplicationPosition> lastWrite = new AtomicReference<>(ReplicationPosition.EMPTY);

    /** The monitor's connector: admin credentials when given, for switchover too. */
    final VendorNodeConnector adminConnector;
    /** Told about every statement and retry; {@link RoutingListener#NONE} unless metrics are wanted. */
    final RoutingListener routing;

    private ClusterContext(HaUrl url, HavenCluster cluster, NodePools pools, VendorNodeConnector adminConnector,
            RoutingListener routing) {
        this.adminConnector = adminConnector;
        this.routing = routing;
        this.url = url;
        this.config = url.config();
        this.cluster = cluster;
        this.pools = pools;
        this.classifier = new SqlClassifier();
        this.autoRouting = config.routing() == HavenConfig.Routing.AUTO;
        this.readYourWrites = config.consistency() == HavenConfig.Consistency.READ_YOUR_WRITES;
        this.defaultNetworkTimeoutMillis = parseMillis(url.vendorParameters().get("socketTimeout"));
        this.countsOutstanding = config.readStrategy() == HavenConfig.ReadStrategy.POWER_OF_TWO
                || config.readStrategy() == HavenConfig.ReadStrategy.LEAST_OUTSTANDING;
    }

    /**
     * Starts monitoring the cluster of {@code url} and returns once its first topology is known.
     *
     * @param poolSettings HikariCP properties for every node's pool
     */
    public static ClusterContext open(HaUrl url, Properties poolSettings, HavenEventListener... listeners)
            throws SQLException {
        return open(url, poolSettings, null, RoutingListener.NONE, listeners);
    }

    /**
     * As {@link #open(HaUrl, Properties, HavenEventListener...)}, with a hook for each node's pool configuration
     * (called just before the pool starts; may be null) and a listener for every statement and retry.
     */
    public static ClusterContext open(HaUrl url, Properties poolSettings,
            BiConsumer<NodeAddress, HikariConfig> poolCustomizer, RoutingListener routing,
            HavenEventListener... listeners) throws SQLException {
        NodePools pools = new NodePools(url, poolSettings, poolCustomizer);
        HavenEventListener[] all = new HavenEventListener[listeners.length + 1];
        all[0] = pools;
        System.arraycopy(listeners, 0, all, 1, listeners.length);
        VendorNodeConnector monitoring = VendorNodeConnector.forMonitoring(url,
                poolSettings == null ? null : poolSettings.getProperty("driverClassName"));
        HavenCluster cluster = HavenCluster.start(url.config(), monitoring, all);
        ClusterContext context = new ClusterContext(url, cluster, pools, monitoring,
                routing == null ? RoutingListener.NONE : routing);
        if (url.config().failoverAutoFailback()) {
            cluster.addListener(new Failback(context));
        }
        return context;
    }

    private static int parseMillis(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return 0; // the vendor driver reports a malformed value itself
        }
    }

    public HavenCluster cluster() {
        return cluster;
    }

    public HaUrl url() {
        return url;
    }

    /**
     * Moves the primary role to {@code target} with no lost and no failed committed write (see
     * {@link Switchover}).
     */
    public Switchover.Result switchover(NodeAddress target) throws SQLException {
        return new Switchover(this, adminConnector).run(target);
    }

    /** A new logical connection: it takes a physical connection only at its first statement. */
    public HaConnection connect() {
        return new HaConnection(this, null);
    }

    /** A new logical connection that runs {@code onClose} once when it is closed or aborted. */
    public HaConnection connect(Runnable onClose) {
        return new HaConnection(this, onClose);
    }

    ReplicationPosition lastWrite() {
        return lastWrite.get();
    }

    /**
     * Records where the primary's binary log stood right after one of our commits. The reading is the server's
     * whole executed set, so it covers our write (and maybe later ones: waiting for those too is safe).
     */
    void recordWrite(NodeAddress node, Connection raw) throws SQLException {
        ServerState state = cluster.serverState(node);
        boolean mysql = state != null && state.flavor() == ServerState.Flavor.MYSQL;
        String sql = mysql ? "SELECT @@GLOBAL.gtid_executed" : "SELECT @@GLOBAL.gtid_binlog_pos";
        String text;
        try (Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            text = rs.next() ? rs.getString(1) : "";
        }
        ReplicationPosition position;
        try {
            position = ReplicationPosition.parse(text == null ? "" : text.trim());
        } catch (IllegalArgumentException e) {
            return; // unreadable: read-your-writes degrades to eventual for this write
        }
        for (;;) {
            ReplicationPosition current = lastWrite.get();
            if (current.covers(position) || lastWrite.compareAndSet(current, position)) {
                return;
            }
        }
    }

    /** SQL that waits until the node has applied {@code position}, returning 0 when it has. */
    String waitSql(NodeAddress node, ReplicationPosition position, double seconds) {
        ServerState state = cluster.serverState(node);
        boolean mysql = state != null && state.flavor() == ServerState.Flavor.MYSQL;
        String function = mysql ? "WAIT_FOR_EXECUTED_GTID_SET" : "MASTER_GTID_WAIT";
        return "SELECT " + function + "('" + position + "', " + String.format(java.util.Locale.ROOT, "%.3f", seconds) + ")";
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } finally {
            pools.close();
        }
    }
}
