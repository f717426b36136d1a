/*
 * Copyright 2025 the Haven authors.
 * Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
 */
package dev.haven.testkit.mysql;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.time.Duration;
import java.util.ArrayList;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.Network;
import org.testcontainers.mysql.MySQLContainer;
import org.testcontainers.utility.DockerImageName;

/** What the Testcontainers MySQL clusters share: credentials, checks and a few JDBC steps. */
final class MySqlSupport {

    private static final Logger log = LoggerFactory.getLogger(MySqlSupport.class);

    static final int MYSQL_PORT = 3306;
    static final String DEFAULT_IMAGE = "mysql:8.4";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]{1,32}");
    private static final Pattern PASSWORD = Pattern.compile("[A-Za-z0-9_.,:+=@%-]{8,64}");
    private static final String PASSWORD_ALPHABET =
            "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private MySqlSupport() {
    }

    static String randomPassword() {
        StringBuilder s = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            s.append(PASSWORD_ALPHABET.charAt(RANDOM.nextInt(PASSWORD_ALPHABET.length())));
        }
        return s.toString();
    }

    /** A user or schema name safe to put in SQL text as is. */
    static String checkName(String key, String value) {
        Objects.requireNonNull(value, key);
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(key + " must match " + NAME.pattern() + ", got '"
                    + value + "'");
        }
        return value;
    }

    /** A password safe inside single quotes in SQL text; the value is never echoed. */
    static String checkPassword(String key, String value) {
        Objects.requireNonNull(value, key);
        if (!PASSWORD.matcher(value).matches()) {
            throw new IllegalArgumentException(key + " must be 8-64 characters from "
                    + PASSWORD.pattern());
        }
        return value;
    }

    static void checkDistinctUsers(String appUser, String adminUser, String internalUser) {
        if (appUser.equals(adminUser) || appUser.equals(internalUser)
                || adminUser.equals(internalUser) || "root".equals(appUser)
                || "root".equals(adminUser)) {
            throw new IllegalArgumentException("appUser, adminUser, root and " + internalUser
                    + " must all differ, got appUser=" + appUser + ", adminUser=" + adminUser);
        }
    }

    /**
     * A MySQL container on {@code network} as {@code alias}, with a random-password root, the
     * schema {@code database}, GTIDs on, {@code server_id} and {@code report_host} set, plus
     * {@code extraArgs} for mysqld.
     */
    static MySQLContainer newNode(String image, Network network, String alias, int serverId,
            String database, String rootPassword, Duration startupTimeout, List<String> extraArgs) {
        List<String> args = new ArrayList<>(List.of("--server-id=" + serverId, "--gtid-mode=ON",
                "--enforce-gtid-consistency=ON", "--report-host=" + alias));
        args.addAll(extraArgs);
        return new MySQLContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("mysql"))
                .withDatabaseName(database)
                .withUsername("root")
                .withPassword(rootPassword)
                .withNetwork(network)
                .withNetworkAliases(alias)
                .withCommand(args.toArray(new String[0]))
                .withStartupTimeout(startupTimeout);
    }

    /** Stops the containers, last first, then removes the network; logs and goes on on failure. */
    static void stopAll(List<MySQLContainer> nodes, Network network) {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            try {
                nodes.get(i).stop();
            } catch (RuntimeException e) {
                log.warn("stopping MySQL container {} failed", i, e);
            }
        }
        try {
            network.close();
        } catch (RuntimeException e) {
            log.warn("removing the Docker network failed", e);
        }
    }

    static String hostAndPort(ContainerState node) {
        return node.getHost() + ":" + node.getMappedPort(MYSQL_PORT);
    }

    static String jdbcUrl(ContainerState node, String database) {
        return "jdbc:mysql://" + hostAndPort(node) + "/" + database;
    }

    static String clusterJdbcUrl(List<? extends ContainerState> nodes, String database) {
        StringBuilder url = new StringBuilder("jdbc:mysql://");
        for (int i = 0; i < nodes.size(); i++) {
            if (i > 0) {
                url.append(',');
            }
            url.append(hostAndPort(nodes.get(i)));
        }
        return url.append('/').append(database).toString();
    }

    /** Forgets the GTID history the image's first boot wrote (users, schema). */
    static void resetGtidHistory(Connection root) throws SQLException {
        boolean mysql80 = queryString(root, "SELECT VERSION()").startsWith("8.0.");
        execute(root, mysql80 ? "RESET MASTER" : "RESET BINARY LOGS AND GTIDS");
    }

    /** Creates the application and admin users; run on the primary so that they replicate. */
    static void createUsers(Connection root, String database, String appUser, String appPassword,
            String adminUser, String adminPassword) throws SQLException {
        execute(root, "CREATE USER '" + appUser + "'@'%' IDENTIFIED BY '" + appPassword + "'");
        execute(root, "GRANT ALL PRIVILEGES ON `" + database + "`.* TO '" + appUser + "'@'%'");
        execute(root, "GRANT REPLICATION CLIENT ON *.* TO '" + appUser + "'@'%'");
        execute(root, "GRANT SELECT ON performance_schema.* TO '" + appUser + "'@'%'");
        execute(root, "CREATE USER '" + adminUser + "'@'%' IDENTIFIED BY '" + adminPassword + "'");
        execute(root, "GRANT ALL PRIVILEGES ON *.* TO '" + adminUser + "'@'%' WITH GRANT OPTION");
    }

    static String executedGtids(Connection c) throws SQLException {
        return queryString(c, "SELECT @@GLOBAL.gtid_executed");
    }

    /** True if {@code c}'s server applied {@code gtids} within {@code seconds}. */
    static boolean waitForGtids(Connection c, String gtids, double seconds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)")) {
            ps.setString(1, gtids);
            ps.setDouble(2, Math.max(0.001, seconds));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getInt(1) == 0;
            }
        }
    }

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("no row from " + sql);
            }
            return rs.getString(1);
        }
    }

    static void pause(long millis) throws SQLException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", e);
        }
    }
}
