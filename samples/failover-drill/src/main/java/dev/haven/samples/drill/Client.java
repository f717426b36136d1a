package dev.haven.samples.drill;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.haven.jdbc.HaDataSource;
import dev.haven.testkit.LocalCluster;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;

/**
 * Who the application talks through: Haven, or a peer's own replication-aware URL on the same cluster. Every
 * client gets the same timeouts (connect 500 ms, socket 2 s) and the same borrower wait (1 s), and the workload
 * uses each the same way: a connection per operation from a pool, {@code setReadOnly(true)} for reads.
 */
enum Client {
    /** {@code jdbc:ha:mariadb://...} through {@link HaDataSource} (one HikariCP pool per node, HikariCP defaults). */
    HAVEN("haven"),
    /**
     * mysql-connector-j's {@code jdbc:mysql:replication://primary,replica1,replica2/app} in one HikariCP pool: the
     * first host is the source, the others replicas; {@code setReadOnly(true)} moves a connection to the
     * (load-balanced) replicas. {@code allowSourceDownConnections=true} and {@code readFromSourceWhenNoReplicas=true}
     * (documented: connections can still be created, read-only, while the source is down; reads use the source when
     * no replica is left); {@code retriesAllDown=1} (one pass over the hosts before giving up: with the default,
     * 120 passes 250 ms apart, an operation on a dead source blocks for 30 s); {@code autoReconnect} stays off, as its
     * documentation advises.
     */
    CONNECTORJ_REPLICATION("connectorj-replication"),
    /**
     * MariaDB Connector/J 3.5's {@code jdbc:mariadb:replication://primary,replica1,replica2/app} in one HikariCP
     * pool: the first host is the primary, the others replicas; {@code setReadOnly(true)} moves a connection to a
     * replica. The 3.x HA modes are {@code sequential}, {@code loadbalance}, {@code load-balance-read} and
     * {@code replication}; only {@code replication} knows primary from replica. {@code retriesAllDown=1}, as for
     * Connector/J (the default, 120, blocks an operation for 30 s when the primary is gone).
     */
    MARIADB_REPLICATION("mariadb-replication");

    /** Same as Haven's: {@code ha.connectTimeout} and the URL's {@code socketTimeout}. */
    static final int CONNECT_TIMEOUT_MILLIS = 500;
    static final int SOCKET_TIMEOUT_MILLIS = 2000;
    /** HikariCP's {@code connectionTimeout} for the peers' pool: what Haven's node pools use (2 x connect timeout). */
    static final int BORROW_TIMEOUT_MILLIS = 1000;

    final String id;

    Client(String id) {
        this.id = id;
    }

    static List<String> ids() {
        return Arrays.stream(values()).map(c -> c.id).toList();
    }

    /** A comma-separated list of client names, or {@code all}. */
    static List<Client> parseList(String text) {
        if (text.trim().equals("all")) {
            return List.of(values());
        }
        List<Client> clients = new ArrayList<>();
        for (String part : text.split(",")) {
            String name = part.trim();
            Client found = Arrays.stream(values()).filter(c -> c.id.equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--client: '" + name + "' is not available;"
                            + " allowed: " + ids() + ", a comma-separated list of them, or all"));
            if (!clients.contains(found)) {
                clients.add(found);
            }
        }
        return clients;
    }

    /** Who promotes a replica when the primary is lost, for reports. */
    String promotedBy(DrillOptions options) {
        if (this == HAVEN && options.promote()) {
            return "Haven (ha.failover=promote)";
        }
        return "orchestrator after " + options.promoteAfterMillis() + " ms";
    }

    /** The name in reports: the client, and Haven's failover mode. */
    String label(DrillOptions options) {
        return this == HAVEN ? id + " (" + (options.promote() ? "promote" : "observe") + ")" : id;
    }

    /** The URL the client uses on {@code cluster}, without credentials. */
    String url(LocalCluster cluster, DrillOptions options) {
        String hosts = cluster.hostList(); // primary first, through the proxies
        return switch (this) {
            // On MySQL Haven wraps Connector/J, on MariaDB MariaDB Connector/J: each family's own driver.
            case HAVEN -> "jdbc:ha:" + havenVendor(cluster) + "://" + hosts + "/" + cluster.database()
                    // Haven's defaults for detection and failover (probes every 1 s, DOWN after 2 s of silence
                    // or three refused probes), as a user gets them.
                    + "?" + cluster.driverParameters(havenVendor(cluster)) + "socketTimeout=" + SOCKET_TIMEOUT_MILLIS
                    + "&ha.failover.timeout=15s&ha.maxReplicaLag=" + DrillRun.MAX_REPLICA_LAG_SECONDS + "s"
                    + (options.promote() ? "&ha.failover=promote" : "")
                    + "&ha.admin.user=" + cluster.adminUser();
            case CONNECTORJ_REPLICATION -> "jdbc:mysql:replication://" + hosts + "/" + cluster.database()
                    + "?sslMode=DISABLED&allowPublicKeyRetrieval=true"
                    + "&connectTimeout=" + CONNECT_TIMEOUT_MILLIS + "&socketTimeout=" + SOCKET_TIMEOUT_MILLIS
                    + "&allowSourceDownConnections=true&readFromSourceWhenNoReplicas=true&retriesAllDown=1";
            case MARIADB_REPLICATION -> "jdbc:mariadb:replication://" + hosts + "/" + cluster.database()
                    + "?" + cluster.driverParameters("mariadb") + "connectTimeout=" + CONNECT_TIMEOUT_MILLIS + "&socketTimeout=" + SOCKET_TIMEOUT_MILLIS
                    + "&retriesAllDown=1";
        };
    }

    /** The vendor driver Haven wraps on {@code cluster}: Connector/J on MySQL, MariaDB Connector/J on MariaDB. */
    static String havenVendor(LocalCluster cluster) {
        return cluster.server().isMySql() ? "mysql" : "mariadb";
    }

    /** Opens the client's data source on {@code cluster}. */
    Target open(LocalCluster cluster, DrillOptions options) throws SQLException {
        String url = url(cluster, options);
        if (this == HAVEN) {
            HavenEvents events = new HavenEvents();
            HaDataSource.Builder builder = HaDataSource.builder()
                    .url(url + "&ha.admin.password=" + cluster.adminPassword())
                    .user(cluster.appUser()).password(cluster.appPassword())
                    .listener(events);
            options.settings().forEach(builder::setting);
            HaDataSource ds = builder.build();
            return new Target(ds, ds, ds::close, events);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("drill-" + id);
        config.setJdbcUrl(url);
        config.setUsername(cluster.appUser());
        config.setPassword(cluster.appPassword());
        config.setConnectionTimeout(BORROW_TIMEOUT_MILLIS);
        config.setValidationTimeout(500);
        HikariDataSource ds = new HikariDataSource(config);
        return new Target(ds, null, ds::close, null);
    }

    /**
     * An open client: the data source the workload uses, Haven's when it is Haven, how to close it, and Haven's
     * events counted (null for the peers).
     */
    record Target(DataSource dataSource, HaDataSource haven, AutoCloseable closer, HavenEvents events)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            closer.close();
        }
    }
}
