package dev.haven.core.internal;

import dev.haven.core.NodeAddress;
import dev.haven.core.ServerState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The administrative statements of promotion, re-pointing and fencing, in MariaDB's and MySQL's dialects, on one
 * connection with the admin credentials. Shared by automatic failover and the planned switchover so that both
 * change servers the same way.
 */
public final class ServerAdmin {

    private final Connection connection;
    private final boolean mysql;

    public ServerAdmin(Connection connection, ServerState.Flavor flavor) {
        this.connection = connection;
        this.mysql = flavor == ServerState.Flavor.MYSQL;
    }

    /** Makes the server refuse writes from ordinary users (and, on MySQL, from SUPER users too). */
    public void makeReadOnly() throws SQLException {
        execute(mysql ? "SET GLOBAL super_read_only = ON" : "SET GLOBAL read_only = ON");
    }

    /** Makes the server writable. */
    public void makeWritable() throws SQLException {
        if (mysql) {
            execute("SET GLOBAL super_read_only = OFF");
        }
        execute("SET GLOBAL read_only = OFF");
    }

    /** The transactions the server has written to its binary log (what replicas of it can receive). */
    public String binlogPosition() throws SQLException {
        return queryString(mysql ? "SELECT @@GLOBAL.gtid_executed" : "SELECT @@GLOBAL.gtid_binlog_pos");
    }

    /** MariaDB's {@code @@gtid_binlog_state}: the last transaction of each (domain, server) in the binary log. */
    public String binlogState() throws SQLException {
        String state = queryString("SELECT @@GLOBAL.gtid_binlog_state");
        return state == null ? "" : state.trim();
    }

    /**
     * How many transactions of binary log state {@code theirs} are not in binary log state {@code ours}: per
     * (domain, server), the sequence numbers beyond ours. For a returning old primary, its errant transactions.
     */
    public static long missingFromBinlogState(String ours, String theirs) {
        java.util.Map<String, Long> have = new java.util.HashMap<>();
        for (String gtid : ours.split(",")) {
            String[] f = gtid.trim().split("-");
            if (f.length == 3) {
                have.merge(f[0] + "-" + f[1], Long.parseLong(f[2]), Math::max);
            }
        }
        long missing = 0;
        for (String gtid : theirs.split(",")) {
            String[] f = gtid.trim().split("-");
            if (f.length == 3) {
                long seq = Long.parseLong(f[2]);
                long known = have.getOrDefault(f[0] + "-" + f[1], 0L);
                if (seq > known) {
                    missing += seq - known;
                }
            }
        }
        return missing;
    }

    /** Stops receiving from the source; returns when the receiver thread has stopped. */
    public void stopReceiving() throws SQLException {
        execute(mysql ? "STOP REPLICA IO_THREAD" : "STOP SLAVE IO_THREAD");
    }

    /** Starts replication again (both threads), e.g. after a promotion that was abandoned. */
    public void startReplication() throws SQLException {
        execute(mysql ? "START REPLICA" : "START SLAVE");
    }

    /** The transactions the replica has received from its source, empty when it has no source. */
    public String receivedPosition() throws SQLException {
        Map<String, String> row = replicaStatus();
        if (row == null) {
            return "";
        }
        String received = row.get(mysql ? "Retrieved_Gtid_Set" : "Gtid_IO_Pos");
        return received == null ? "" : received.replace("\n", "").trim();
    }

    /**
     * Waits until the server has applied {@code position}.
     *
     * @return whether it did within {@code timeout}
     */
    public boolean awaitApplied(String position, Duration timeout) throws SQLException {
        if (position == null || position.isBlank()) {
            return true;
        }
        String sql = String.format(Locale.ROOT, mysql ? "SELECT WAIT_FOR_EXECUTED_GTID_SET('%s', %d)"
                : "SELECT MASTER_GTID_WAIT('%s', %d)", position.replace("\n", "").replace("'", ""),
                Math.max(1, (timeout.toMillis() + 999) / 1000));
        return "0".equals(queryString(sql));
    }

    /**
     * Turns a replica into a primary: stops and forgets its replication, moves semi-synchronous replication's
     * primary side to it when {@code semiSync}, and makes it writable. Call {@link #awaitApplied} first: what is
     * in the relay log and not applied is discarded.
     */
    public void promote(boolean semiSync) throws SQLException {
        if (mysql) {
            execute("STOP REPLICA");
            execute("RESET REPLICA ALL");
        } else {
            execute("STOP SLAVE");
            execute("RESET SLAVE ALL");
            if (semiSync) {
                execute("SET GLOBAL rpl_semi_sync_master_enabled = ON");
            }
        }
        makeWritable();
    }

    /** Stops applying what was received (fast even while the receiver waits on a hung source). */
    public void stopApplying() throws SQLException {
        execute(mysql ? "STOP REPLICA SQL_THREAD" : "STOP SLAVE SQL_THREAD");
    }

    /** Forgets the source and the relay log; the receiver must have stopped (a stop waits for it). */
    public void forgetSource() throws SQLException {
        execute(mysql ? "STOP REPLICA" : "STOP SLAVE");
        execute(mysql ? "RESET REPLICA ALL" : "RESET SLAVE ALL");
    }

    /** Takes the primary side of semi-synchronous replication (MariaDB). */
    public void startSemiSyncPrimary() throws SQLException {
        if (!mysql) {
            execute("SET GLOBAL rpl_semi_sync_master_enabled = ON");
        }
    }

