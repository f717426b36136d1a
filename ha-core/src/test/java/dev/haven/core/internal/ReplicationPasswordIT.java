package dev.haven.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.haven.core.NodeAddress;
import dev.haven.core.ServerState;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerAdmin#replicateFrom} on a real MariaDB with replication passwords an attacker or a password
 * generator might choose: the server reads back exactly the password Haven was given, under the default
 * {@code sql_mode} and under {@code NO_BACKSLASH_ESCAPES}, and a refused statement never reports its text.
 */
class ReplicationPasswordIT {

    /** Hostile passwords: quotes, backslashes (also before a quote), SQL and LIKE metacharacters, unicode. */
    static final List<String> HOSTILE = List.of(
            "it's",
            "back\\slash",
            "end\\",
            "\\'; CHANGE MASTER TO MASTER_HOST='evil' -- ",
            "x', MASTER_HOST='evil",
            "%_%\\%\\_",
            "\"double\" `tick` {fn now()} ?",
            "p\u00e4ss w\u00f6rd \u65e5\u672c",
            "tab\there\nnewline\r\u001a",
            "'''\\\\\\'");

    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.builder().replicas(1).semiSync(false).start();
        org.junit.jupiter.api.Assumptions.assumeFalse(cluster.server().isMySql(),
                "MariaDB's statements and status columns; the MySQL dialect's rejoin is in ServerAdminIT");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyHostileValueIsReadBackExactlyUnderBothSqlModes() throws SQLException {
        try (Connection c = cluster.adminConnection(cluster.primary()); Statement s = c.createStatement()) {
            s.setEscapeProcessing(false);
            for (boolean noBackslashEscapes : new boolean[] {false, true}) {
                s.execute(noBackslashEscapes ? "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')"
                        : "SET SESSION sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')");
                for (String value : HOSTILE) {
                    try (ResultSet rs = s.executeQuery("SELECT " + ServerAdmin.literal(value, noBackslashEscapes))) {
                        rs.next();
                        assertThat(rs.getString(1)).as("%s, NO_BACKSLASH_ESCAPES=%s", value, noBackslashEscapes)
                                .isEqualTo(value);
                    }
                }
            }
        }
    }

