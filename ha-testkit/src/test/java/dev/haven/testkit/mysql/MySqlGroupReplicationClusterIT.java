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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real single-primary MySQL 8.4 group of 3 in Docker; skipped, with the reason, without Docker. */
@RequiresDocker
class MySqlGroupReplicationClusterIT {

    private static final int ER_OPTION_PREVENTS_STATEMENT = 1290;

    private static MySqlGroupReplicationCluster group;

    @BeforeAll
    static void startGroup() {
        group = MySqlGroupReplicationCluster.builder().members(3).start();
    }

    @AfterAll
    static void stopGroup() {
        if (group != null) {
            group.close();
        }
    }

    @Test
    void threeMembersAreOnlineWithOnePrimary() throws Exception {
        assertThat(group.primaryIndex()).isZero();
        for (String url : group.jdbcUrls()) {
            try (Connection c = app(url); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT"
                            + " SUM(MEMBER_STATE = 'ONLINE'), SUM(MEMBER_ROLE = 'PRIMARY')"
                            + " FROM performance_schema.replication_group_members")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("ONLINE members seen from %s", url).isEqualTo(3);
                assertThat(rs.getInt(2)).as("primaries seen from %s", url).isEqualTo(1);
            }
        }
    }

    @Test
    void writesOnThePrimaryReachEverySecondary() throws Exception {
        int primary = group.primaryIndex();
        try (Connection c = app(group.jdbcUrl(primary)); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE group_event (id INT PRIMARY KEY, name VARCHAR(40))");
            st.executeUpdate("INSERT INTO group_event VALUES (1, 'formed')");
        }
        group.awaitReplicationCaughtUp(Duration.ofSeconds(30));
        for (int i = 0; i < group.size(); i++) {
            try (Connection c = app(group.jdbcUrl(i)); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT name FROM group_event WHERE id = 1")) {
                assertThat(rs.next()).as("row on member %d", i).isTrue();
                assertThat(rs.getString(1)).isEqualTo("formed");
            }
        }
    }

    @Test
    void secondariesAreSuperReadOnly() throws Exception {
        int primary = group.primaryIndex();
        for (int i = 0; i < group.size(); i++) {
            try (Connection c = app(group.jdbcUrl(i)); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT @@GLOBAL.super_read_only")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("super_read_only on member %d", i)
                        .isEqualTo(i == primary ? 0 : 1);
            }
            if (i != primary) {
                try (Connection c = app(group.jdbcUrl(i)); Statement st = c.createStatement()) {
                    assertThatThrownBy(() -> st.execute("CREATE TABLE nope (id INT PRIMARY KEY)"))
                            .isInstanceOfSatisfying(SQLException.class, e -> assertThat(
                                    e.getErrorCode()).isEqualTo(ER_OPTION_PREVENTS_STATEMENT));
                }
            }
        }
    }

    private static Connection app(String url) throws SQLException {
        return DriverManager.getConnection(url, group.appUser(), group.appPassword());
    }
}