    /** Whether the server acknowledges to its source as a semi-synchronous replica (MariaDB). */
    public boolean semiSyncReplica() {
        return !mysql && "1".equals(queryOptional("SELECT @@GLOBAL.rpl_semi_sync_slave_enabled"));
    }

    /** Whether the server waits for semi-synchronous acknowledgements as a primary (MariaDB). */
    public boolean semiSyncPrimary() {
        return !mysql && "1".equals(queryOptional("SELECT @@GLOBAL.rpl_semi_sync_master_enabled"));
    }

    /** Stops waiting for acknowledgements: a replica with log_slave_updates must not wait for its own replicas. */
    public void stopSemiSyncPrimary() throws SQLException {
        if (!mysql) {
            execute("SET GLOBAL rpl_semi_sync_master_enabled = OFF");
        }
    }

    /**
     * Re-points a replica to a new source with GTID positioning, keeping its replication account and options.
     * Returns when replication has been started again.
     */
    public void repoint(NodeAddress source) throws SQLException {
        if (mysql) {
            execute("STOP REPLICA");
            execute("CHANGE REPLICATION SOURCE TO SOURCE_HOST='" + host(source) + "', SOURCE_PORT=" + source.port()
                    + ", SOURCE_AUTO_POSITION=1");
            execute("START REPLICA");
        } else {
            execute("STOP SLAVE");
            execute("CHANGE MASTER TO MASTER_HOST='" + host(source) + "', MASTER_PORT=" + source.port()
                    + ", MASTER_USE_GTID=slave_pos");
            execute("START SLAVE");
        }
    }

    /**
     * Makes a server that replicates from nobody (an old primary) a replica of {@code source}, from the transactions
     * it has, with the given account; TLS, heartbeat period and retry interval are copied from {@code template}
     * (a replica's {@link #replicaStatus()}) so the new link is configured like the others.
     */
    public void replicateFrom(NodeAddress source, String user, String password, Map<String, String> template,
                              boolean semiSync) throws SQLException {
        String quotedUser = user.replace("'", "''");
        String quotedPassword = password == null ? "" : password.replace("'", "''");
        if (mysql) {
            execute("CHANGE REPLICATION SOURCE TO SOURCE_HOST='" + host(source) + "', SOURCE_PORT=" + source.port()
                    + ", SOURCE_USER='" + quotedUser + "', SOURCE_PASSWORD='" + quotedPassword
                    + "', SOURCE_AUTO_POSITION=1" + mysqlOptions(template));
            execute("START REPLICA");
            return;
        }
        if (semiSync) {
            execute("SET GLOBAL rpl_semi_sync_master_enabled = OFF");
            execute("SET GLOBAL rpl_semi_sync_slave_enabled = ON");
        }
        execute("SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos");
        execute("CHANGE MASTER TO MASTER_HOST='" + host(source) + "', MASTER_PORT=" + source.port()
                + ", MASTER_USER='" + quotedUser + "', MASTER_PASSWORD='" + quotedPassword
                + "', MASTER_USE_GTID=slave_pos" + mariadbOptions(template));
        execute("START SLAVE");
    }

    private static String mariadbOptions(Map<String, String> template) {
        if (template == null) {
            return "";
        }
        StringBuilder options = new StringBuilder();
        options.append(", MASTER_SSL=").append("Yes".equalsIgnoreCase(template.get("Master_SSL_Allowed")) ? 1 : 0);
        appendNumber(options, ", MASTER_HEARTBEAT_PERIOD=", template.get("Slave_heartbeat_period"));
        appendNumber(options, ", MASTER_CONNECT_RETRY=", template.get("Connect_Retry"));
        return options.toString();
    }

    private static String mysqlOptions(Map<String, String> template) {
        if (template == null) {
            return "";
        }
        StringBuilder options = new StringBuilder();
        options.append(", SOURCE_SSL=").append("Yes".equalsIgnoreCase(template.get("Source_SSL_Allowed")) ? 1 : 0);
        appendNumber(options, ", SOURCE_CONNECT_RETRY=", template.get("Connect_Retry"));
        return options.toString();
    }

    private static void appendNumber(StringBuilder options, String option, String value) {
        if (value != null && value.trim().matches("[0-9]+(\\.[0-9]+)?")) {
            options.append(option).append(value.trim());
        }
    }

    /** The replica status row of the default channel, or {@code null} when the server replicates from nobody. */
    public Map<String, String> replicaStatus() throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery(mysql ? "SHOW REPLICA STATUS" : "SHOW ALL SLAVES STATUS")) {
            Map<String, String> first = null;
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
                }
                String channel = row.getOrDefault(mysql ? "Channel_Name" : "Connection_name", "");
                if (channel == null || channel.isEmpty()) {
                    return row;
                }
                if (first == null) {
                    first = row;
                }
            }
            return first;
        }
    }

    /**
     * Takes a named lock on this server for as long as this connection lives or until {@link #unlock}; never waits.
     *
     * @return whether this connection holds the lock now
     */
    public boolean tryLock(String name) throws SQLException {
        return "1".equals(queryString("SELECT GET_LOCK('" + name + "', 0)"));
    }

    public void unlock(String name) throws SQLException {
        queryString("SELECT RELEASE_LOCK('" + name + "')");
    }

    private static String host(NodeAddress address) {
        String host = address.host();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private void execute(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    private String queryString(String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private String queryOptional(String sql) {
        try {
            return queryString(sql);
        } catch (SQLException e) {
            return null;
        }
    }
}