    @Test
    void aReplicaRejoinsWithEachHostilePasswordUnderBothSqlModes() throws Exception {
        LocalNode primary = cluster.primary();
        LocalNode replica = cluster.replica(0);
        String user = "haven_hostile";
        List<String> passwords = new java.util.ArrayList<>(HOSTILE);
        passwords.add("\\'%".repeat(32)); // 96 bytes, MariaDB's longest
        int round = 0;
        for (String password : passwords) {
            boolean noBackslashEscapes = round++ % 2 == 1;
            setPassword(primary, user, password);
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(30));
            try (Connection c = cluster.adminConnection(replica); Statement s = c.createStatement()) {
                if (noBackslashEscapes) {
                    s.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
                }
                ServerAdmin admin = new ServerAdmin(c, ServerState.Flavor.MARIADB);
                Map<String, String> template = admin.replicaStatus();
                admin.forgetSource();
                admin.replicateFrom(NodeAddress.of("127.0.0.1", primary.serverPort()), user, password, template,
                        false);
                awaitConnected(admin, password);
                assertThat(admin.replicaStatus().get("Master_User")).isEqualTo(user);
            }
        }
        // Back to the cluster's own account, for the other tests.
        try (Connection c = cluster.adminConnection(replica)) {
            ServerAdmin admin = new ServerAdmin(c, ServerState.Flavor.MARIADB);
            Map<String, String> template = admin.replicaStatus();
            admin.forgetSource();
            admin.replicateFrom(NodeAddress.of("127.0.0.1", primary.serverPort()), cluster.replicationUser(),
                    cluster.replicationPassword(), template, false);
            awaitConnected(admin, cluster.replicationPassword());
        }
    }

    @Test
    void aRefusedChangeMasterReportsNeitherThePasswordNorTheStatement() throws Exception {
        LocalNode replica = cluster.replica(0);
        String password = "s3cret-'\\-pw";
        try (Connection c = cluster.adminConnection(replica)) {
            ServerAdmin admin = new ServerAdmin(c, ServerState.Flavor.MARIADB);
            Map<String, String> template = admin.replicaStatus();
            admin.forgetSource();
            try {
                // A heartbeat period beyond the server's maximum: CHANGE MASTER itself is refused (error 1624).
                Map<String, String> bad = new java.util.HashMap<>(template);
                bad.put("Slave_heartbeat_period", "99999999");
                assertThatThrownBy(() -> admin.replicateFrom(
                        NodeAddress.of("127.0.0.1", cluster.primary().serverPort()), "haven_hostile", password, bad,
                        false))
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getErrorCode()).isEqualTo(1624);
                            assertThat(e.getMessage()).contains("CHANGE MASTER TO", "SQLState", "1624")
                                    .doesNotContain(password, "MASTER_PASSWORD", "s3cret", "haven_hostile");
                            assertThat(e.getCause()).isNull();
                        });
            } finally {
                admin.replicateFrom(NodeAddress.of("127.0.0.1", cluster.primary().serverPort()),
                        cluster.replicationUser(), cluster.replicationPassword(), template, false);
                awaitConnected(admin, cluster.replicationPassword());
            }
        }
        // A password longer than the server stores: refused before any statement (the server's refusal quotes it).
        try (Connection c = cluster.adminConnection(replica)) {
            ServerAdmin admin = new ServerAdmin(c, ServerState.Flavor.MARIADB);
            String tooLong = "\u00e9".repeat(49);
            assertThatThrownBy(() -> admin.replicateFrom(NodeAddress.of("127.0.0.1", 1), "u", tooLong, null, false))
                    .isInstanceOf(SQLException.class).hasMessageContaining("98 bytes")
                    .hasMessageNotContaining("\u00e9");
            assertThat(admin.replicaStatus().get("Slave_IO_Running")).isEqualTo("Yes");
        }
        // A character beyond the BMP: MariaDB stores the link's password as utf8mb3, and the login would fail for
        // ever (measured: 1045 with "emoji \ud83d\udd11"); refused at once instead.
        try (Connection c = cluster.adminConnection(replica)) {
            ServerAdmin admin = new ServerAdmin(c, ServerState.Flavor.MARIADB);
            assertThatThrownBy(() -> admin.replicateFrom(NodeAddress.of("127.0.0.1", 1), "u", "key \ud83d\udd11",
                    null, false)).isInstanceOf(SQLException.class).hasMessageContaining("outside the Basic")
                    .hasMessageNotContaining("key");
        }
        // A NUL cannot be sent: refused before any statement, without the password.
        try (Connection c = cluster.adminConnection(replica)) {
            ServerAdmin admin = new ServerAdmin(c, ServerState.Flavor.MARIADB);
            assertThatThrownBy(() -> admin.replicateFrom(NodeAddress.of("127.0.0.1", 1), "u", "nul\0pw", null, false))
                    .isInstanceOf(SQLException.class).hasMessageNotContaining("nul");
        }
    }

    private static void setPassword(LocalNode primary, String user, String password) throws SQLException {
        try (Connection c = cluster.adminConnection(primary); Statement s = c.createStatement()) {
            s.setEscapeProcessing(false);
            String literal = ServerAdmin.literal(password, false);
            s.execute("CREATE USER IF NOT EXISTS '" + user + "'@'%' IDENTIFIED BY " + literal);
            s.execute("ALTER USER '" + user + "'@'%' IDENTIFIED BY " + literal);
            s.execute("GRANT REPLICATION SLAVE ON *.* TO '" + user + "'@'%'");
        }
    }

    /** The receiver logs in to the primary with the password, or the test fails naming the server's IO error. */
    private static void awaitConnected(ServerAdmin admin, String password) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        Map<String, String> status = admin.replicaStatus();
        while (System.nanoTime() < deadline) {
            status = admin.replicaStatus();
            if ("Yes".equals(status.get("Slave_IO_Running")) && "Yes".equals(status.get("Slave_SQL_Running"))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no replication with password " + password + ": IO " + status.get("Slave_IO_Running")
                + " " + status.get("Last_IO_Errno") + " " + status.get("Last_IO_Error"));
    }
}
