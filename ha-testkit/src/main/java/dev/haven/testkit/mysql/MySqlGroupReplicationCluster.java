/*
 * Copyright 2025 the Haven authors.
 * Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
 */
package dev.haven.testkit.mysql;

import static dev.haven.testkit.mysql.MySqlSupport.execute;
import static dev.haven.testkit.mysql.MySqlSupport.randomPassword;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.Network;
import org.testcontainers.mysql.MySQLContainer;

/**
 * A single-primary MySQL 8.4 Group Replication group (3 members by default) in Docker containers
 * (Testcontainers), for tests on machines with a Docker engine. Check
 * {@link DockerSupport#isDockerAvailable()} first.
 *
 * <p>Member {@code i} (0-based) runs with {@code server_id = i + 1} and is called
 * {@code mysql-gr-<i+1>} on the group's private Docker network, where the members talk to each
 * other on port 33061. Member 0 bootstraps the group and is therefore the first primary; the
 * others join it and run {@code super_read_only}, as Group Replication makes secondaries. Users
 * are as in {@link MySqlReplicationCluster}: an application user with all privileges on
 * {@link #database()} and read access to replication metadata, and an admin user, both with random
 * passwords; the recovery user and root are internal. Group Replication wants InnoDB tables with a
 * primary key.
 *
 * <pre>{@code
 * try (MySqlGroupReplicationCluster group = MySqlGroupReplicationCluster.builder().start()) {
 *     String writable = group.jdbcUrl(group.primaryIndex());
 *     ...
 *     group.awaitReplicationCaughtUp(Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>Not thread-safe while starting or closing; the accessors may be used from any thread.
 */
