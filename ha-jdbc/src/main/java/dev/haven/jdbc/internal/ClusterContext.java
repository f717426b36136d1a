package dev.haven.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import dev.haven.core.HavenCluster;
import dev.haven.core.HavenConfig;
import dev.haven.core.HavenEventListener;
import dev.haven.core.NodeAddress;
import dev.haven.core.PrimaryFencer;
import dev.haven.core.ReplicationPosition;
import dev.haven.core.ServerState;
import dev.haven.core.SqlClassifier;
import dev.haven.core.internal.AcknowledgedWrites;
import dev.haven.core.internal.Failback;
import dev.haven.core.internal.Switchover;
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
    /**
     * Whether {@code ha.failover=promote} guards this data source's acknowledged writes (the client-side RPO guard:
     * no promotion of a replica lacking one of them).
     */
    final boolean guardsAcknowledged;
    /** Whether a write commit must be recorded: for read-your-writes, for the RPO guard, or both. */
    final boolean tracksWrites;
    /**
     * Whether the vendor driver hands over the GTID of each commit from the commit's own OK packet (Connector/J with
     * {@code trackSessionState}): recording a write then costs no round trip. Otherwise (MariaDB Connector/J, which
     * reads the tracked session state but keeps none of it that Haven could use) the guard reads it with a query.
     */
    final boolean gtidsFromOkPacket;
    /** The highest GTID per source of the writes this data source saw acknowledged, for the RPO guard. */
    final AcknowledgedWrites acknowledged = new AcknowledgedWrites();
    /** Whether the commit-outcome marker table is known to exist ({@link CommitMarker#ensureTable}). */
    volatile boolean markerTableReady;
    final Object markerTableLock = new Object();
    /** Whether the read strategy looks at requests in flight, so logical connections must count them. */
    final boolean countsOutstanding;
    /**
     * What an unbound logical connection reports as its network timeout: the vendor's {@code socketTimeout} from
     * the URL. A pool that reads it to restore it later (HikariCP does, around validation) must not turn the
     * URL's timeout into "none".
     */
    final int defaultNetworkTimeoutMillis;
    /** {@code ha.failover.timeout} in nanoseconds, read once: binding a write needs it every time. */
    final long failoverTimeoutNanos;
    /** Holds writes back during a planned switchover. */
    final WriteGate writeGate = new WriteGate();
    private final AtomicReference<ReplicationPosition> lastWrite = new AtomicReference<>(ReplicationPosition.EMPTY);

    /** The monitor's connector: admin credentials when given, for switchover too. */
    final VendorNodeConnector adminConnector;
    /** Told about every statement and retry; {@link RoutingListener#NONE} unless metrics are wanted. */
    final RoutingListener routing;
    /** {@code ha.replay=on}: logical connections keep a {@link ReplayLog} of their transaction. */
    final boolean replay;
    /** {@code ha.commitOutcome=marker}: write transactions carry a {@link CommitMarker}. */
    final boolean marker;
    /** Deletes old markers once a minute; null without markers. */
    private volatile java.util.concurrent.ScheduledExecutorService purger;

    private ClusterContext(HaUrl url, HavenCluster cluster, NodePools pools, VendorNodeConnector adminConnector,
            RoutingListener routing) {
        this.adminConnector = adminConnector;
        this.routing = routing;
        this.url = url;
        this.config = url.config();
        this.cluster = cluster;
        this.pools = pools;
        this.classifier = new SqlClassifier();
        this.failoverTimeoutNanos = config.failoverTimeout().toNanos();
        this.autoRouting = config.routing() == HavenConfig.Routing.AUTO;
        this.readYourWrites = config.consistency() == HavenConfig.Consistency.READ_YOUR_WRITES;
        this.guardsAcknowledged = config.failover() == HavenConfig.FailoverMode.PROMOTE;
        this.tracksWrites = readYourWrites || guardsAcknowledged;
        this.gtidsFromOkPacket = gtidsFromOkPacket(url);
        this.defaultNetworkTimeoutMillis = parseMillis(url.vendorParameters().get("socketTimeout"));
        this.countsOutstanding = config.readStrategy() == HavenConfig.ReadStrategy.POWER_OF_TWO
                || config.readStrategy() == HavenConfig.ReadStrategy.LEAST_OUTSTANDING;
        this.replay = config.replay() == HavenConfig.Replay.ON;
        this.marker = config.commitOutcome() == HavenConfig.CommitOutcome.MARKER;
    }

    /**
     * How long a marker is kept: a marker is asked about only within {@code ha.failover.timeout} of the failure of
     * its commit, and fences a late copy of its transaction while the old primary's events may still arrive. Ten
     * times the timeout, at least five minutes, covers both with a wide margin.
     */
    long markerKeepSeconds() {
        return Math.max(300, 10 * Math.max(1, config.failoverTimeout().toSeconds()));
    }

    private void startMarkers() throws SQLException {
        if (url.database() == null) {
            throw new SQLException("ha.commitOutcome=marker needs a database in the URL (jdbc:ha:...//hosts/database):"
                    + " the marker table " + CommitMarker.TABLE + " lives there", "HY000");
        }
        java.util.concurrent.ScheduledExecutorService p = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "haven-marker-purge");
                    t.setDaemon(true);
                    return t;
                });
        p.scheduleWithFixedDelay(() -> CommitMarker.purge(this, markerKeepSeconds()), 60, 60,
                java.util.concurrent.TimeUnit.SECONDS);
        purger = p;
    }

    /** A replay or commit-outcome event, for listeners and metrics. */
    void emit(dev.haven.core.HavenEvent.Type type, NodeAddress node, String oldValue, String newValue,
            String detail) {
        cluster.state().emit(type, node, oldValue, newValue, detail);
    }

    /**
     * Starts monitoring the cluster of {@code url} and returns once its first topology is known.
     *
     * @param poolSettings HikariCP properties for every node's pool
     */
    public static ClusterContext open(HaUrl url, Properties poolSettings, HavenEventListener... listeners)
            throws SQLException {
        return open(url, poolSettings, null, RoutingListener.NONE, null, listeners);
    }

    /**
     * As {@link #open(HaUrl, Properties, HavenEventListener...)}, with a hook for each node's pool configuration
     * (called just before the pool starts; may be null), a listener for every statement and retry, and the
     * application's {@link PrimaryFencer} (may be null).
     */
    public static ClusterContext open(HaUrl url, Properties poolSettings,
            BiConsumer<NodeAddress, HikariConfig> poolCustomizer, RoutingListener routing, PrimaryFencer fencer,
            HavenEventListener... listeners) throws SQLException {
        NodePools pools = new NodePools(url, poolSettings, poolCustomizer);
        HavenEventListener[] all = new HavenEventListener[listeners.length + 1];
        all[0] = pools;
        System.arraycopy(listeners, 0, all, 1, listeners.length);
        VendorNodeConnector monitoring = VendorNodeConnector.forMonitoring(url,
                poolSettings == null ? null : poolSettings.getProperty("driverClassName"));
        HavenCluster cluster;
        try {
            cluster = HavenCluster.start(url.config(), monitoring, fencer, all);
        } catch (IllegalArgumentException e) { // the fencer does not fit the settings: reported like a bad setting
            pools.close();
            throw new SQLException("invalid Haven settings: " + e.getMessage(), "08001", e);
        }
        pools.topology(cluster::topology);
        try {
            LoginCheck.atStart(url, cluster, monitoring);
        } catch (SQLException | RuntimeException e) {
            cluster.close();
            pools.close();
            throw e;
        }
        ClusterContext context = new ClusterContext(url, cluster, pools, monitoring,
                routing == null ? RoutingListener.NONE : routing);
        if (context.guardsAcknowledged) {
            // Whatever the consistency mode: a promotion never picks a replica lacking a write this data source
            // saw acknowledged (the client-side RPO guard; per data source, see AcknowledgedWrites).
            cluster.guardAcknowledgedWrites(context.acknowledged::position);
        }
        if (url.config().failoverAutoFailback()) {
            cluster.addListener(new Failback(context.cluster, context.config, context.adminConnector,
                    context.writeGate));
        }
        if (context.marker) {
            try {
                context.startMarkers();
            } catch (SQLException | RuntimeException e) {
                context.close();
                throw e;
            }
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
        return new Switchover(cluster, config, adminConnector, writeGate).run(target);
    }

    /** A new logical connection: it takes a physical connection only at its first statement. */
    public HaConnection connect() {
        return new HaConnection(this);
    }

    /** A new logical connection that runs {@code onClose} once when it is closed or aborted. */
    public HaConnection connect(Runnable onClose) {
        return onClose == null ? new HaConnection(this) : new HaConnection.WithCloseHook(this, onClose);
    }

    ReplicationPosition lastWrite() {
        return lastWrite.get();
    }

    /**
     * Whether the physical connections of {@code url} get the GTID of each commit in its OK packet: Connector/J,
     * when a write commit is recorded at all. The node pools then ask the driver and the server for it
     * ({@code trackSessionState}, {@code session_track_gtids} or {@code last_gtid}, see {@link NodeDataSource}).
     */
    static boolean gtidsFromOkPacket(HaUrl url) {
        HavenConfig c = url.config();
        return url.vendor() == Vendor.MYSQL && (c.failover() == HavenConfig.FailoverMode.PROMOTE
                || c.consistency() == HavenConfig.Consistency.READ_YOUR_WRITES);
    }

    /**
     * Records one of our write commits, just acknowledged by {@code node}: its GTID for the RPO guard and, with
     * read-your-writes, where the primary's binary log stood right after it.
     */
    void recordWrite(NodeAddress node, Connection raw) throws SQLException {
        // From the commit's own answer: no round trip (unless the URL turned the driver's tracking off).
        boolean fromOk = gtidsFromOkPacket && OkPacketGtids.record(raw, acknowledged);
        if (!readYourWrites) {
            if (guardsAcknowledged && !fromOk) {
                acknowledged.record(query(raw, isMySql(node) ? "SELECT @@GLOBAL.gtid_executed"
                        : "SELECT @@SESSION.last_gtid"));
            }
            return;
        }
        try {
            recordPosition(node, raw, guardsAcknowledged && !fromOk);
        } catch (SQLException e) {
            if (guardsAcknowledged && !fromOk) {
                throw e;
            }
            throw new PositionUnread(e);
        }
    }

    /**
     * Records where {@code node}'s binary log stands now, which covers a write of ours known to be there (one whose
     * commit was resolved by its marker on that node): for read-your-writes, and for the RPO guard unless
     * {@code guard} is false (it has the write's own GTID already).
     */
    void recordPosition(NodeAddress node, Connection raw, boolean guard) throws SQLException {
        if (!tracksWrites) {
            return;
        }
        // The server's whole executed set covers our write (and maybe later ones: waiting for those too is safe).
        String text = query(raw, isMySql(node) ? "SELECT @@GLOBAL.gtid_executed" : "SELECT @@GLOBAL.gtid_binlog_pos");
        if (guard && guardsAcknowledged) {
            acknowledged.record(text);
        }
        if (!readYourWrites) {
            return;
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

    /**
     * {@link #recordWrite} could not read where the write left the primary, but the RPO guard has (or needs not) the
     * write's GTID: only read-your-writes goes without this write's position.
     */
    static final class PositionUnread extends SQLException {
        private static final long serialVersionUID = 1L;

        PositionUnread(SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), cause);
        }
    }

    private boolean isMySql(NodeAddress node) {
        ServerState state = cluster.serverState(node);
        return state != null && state.flavor() == ServerState.Flavor.MYSQL;
    }

    private static String query(Connection raw, String sql) throws SQLException {
        try (Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            String text = rs.next() ? rs.getString(1) : null;
            return text == null ? "" : text;
        }
    }

    /** SQL that waits until the node has applied {@code position}, returning 0 when it has. */
    String waitSql(NodeAddress node, ReplicationPosition position, double seconds) {
        ServerState state = cluster.serverState(node);
        boolean mysql = state != null && state.flavor() == ServerState.Flavor.MYSQL;
        String function = mysql ? "WAIT_FOR_EXECUTED_GTID_SET" : "MASTER_GTID_WAIT";
        return "SELECT " + function + "('" + position + "', " + String.format(java.util.Locale.ROOT, "%.3f", seconds) + ")";
    }

    /**
     * The pools first: the cluster's close may give a promotion in progress up to half of its bound to settle, and
     * meanwhile a pool whose node refuses connections (a replaced primary) keeps retrying with a growing back-off,
     * which HikariCP's close does not wait out (its connection adder would outlive this close).
     */
    @Override
    public void close() {
        java.util.concurrent.ScheduledExecutorService p = purger;
        if (p != null) {
            p.shutdownNow();
            try {
                p.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            pools.close();
        } finally {
            cluster.close();
        }
    }
}
