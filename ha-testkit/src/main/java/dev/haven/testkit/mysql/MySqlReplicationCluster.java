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
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.Network;
import org.testcontainers.mysql.MySQLContainer;

/**
 * A MySQL 8.4 primary and N asynchronous replicas in Docker containers (Testcontainers), for tests
 * on machines with a Docker engine. Check {@link DockerSupport#isDockerAvailable()} first.
 *
 * <p>What it sets up:
 * <ul>
 *   <li>one container per node on a private Docker network; the primary is reachable from the
 *       replicas as {@value #PRIMARY_ALIAS}, replica {@code i} (1-based) as
 *       {@code mysql-replica-i}; server ids are 1 for the primary and {@code i + 1} for replica
 *       {@code i};</li>
 *   <li>{@code gtid_mode=ON}, {@code enforce_gtid_consistency=ON} everywhere; GTID history is
 *       reset after the image's first-boot initialisation, so all nodes start from an empty,
 *       identical history;</li>
 *   <li>a replication user on the primary; each replica runs
 *       {@code CHANGE REPLICATION SOURCE TO SOURCE_HOST='mysql-primary', SOURCE_AUTO_POSITION=1,
 *       SOURCE_SSL=1} and {@code START REPLICA}, then {@code SET PERSIST super_read_only=ON};</li>
 *   <li>an application user ({@link #appUser()}, all privileges on {@link #database()} plus
 *       {@code REPLICATION CLIENT} and {@code SELECT} on {@code performance_schema}, enough for
 *       topology discovery) and an admin user ({@link #adminUser()}, all privileges), both with
 *       random passwords and created on the primary so that they replicate. Root has a random
 *       password too and is not exposed.</li>
 * </ul>
 *
 * <p>The JDBC URLs are for mysql-connector-j and point at the ports Docker maps on the test host.
 * With connector-j's default {@code sslMode=PREFERRED} the connections use TLS, which the
 * {@code caching_sha2_password} accounts need; add {@code allowPublicKeyRetrieval=true} if you
 * turn TLS off.
 *
 * <pre>{@code
 * try (MySqlReplicationCluster cluster = MySqlReplicationCluster.builder().replicas(2).start()) {
 *     try (Connection c = DriverManager.getConnection(cluster.primaryJdbcUrl(),
 *             cluster.appUser(), cluster.appPassword())) { ... }
 *     cluster.awaitReplicationCaughtUp(Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>Starting takes roughly 15-60 s (image pull excluded). Not thread-safe while starting or
 * closing; the accessors may be used from any thread.
 */
