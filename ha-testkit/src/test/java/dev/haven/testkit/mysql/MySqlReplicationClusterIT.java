/*
 * Copyright 2025 the Haven authors.
 * Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
 */
package dev.haven.testkit.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real MySQL 8.4 primary and two replicas in Docker; skipped, with the reason, without Docker. */
@RequiresDocker
class MySqlReplicationClusterIT {

    private static final int ER_OPTION_PREVENTS_STATEMENT = 1290;

    private static MySqlReplicationCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = MySqlReplicationCluster.builder().replicas(2).start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void writesOnThePrimaryReachEveryReplica() throws Exception {
        try (Connection primary = app(cluster.primaryJdbcUrl());
                Statement st = primary.createStatement()) {
            st.execute("CREATE TABLE greeting (id INT PRIMARY KEY, text VARCHAR(40))");
            st.executeUpdate("INSERT INTO greeting VALUES (1, 'hello'), (2, 'replicas')");
        }

        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(30));

        for (String url : cluster.replicaJdbcUrls()) {
            try (Connection replica = app(url); Statement st = replica.createStatement();
                    ResultSet rs = st.executeQuery("SELECT text FROM greeting ORDER BY id")) {
                assertThat(rs.next()).as("row 1 on %s", url).isTrue();
                assertThat(rs.getString(1)).isEqualTo("hello");
                assertThat(rs.next()).as("row 2 on %s", url).isTrue();
                assertThat(rs.getString(1)).isEqualTo("replicas");
            }
        }
    }

    @Test
    void replicasAreSuperReadOnlyAndThePrimaryIsWritable() throws Exception {
        try (Connection primary = admin(cluster.primaryJdbcUrl())) {
            assertThat(queryInt(primary, "SELECT @@GLOBAL.read_only")).isZero();
        }
        for (String url : cluster.replicaJdbcUrls()) {
            try (Connection replica = app(url)) {
                assertThat(queryInt(replica, "SELECT @@GLOBAL.read_only")).isEqualTo(1);
                assertThat(queryInt(replica, "SELECT @@GLOBAL.super_read_only")).isEqualTo(1);
                assertThatThrownBy(() -> execute(replica, "CREATE TABLE nope (id INT)"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(
                                e.getErrorCode()).isEqualTo(ER_OPTION_PREVENTS_STATEMENT));
            }
            try (Connection replica = admin(url)) {
                assertThatThrownBy(() -> execute(replica, "CREATE DATABASE nope"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(
                                e.getErrorCode()).isEqualTo(ER_OPTION_PREVENTS_STATEMENT));
            }
        }
    }

    @Test
    void replicationUsesGtidAutoPositionOverTlsWithUniqueServerIds() throws Exception {
        Set<Integer> serverIds = new HashSet<>();
        for (String url : cluster.jdbcUrls()) {
            try (Connection c = app(url)) {
                serverIds.add(queryInt(c, "SELECT @@GLOBAL.server_id"));
                assertThat(queryString(c, "SELECT @@GLOBAL.gtid_mode")).isEqualTo("ON");
                assertThat(queryString(c, "SELECT @@GLOBAL.enforce_gtid_consistency"))
                        .isEqualTo("ON");
            }
        }
        assertThat(serverIds).hasSize(cluster.size());
        for (String url : cluster.replicaJdbcUrls()) {
            try (Connection replica = app(url)) {
                assertThat(queryString(replica, "SELECT CONCAT(HOST, ' ', AUTO_POSITION, ' ',"
                        + " SSL_ALLOWED) FROM performance_schema.replication_connection_configuration"))
                        .isEqualTo(MySqlReplicationCluster.PRIMARY_ALIAS + " 1 YES");
                assertThat(queryString(replica, "SELECT SERVICE_STATE"
                        + " FROM performance_schema.replication_connection_status"))
                        .isEqualTo("ON");
            }
        }
    }

    @Test
    void theClusterUrlListsEveryNodePrimaryFirst() throws Exception {
        List<String> urls = cluster.jdbcUrls();
        assertThat(urls).hasSize(3).first().isEqualTo(cluster.primaryJdbcUrl());
        String hosts = cluster.clusterJdbcUrl()
                .substring("jdbc:mysql://".length(), cluster.clusterJdbcUrl().lastIndexOf('/'));
        assertThat(hosts.split(",")).containsExactlyElementsOf(urls.stream()
                .map(u -> u.substring("jdbc:mysql://".length(), u.lastIndexOf('/'))).toList());
        // the multi-host URL is usable as is by connector-j, which connects to the first host
        try (Connection c = app(cluster.clusterJdbcUrl())) {
            assertThat(queryInt(c, "SELECT @@GLOBAL.server_id")).isEqualTo(1);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static Connection app(String url) throws SQLException {
        return DriverManager.getConnection(url, cluster.appUser(), cluster.appPassword());
    }

    private static Connection admin(String url) throws SQLException {
        return DriverManager.getConnection(url, cluster.adminUser(), cluster.adminPassword());
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static int queryInt(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getInt(1);
        }
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }
}
