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
 *
 * <p>MySQL: 8.0.22 and later (the {@code REPLICA}/{@code SOURCE} statements and columns: {@code SHOW REPLICA STATUS},
 * {@code CHANGE REPLICATION SOURCE TO}, {@code START REPLICA}); tested on 8.0.31 with asynchronous GTID replication
 * ({@code gtid_mode=ON}, {@code SOURCE_AUTO_POSITION=1}). Nothing here needs a plugin: semi-sync statements are
 * MariaDB's only. Every replica it makes is {@code super_read_only}, so not even an admin account writes to it.
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

    /** Opens one more connection with the admin credentials to the same server. */
    @FunctionalInterface
    public interface ConnectionOpener {
        Connection open() throws SQLException;
    }

    /** How often the fencing looks again for sessions to kill while its {@code read_only} change waits. */
    private static final long KILL_ROUND_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(5);
    /** The pause before the killing connection is tried again (refused, timed out, or cut off). */
    private static final long REOPEN_PAUSE_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * Fences a replaced primary that came back writable, without queuing behind the writes it is fencing and
     * without letting any of them succeed. The {@code read_only} change is sent on this connection first. It waits
     * for the statements and commits in progress (an old primary's late commits each wait for a semi-sync ACK no
     * replica will send), and while it waits its pending lock holds every new write back ("Waiting for backup
     * lock", "Waiting for global read lock"). Meanwhile a second connection ({@code second}) kills the sessions
     * running statements, round after round until the change is done. The server shuts a killed session's socket
     * at once, so its client hears nothing of a commit that still completes: it stays an errant transaction of
     * the old primary, which a rejoin detects. Only then is the primary side of semi-sync switched off.
     *
     * <p>Why not the other way round: switching semi-sync off first released the waiting commits, and a client
     * that had not yet learned of the promotion (another application instance, which Haven here cannot cut off)
     * was told they succeeded: acknowledged writes that exist only on the replaced primary.
     *
     * @param ownConnectionId this connection's session id if known, else 0 (then it is asked first)
     * @param spareConnectionId a session not to kill (the caller's probe connection), 0 for none
     * @param second opens the killing connection (again and again while it fails, until the change is done);
     *               null to kill once on this connection before the change, which leaves a commit that starts in
     *               between to wait for the change (and the change for it)
     * @return how many sessions were killed
     */
    public int fence(long ownConnectionId, long spareConnectionId, ConnectionOpener second) throws SQLException {
        java.util.concurrent.atomic.AtomicInteger killed = new java.util.concurrent.atomic.AtomicInteger();
        if (second == null) {
            killed.addAndGet(killRunningSessions(spareConnectionId, 0));
            makeReadOnly();
        } else {
            long own = ownConnectionId > 0 ? ownConnectionId : connectionId();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread killer = new Thread(() -> {
                // Opened again until the change is done: a fencing queued on a frozen server starts this before the
                // thaw, when a connection attempt can only time out.
                while (!done.get()) {
                    try (Connection k = second.open()) {
                        ServerAdmin other = new ServerAdmin(k, mysql ? ServerState.Flavor.MYSQL : ServerState.Flavor.MARIADB);
                        while (!done.get()) {
                            killed.addAndGet(other.killRunningSessions(own, spareConnectionId));
                            java.util.concurrent.locks.LockSupport.parkNanos(KILL_ROUND_NANOS);
                        }
                    } catch (SQLException | RuntimeException e) {
                        java.util.concurrent.locks.LockSupport.parkNanos(REOPEN_PAUSE_NANOS);
                    }
                }
            }, "haven-fence-kill");
            killer.setDaemon(true);
            killer.start();
            try {
                makeReadOnly();
            } finally {
                done.set(true);
                try {
                    killer.join(java.util.concurrent.TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (semiSyncPrimary()) {
            stopSemiSyncPrimary();
        }
        return killed.get();
    }

    /** This connection's session id ({@code CONNECTION_ID()}). */
    public long connectionId() throws SQLException {
        String id = queryString("SELECT CONNECTION_ID()");
        return id == null ? 0 : Long.parseLong(id.trim());
    }

    /** Kills every client session running a statement but this one, {@code spare} and {@code other}. */
    private int killRunningSessions(long spare, long other) throws SQLException {
        java.util.List<Long> ids = new java.util.ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND ID <> " + spare
                        + " AND ID <> " + other
                        + " AND COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump', 'Binlog Dump GTID', 'Connect',"
                        + " 'Slave_IO', 'Slave_SQL', 'Slave_worker', 'Killed')"
                        + " AND USER NOT IN ('system user', 'event_scheduler')")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        int killed = 0;
        for (long id : ids) {
            try {
                execute("KILL CONNECTION " + id);
                killed++;
            } catch (SQLException gone) {
                // ended meanwhile (1094 unknown thread id)
            }
        }
        return killed;
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

    /**
     * MySQL: the transactions of {@code theirs} (a GTID set) that this server has not executed, by the server's own
     * {@code GTID_SUBTRACT}; run on a new primary with a returning old primary's {@code gtid_executed}, its errant
     * transactions. Empty when there are none. The set travels as a statement parameter, never in the SQL text.
     */
    public String errantTransactions(String theirs) throws SQLException {
        if (!mysql) {
            throw new IllegalStateException("GTID_SUBTRACT is MySQL's; MariaDB compares binary log states");
        }
        try (java.sql.PreparedStatement p = connection.prepareStatement(
                "SELECT GTID_SUBTRACT(?, @@GLOBAL.gtid_executed)")) {
            p.setString(1, theirs == null ? "" : theirs.replace("\n", "").trim());
            try (ResultSet rs = p.executeQuery()) {
                String errant = rs.next() ? rs.getString(1) : "";
                return errant == null ? "" : errant.replace("\n", "").trim();
            }
        }
    }

    /** The number of transactions in a MySQL GTID set ({@code uuid:1-5:7,uuid2:3}); 0 for an empty one. */
    public static long countTransactions(String gtidSet) {
        long count = 0;
        if (gtidSet == null) {
            return 0;
        }
        for (String member : gtidSet.replace("\n", "").split(",")) {
            String[] parts = member.trim().split(":");
            for (int i = 1; i < parts.length; i++) {
                String interval = parts[i].trim();
                if (interval.isEmpty() || !Character.isDigit(interval.charAt(0))) {
                    continue; // a tag (MySQL 8.3+), not an interval
                }
                int dash = interval.indexOf('-');
                count += dash < 0 ? 1 : Long.parseLong(interval.substring(dash + 1))
                        - Long.parseLong(interval.substring(0, dash)) + 1;
            }
        }
        return count;
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
     *
     * <p>The account goes into the statement as string literals escaped for the connection's {@code sql_mode}
     * ({@link #literal}); the server cannot take them as parameters. A failure of that statement is reported with
     * its SQLState and error code only, never with the server's message, which may quote the statement and so the
     * password.
     *
     * @throws SQLException the server refused, or the user or password holds a NUL character (which no literal
     *                      can carry); the message is Haven's own and names no secret
     */
    public void replicateFrom(NodeAddress source, String user, String password, Map<String, String> template,
                              boolean semiSync) throws SQLException {
        checkPasswordLength(password);
        boolean noBackslashEscapes = noBackslashEscapes();
        String quotedHost;
        String quotedUser;
        String quotedPassword;
        try {
            quotedHost = literal(host(source), noBackslashEscapes);
            quotedUser = literal(user, noBackslashEscapes);
            quotedPassword = literal(password == null ? "" : password, noBackslashEscapes);
        } catch (IllegalArgumentException e) {
            throw new SQLException("cannot point a server to " + source + ": " + e.getMessage(), "22000");
        }
        if (mysql) {
            // A replica must not take a write from anyone, admin accounts included, before it is promoted.
            execute("SET GLOBAL super_read_only = ON");
            executeSecret("CHANGE REPLICATION SOURCE TO SOURCE_HOST=" + quotedHost + ", SOURCE_PORT=" + source.port()
                    + ", SOURCE_USER=" + quotedUser + ", SOURCE_PASSWORD=" + quotedPassword
                    + ", SOURCE_AUTO_POSITION=1" + mysqlOptions(template), "CHANGE REPLICATION SOURCE TO " + source);
            execute("START REPLICA");
            return;
        }
        if (semiSync) {
            execute("SET GLOBAL rpl_semi_sync_master_enabled = OFF");
            execute("SET GLOBAL rpl_semi_sync_slave_enabled = ON");
        }
        execute("SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos");
        executeSecret("CHANGE MASTER TO MASTER_HOST=" + quotedHost + ", MASTER_PORT=" + source.port()
                + ", MASTER_USER=" + quotedUser + ", MASTER_PASSWORD=" + quotedPassword
                + ", MASTER_USE_GTID=slave_pos" + mariadbOptions(template), "CHANGE MASTER TO " + source);
        execute("START SLAVE");
    }

    /**
     * {@code value} as a single-quoted SQL string literal that MariaDB and MySQL read back as exactly {@code value}.
     * Both double a quote inside a literal; unless {@code NO_BACKSLASH_ESCAPES} is in the session's
     * {@code sql_mode}, a backslash starts an escape sequence and is doubled too (with it, a backslash is an
     * ordinary character and must stay single). Nothing else is special inside a quoted literal on a utf8mb4
     * connection, so every other character, {@code %} and {@code _} included (they are special only to
     * {@code LIKE}), is copied as it is.
     *
     * @throws IllegalArgumentException for a NUL character (a literal cannot carry it under every sql_mode)
     */
    static String literal(String value, boolean noBackslashEscapes) {
        StringBuilder out = new StringBuilder(value.length() + 8).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                throw new IllegalArgumentException("a NUL character cannot be sent in a replication account");
            }
            if (c == '\'') {
                out.append("''");
            } else if (c == '\\' && !noBackslashEscapes) {
                out.append("\\\\");
            } else {
                out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    /**
     * The longest replication password each family stores, in UTF-8 bytes: MariaDB 96 (error 1470), MySQL 32
     * (characters in its manual; bytes here, to be safe for non-ASCII). A longer one is refused here, before any
     * statement: the server's own refusal quotes the password, and MariaDB Connector/J logs every server error at
     * WARN. Characters beyond the Basic Multilingual Plane are refused too (see below).
     */
    static int maxPasswordBytes(boolean mysql) {
        return mysql ? 32 : 96;
    }

    private void checkPasswordLength(String password) throws SQLException {
        int bytes = password == null ? 0 : password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > maxPasswordBytes(mysql)) {
            throw new SQLException("ha.replication.password is " + bytes + " bytes long in UTF-8; "
                    + (mysql ? "MySQL" : "MariaDB") + " stores at most " + maxPasswordBytes(mysql)
                    + " for a replication link", "22001");
        }
        if (password != null && password.codePoints().anyMatch(Character::isSupplementaryCodePoint)) {
            // Measured on MariaDB 11.4: accepted by CHANGE MASTER, then the login fails for ever with 1045, because
            // the link's password is stored as utf8mb3.
            throw new SQLException("ha.replication.password holds a character outside the Basic Multilingual Plane"
                    + " (such as an emoji), which the server cannot store for a replication link", "22000");
        }
    }

    /** Whether the session reads backslashes in string literals as ordinary characters. */
    private boolean noBackslashEscapes() throws SQLException {
        String mode = queryString("SELECT @@SESSION.sql_mode");
        return mode != null && mode.toUpperCase(Locale.ROOT).contains("NO_BACKSLASH_ESCAPES");
    }

    /**
     * Runs a statement that holds a secret. The driver's escape processing is off (the literal is already what the
     * server must read), and a failure keeps the server's SQLState and error code but not its message nor the
     * vendor exception as a cause: a syntax error quotes the statement, and events, logs and endpoints show
     * messages and causes.
     */
    private void executeSecret(String sql, String what) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.setEscapeProcessing(false);
            s.execute(sql);
        } catch (SQLException e) {
            throw new SQLException(what + " was refused by the server (SQLState " + e.getSQLState() + ", error "
                    + e.getErrorCode() + "; the server's message is not shown because it may quote the statement,"
                    + " which holds the replication password)", e.getSQLState(), e.getErrorCode());
        }
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

    /**
     * The options of a MySQL replica's link that a new link should share: TLS, whether it asks the source for its RSA
     * key ({@code caching_sha2_password} without TLS needs {@code GET_SOURCE_PUBLIC_KEY=1}), the retry interval and
     * the heartbeat period ({@link #replicaStatus()} adds it from performance_schema; SHOW REPLICA STATUS lacks it).
     */
    static String mysqlOptions(Map<String, String> template) {
        if (template == null) {
            return "";
        }
        StringBuilder options = new StringBuilder();
        options.append(", SOURCE_SSL=").append("Yes".equalsIgnoreCase(column(template, "Source_SSL_Allowed",
                "Master_SSL_Allowed")) ? 1 : 0);
        String publicKey = column(template, "Get_Source_public_key", "Get_master_public_key");
        if (publicKey != null && publicKey.trim().matches("[01]")) {
            options.append(", GET_SOURCE_PUBLIC_KEY=").append(publicKey.trim());
        }
        appendNumber(options, ", SOURCE_CONNECT_RETRY=", template.get("Connect_Retry"));
        appendNumber(options, ", SOURCE_HEARTBEAT_PERIOD=", template.get(HEARTBEAT_PERIOD));
        return options.toString();
    }

    /** The key {@link #replicaStatus()} adds on MySQL: the link's heartbeat period in seconds. */
    static final String HEARTBEAT_PERIOD = "Source_heartbeat_period";

    private static String column(Map<String, String> row, String... names) {
        for (String name : names) {
            for (Map.Entry<String, String> e : row.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
        }
        return null;
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
                    return mysql ? withHeartbeatPeriod(row) : row;
                }
                if (first == null) {
                    first = row;
                }
            }
            return first;
        }
    }

    /** MySQL keeps the heartbeat period in performance_schema only; a template without it is still usable. */
    private Map<String, String> withHeartbeatPeriod(Map<String, String> row) {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT HEARTBEAT_INTERVAL FROM performance_schema.replication_connection_configuration"
                        + " WHERE CHANNEL_NAME = ''")) {
            if (rs.next() && rs.getString(1) != null) {
                row.put(HEARTBEAT_PERIOD, rs.getString(1));
            }
        } catch (SQLException e) {
            // no SELECT on performance_schema: the new link gets the server's default period
        }
        return row;
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