public final class MySqlGroupReplicationCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MySqlGroupReplicationCluster.class);

    /** The image used unless {@link Builder#image(String)} says otherwise. */
    public static final String DEFAULT_IMAGE = MySqlSupport.DEFAULT_IMAGE;

    private static final String RECOVERY_USER = "haven_gr_recovery";
    private static final int GROUP_PORT = 33061;

    private final Network network;
    private final List<MySQLContainer> members;
    private final List<String> aliases;
    private final String database;
    private final String appUser;
    private final String appPassword;
    private final String adminUser;
    private final String adminPassword;
    private final String rootPassword;
    private final String recoveryPassword;
    private volatile boolean closed;

    private MySqlGroupReplicationCluster(Builder b, Network network, List<MySQLContainer> members,
            List<String> aliases, String rootPassword) {
        this.network = network;
        this.members = members;
        this.aliases = aliases;
        this.database = b.database;
        this.appUser = b.appUser;
        this.appPassword = b.appPassword;
        this.adminUser = b.adminUser;
        this.adminPassword = b.adminPassword;
        this.rootPassword = rootPassword;
        this.recoveryPassword = randomPassword();
    }

    /** A builder with the defaults: {@value #DEFAULT_IMAGE}, 3 members, database {@code app}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The number of members. */
    public int size() {
        return members.size();
    }

    /** The schema created on every member, and the one the URLs select. */
    public String database() {
        return database;
    }

    /** The application user. */
    public String appUser() {
        return appUser;
    }

    /** The application user's password. */
    public String appPassword() {
        return appPassword;
    }

    /** The admin user: all privileges, with grant option. */
    public String adminUser() {
        return adminUser;
    }

    /** The admin user's password. */
    public String adminPassword() {
        return adminPassword;
    }

    /**
     * A member's URL for mysql-connector-j.
     *
     * @param index the member, 0-based
     */
    public String jdbcUrl(int index) {
        return MySqlSupport.jdbcUrl(members.get(index), database);
    }

    /** Every member's URL, member 0 first. */
    public List<String> jdbcUrls() {
        List<String> urls = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            urls.add(jdbcUrl(i));
        }
        return Collections.unmodifiableList(urls);
    }

    /** One URL listing every member, member 0 first. */
    public String clusterJdbcUrl() {
        return MySqlSupport.clusterJdbcUrl(members, database);
    }

    /**
     * A member's container, for what this class does not wrap.
     *
     * @param index the member, 0-based
     */
    public MySQLContainer container(int index) {
        return members.get(index);
    }

    /**
     * The index of the member the group currently reports as {@code PRIMARY}, asked of the first
     * member that answers.
     *
     * @throws SQLException if no member answers or none is primary
     */
    public int primaryIndex() throws SQLException {
        SQLException last = null;
        for (int i = 0; i < members.size(); i++) {
            try (Connection c = connect(i, adminUser, adminPassword);
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT MEMBER_HOST"
                            + " FROM performance_schema.replication_group_members"
                            + " WHERE MEMBER_ROLE = 'PRIMARY' AND MEMBER_STATE = 'ONLINE'")) {
                if (rs.next()) {
                    int index = aliases.indexOf(rs.getString(1));
                    if (index >= 0) {
                        return index;
                    }
                }
            } catch (SQLException e) {
                last = e;
            }
        }
        throw new SQLException("no ONLINE primary reported by any member", last);
    }

    /**
     * Waits until every member has applied every transaction the primary has executed so far.
     *
     * @param timeout the total time allowed
     * @throws TimeoutException if a member is still behind when the time is up
     * @throws SQLException if a member cannot be queried
     */
    public void awaitReplicationCaughtUp(Duration timeout) throws SQLException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        int primary = primaryIndex();
        String executed;
        try (Connection c = connect(primary, adminUser, adminPassword)) {
            executed = MySqlSupport.executedGtids(c);
        }
        for (int i = 0; i < members.size(); i++) {
            if (i == primary) {
                continue;
            }
            try (Connection c = connect(i, adminUser, adminPassword)) {
                if (!MySqlSupport.waitForGtids(c, executed, (deadline - System.nanoTime()) / 1e9)) {
                    throw new TimeoutException("member " + i + " has not applied "
                            + executed.replace('\n', ' ') + " within " + timeout);
                }
            }
        }
    }

    /** Stops every container and removes the network. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        MySqlSupport.stopAll(members, network);
    }

    @Override
    public String toString() {
        return "MySqlGroupReplicationCluster[" + clusterJdbcUrl() + ", " + members.size()
                + " member(s)]";
    }

    // ---------------------------------------------------------------------------------------------

    private Connection connect(int index, String user, String password) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(index), user, password);
    }

    private void configure(Duration timeout) throws SQLException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < members.size(); i++) {
            try (Connection c = connect(i, "root", rootPassword)) {
                MySqlSupport.resetGtidHistory(c);
                // the recovery user exists on every member and is never replicated
                execute(c, "SET SQL_LOG_BIN = 0");
                execute(c, "CREATE USER '" + RECOVERY_USER + "'@'%' IDENTIFIED BY '"
                        + recoveryPassword + "'");
                execute(c, "GRANT REPLICATION SLAVE, CONNECTION_ADMIN, BACKUP_ADMIN,"
                        + " GROUP_REPLICATION_STREAM ON *.* TO '" + RECOVERY_USER + "'@'%'");
                execute(c, "SET SQL_LOG_BIN = 1");
                execute(c, "CHANGE REPLICATION SOURCE TO SOURCE_USER='" + RECOVERY_USER
                        + "', SOURCE_PASSWORD='" + recoveryPassword
                        + "' FOR CHANNEL 'group_replication_recovery'");
            }
        }
        try (Connection c = connect(0, "root", rootPassword)) {
            execute(c, "SET GLOBAL group_replication_bootstrap_group = ON");
            try {
                execute(c, "START GROUP_REPLICATION");
            } finally {
                execute(c, "SET GLOBAL group_replication_bootstrap_group = OFF");
            }
            awaitOnline(c, 1, deadline);
            MySqlSupport.createUsers(c, database, appUser, appPassword, adminUser, adminPassword);
        }
        // one at a time, as the manual advises
        for (int i = 1; i < members.size(); i++) {
            try (Connection c = connect(i, "root", rootPassword)) {
                execute(c, "START GROUP_REPLICATION");
            }
            try (Connection c = connect(0, "root", rootPassword)) {
                awaitOnline(c, i + 1, deadline);
            }
        }
        awaitReplicationCaughtUp(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }

    private static void awaitOnline(Connection c, int expected, long deadline)
            throws SQLException, TimeoutException {
        while (true) {
            StringBuilder states = new StringBuilder();
            int online = 0;
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT MEMBER_HOST, MEMBER_STATE, MEMBER_ROLE"
                            + " FROM performance_schema.replication_group_members")) {
                while (rs.next()) {
                    states.append(rs.getString(1)).append('=').append(rs.getString(2))
                            .append('/').append(rs.getString(3)).append(' ');
                    if ("ONLINE".equals(rs.getString(2))) {
                        online++;
                    }
                }
            }
            if (online >= expected) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException("expected " + expected + " ONLINE group members, got "
                        + states.toString().trim());
            }
            MySqlSupport.pause(200);
        }
    }

    /** Options for {@link MySqlGroupReplicationCluster}; each setter checks its value at once. */
    public static final class Builder extends MySqlClusterBuilder<Builder> {
        private int members = 3;

        private Builder() {
        }

        /** The number of members, 1-9; default 3 (the smallest group that survives a loss). */
        public Builder members(int members) {
            if (members < 1 || members > 9) {
                throw new IllegalArgumentException("members must be 1-9, got " + members);
            }
            this.members = members;
            return this;
        }

        /**
         * Starts the containers in parallel, forms the group and waits until every member is
         * ONLINE and caught up.
         *
         * @throws IllegalStateException if Docker is unavailable or the group cannot be formed;
         *     every container started so far is stopped again
         */
        public MySqlGroupReplicationCluster start() {
            checkStartable(RECOVERY_USER);
            String rootPassword = randomPassword();
            String groupName = UUID.randomUUID().toString();
            List<String> aliases = new ArrayList<>(members);
            for (int i = 0; i < members; i++) {
                aliases.add("mysql-gr-" + (i + 1));
            }
            String seeds = String.join(",", aliases.stream().map(a -> a + ":" + GROUP_PORT).toList());
            Network network = Network.newNetwork();
            List<MySQLContainer> nodes = new ArrayList<>(members);
            for (int i = 0; i < members; i++) {
                String alias = aliases.get(i);
                nodes.add(MySqlSupport.newNode(image, network, alias, i + 1, database,
                        rootPassword, startupTimeout, List.of(
                                "--plugin-load-add=group_replication.so",
                                "--loose-group-replication-group-name=" + groupName,
                                "--loose-group-replication-start-on-boot=OFF",
                                "--loose-group-replication-bootstrap-group=OFF",
                                "--loose-group-replication-single-primary-mode=ON",
                                "--loose-group-replication-local-address=" + alias + ":" + GROUP_PORT,
                                "--loose-group-replication-group-seeds=" + seeds,
                                "--loose-group-replication-recovery-use-ssl=ON",
                                "--loose-group-replication-recovery-get-public-key=ON")));
            }
            MySqlGroupReplicationCluster cluster = start("MySQL group (" + image + ", " + members
                    + " member(s))", nodes, new MySqlGroupReplicationCluster(this, network,
                    Collections.unmodifiableList(nodes), Collections.unmodifiableList(aliases), rootPassword),
                    c -> c.configure(startupTimeout));
            log.info("started {}", cluster);
            return cluster;
        }
    }
}