public final class MySqlReplicationCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MySqlReplicationCluster.class);

    /** The image used unless {@link Builder#image(String)} says otherwise. */
    public static final String DEFAULT_IMAGE = MySqlSupport.DEFAULT_IMAGE;
    /** The primary's host name on the cluster's Docker network. */
    public static final String PRIMARY_ALIAS = "mysql-primary";

    private static final int MYSQL_PORT = MySqlSupport.MYSQL_PORT;
    private static final String REPLICATION_USER = "haven_repl";

    private final Network network;
    private final List<MySQLContainer> nodes; // index 0 is the primary
    private final String database;
    private final String appUser;
    private final String appPassword;
    private final String adminUser;
    private final String adminPassword;
    private final String rootPassword;
    private final String replicationPassword;
    private volatile boolean closed;

    private MySqlReplicationCluster(Builder b, Network network, List<MySQLContainer> nodes,
            String rootPassword, String replicationPassword) {
        this.network = network;
        this.nodes = nodes;
        this.database = b.database;
        this.appUser = b.appUser;
        this.appPassword = b.appPassword;
        this.adminUser = b.adminUser;
        this.adminPassword = b.adminPassword;
        this.rootPassword = rootPassword;
        this.replicationPassword = replicationPassword;
    }

    /** A builder with the defaults: {@value #DEFAULT_IMAGE}, 2 replicas, database {@code app}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The number of nodes, primary included. */
    public int size() {
        return nodes.size();
    }

    /** The number of replicas. */
    public int replicaCount() {
        return nodes.size() - 1;
    }

    /** The schema created on every node, and the one the URLs select. */
    public String database() {
        return database;
    }

    /** The application user: all privileges on {@link #database()}, read access to metadata. */
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

    /** The primary's URL for mysql-connector-j, e.g. {@code jdbc:mysql://localhost:32768/app}. */
    public String primaryJdbcUrl() {
        return jdbcUrl(0);
    }

    /** The replicas' URLs, replica 1 first. */
    public List<String> replicaJdbcUrls() {
        List<String> urls = new ArrayList<>(nodes.size() - 1);
        for (int i = 1; i < nodes.size(); i++) {
            urls.add(jdbcUrl(i));
        }
        return Collections.unmodifiableList(urls);
    }

    /** Every node's URL, primary first. */
    public List<String> jdbcUrls() {
        List<String> urls = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            urls.add(jdbcUrl(i));
        }
        return Collections.unmodifiableList(urls);
    }

    /**
     * One URL listing every node, primary first: {@code jdbc:mysql://h:p1,h:p2,h:p3/app}; put
     * {@code jdbc:ha:} in front for Haven.
     */
    public String clusterJdbcUrl() {
        return MySqlSupport.clusterJdbcUrl(nodes, database);
    }

    /**
     * A node's URL.
     *
     * @param index 0 for the primary, {@code i} for replica {@code i}
     */
    public String jdbcUrl(int index) {
        return MySqlSupport.jdbcUrl(nodes.get(index), database);
    }

    /**
     * A node's container, for what this class does not wrap (logs, {@code stop()}, docker
     * {@code pause} through the Docker client).
     *
     * @param index 0 for the primary, {@code i} for replica {@code i}
     */
    public MySQLContainer container(int index) {
        return nodes.get(index);
    }

    /**
     * Waits until every replica has applied every transaction the primary has executed so far,
     * using {@code WAIT_FOR_EXECUTED_GTID_SET}.
     *
     * @param timeout the total time allowed, for all replicas together
     * @throws TimeoutException if a replica is still behind when the time is up
     * @throws SQLException if a node cannot be queried
     */
    public void awaitReplicationCaughtUp(Duration timeout) throws SQLException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        String executed;
        try (Connection primary = connectAsAdmin(0)) {
            executed = MySqlSupport.executedGtids(primary);
        }
        for (int i = 1; i < nodes.size(); i++) {
            try (Connection replica = connectAsAdmin(i)) {
                if (!MySqlSupport.waitForGtids(replica, executed,
                        (deadline - System.nanoTime()) / 1e9)) {
                    throw new TimeoutException("replica " + i + " has not applied "
                            + executed.replace('\n', ' ') + " within " + timeout + ": "
                            + replicationStatus(replica));
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
        MySqlSupport.stopAll(nodes, network);
    }

    @Override
    public String toString() {
        return "MySqlReplicationCluster[" + clusterJdbcUrl() + ", " + replicaCount()
                + " replica(s)]";
    }

    // ---------------------------------------------------------------------------------------------

    private Connection connectAsAdmin(int index) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(index), adminUser, adminPassword);
    }

    private Connection connectAsRoot(int index) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(index), "root", rootPassword);
    }

    private void configure(Duration timeout) throws SQLException, TimeoutException {
        // The image's first boot wrote users and the schema into each node's own GTID history;
        // forget it everywhere so that auto-positioning does not replay the primary's copy.
        for (int i = 0; i < nodes.size(); i++) {
            try (Connection c = connectAsRoot(i)) {
                MySqlSupport.resetGtidHistory(c);
            }
        }
        try (Connection c = connectAsRoot(0)) {
            execute(c, "CREATE USER '" + REPLICATION_USER + "'@'%' IDENTIFIED BY '"
                    + replicationPassword + "'");
            execute(c, "GRANT REPLICATION SLAVE ON *.* TO '" + REPLICATION_USER + "'@'%'");
            MySqlSupport.createUsers(c, database, appUser, appPassword, adminUser, adminPassword);
        }
        for (int i = 1; i < nodes.size(); i++) {
            try (Connection c = connectAsRoot(i)) {
                execute(c, "CHANGE REPLICATION SOURCE TO SOURCE_HOST='" + PRIMARY_ALIAS
                        + "', SOURCE_PORT=" + MYSQL_PORT + ", SOURCE_USER='" + REPLICATION_USER
                        + "', SOURCE_PASSWORD='" + replicationPassword
                        + "', SOURCE_AUTO_POSITION=1, SOURCE_SSL=1, SOURCE_CONNECT_RETRY=1");
                execute(c, "START REPLICA");
                execute(c, "SET PERSIST super_read_only = ON");
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 1; i < nodes.size(); i++) {
            awaitReplicaRunning(i, deadline);
        }
        awaitReplicationCaughtUp(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }

    private void awaitReplicaRunning(int index, long deadline)
            throws SQLException, TimeoutException {
        try (Connection c = connectAsRoot(index); Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("SELECT c.SERVICE_STATE, a.SERVICE_STATE"
                        + " FROM performance_schema.replication_connection_status c"
                        + " JOIN performance_schema.replication_applier_status a"
                        + " USING (CHANNEL_NAME)")) {
                    if (rs.next() && "ON".equals(rs.getString(1)) && "ON".equals(rs.getString(2))) {
                        return;
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new TimeoutException("replica " + index + " did not connect to "
                            + PRIMARY_ALIAS + ": " + replicationStatus(c));
                }
                MySqlSupport.pause(100);
            }
        }
    }

    private static String replicationStatus(Connection replica) {
        try (Statement st = replica.createStatement();
                ResultSet rs = st.executeQuery("SELECT SERVICE_STATE, LAST_ERROR_NUMBER,"
                        + " LAST_ERROR_MESSAGE FROM performance_schema.replication_connection_status")) {
            StringBuilder s = new StringBuilder("receiver");
            while (rs.next()) {
                s.append(' ').append(rs.getString(1)).append(", last error ").append(rs.getInt(2))
                        .append(' ').append(rs.getString(3));
            }
            try (ResultSet ws = st.executeQuery("SELECT LAST_ERROR_NUMBER, LAST_ERROR_MESSAGE"
                    + " FROM performance_schema.replication_applier_status_by_worker"
                    + " WHERE LAST_ERROR_NUMBER <> 0")) {
                while (ws.next()) {
                    s.append("; applier error ").append(ws.getInt(1)).append(' ')
                            .append(ws.getString(2));
                }
            }
            return s.toString();
        } catch (SQLException e) {
            return "replication status unavailable: " + e.getMessage();
        }
    }

    /** Options for {@link MySqlReplicationCluster}; each setter checks its value at once. */
    public static final class Builder extends MySqlClusterBuilder<Builder> {
        private int replicas = 2;

        private Builder() {
        }

        /** The number of replicas, 0-9; default 2. */
        public Builder replicas(int replicas) {
            if (replicas < 0 || replicas > 9) {
                throw new IllegalArgumentException("replicas must be 0-9, got " + replicas);
            }
            this.replicas = replicas;
            return this;
        }

        /**
         * Starts the containers in parallel, configures replication and waits until every replica
         * is connected and caught up.
         *
         * @throws IllegalStateException if Docker is unavailable or the cluster cannot be set up;
         *     every container started so far is stopped again
         */
        public MySqlReplicationCluster start() {
            checkStartable(REPLICATION_USER);
            String rootPassword = randomPassword();
            Network network = Network.newNetwork();
            List<MySQLContainer> nodes = new ArrayList<>(replicas + 1);
            for (int i = 0; i <= replicas; i++) {
                String alias = i == 0 ? PRIMARY_ALIAS : "mysql-replica-" + i;
                nodes.add(MySqlSupport.newNode(image, network, alias, i + 1, database,
                        rootPassword, startupTimeout, List.of()));
            }
            MySqlReplicationCluster cluster = start("MySQL replication cluster (" + image + ", "
                    + replicas + " replica(s))", nodes, new MySqlReplicationCluster(this, network,
                    Collections.unmodifiableList(nodes), rootPassword, randomPassword()),
                    c -> c.configure(startupTimeout));
            log.info("started {}", cluster);
            return cluster;
        }
    }
}
