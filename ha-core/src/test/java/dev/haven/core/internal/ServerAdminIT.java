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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerAdmin}'s statements on real servers, in the dialect of the server the build runs it on (MariaDB
 * 11.4, MySQL 8.0, MariaDB 10.11): a promotion done step by step as failover does it, the other replica re-pointed,
 * the old primary rejoined with the options of the other links, errant transactions found, and fencing.
 */
class ServerAdminIT {

    @Test
    void promoteRepointRejoinAndFenceKeepTheLinksOptionsAndFindErrantTransactions() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            boolean mysql = cluster.server().isMySql();
            ServerState.Flavor flavor = mysql ? ServerState.Flavor.MYSQL : ServerState.Flavor.MARIADB;
            LocalNode oldPrimary = cluster.primary();
            LocalNode candidate = cluster.replica(0);
            LocalNode other = cluster.replica(1);
            execute(cluster, oldPrimary, "CREATE TABLE app.t (id INT PRIMARY KEY)", "INSERT INTO app.t VALUES (1)");
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(20));
            cluster.kill(oldPrimary);

            try (Connection c = cluster.adminConnection(candidate); Connection o = cluster.adminConnection(other)) {
                ServerAdmin promoted = new ServerAdmin(c, flavor);
                ServerAdmin follower = new ServerAdmin(o, flavor);
                promoted.stopReceiving();
                follower.stopReceiving();
                String received = promoted.receivedPosition();
                assertThat(received).as("what the candidate received").isNotEmpty();
                assertThat(promoted.awaitApplied(received, Duration.ofSeconds(20))).isTrue();
                promoted.promote(cluster.semiSync());
                assertThat(queryLong(c, "SELECT @@GLOBAL.read_only")).as("the promoted node is writable").isZero();
                assertThat(promoted.replicaStatus()).as("it replicates from nobody").isNull();

                // The other replica follows the new primary with the account and options it had.
                Map<String, String> before = follower.replicaStatus();
                follower.repoint(NodeAddress.of("127.0.0.1", candidate.serverPort()));
                awaitReplicating(cluster, other, candidate.serverPort());
                Map<String, String> after = follower.replicaStatus();
                for (String option : mysql
                        ? new String[] {"Source_User", "Source_SSL_Allowed", "Get_Source_public_key", "Auto_Position"}
                        : new String[] {"Master_User", "Master_SSL_Allowed", "Using_Gtid"}) {
                    assertThat(after.get(option)).as(option).isEqualTo(before.get(option));
                }
                if (mysql) {
                    // caching_sha2_password without TLS: the link authenticated afresh on a server that never saw
                    // this account log in, which needs the source's RSA key.
                    assertThat(after.get("Get_Source_public_key")).isEqualTo("1");
                    assertThat(queryLong(o, "SELECT @@GLOBAL.super_read_only")).isEqualTo(1);
                }
                execute(cluster, candidate, "INSERT INTO app.t VALUES (2)");
                assertThat(follower.awaitApplied(promoted.binlogPosition(), Duration.ofSeconds(20))).isTrue();
                assertThat(queryLong(o, "SELECT COUNT(*) FROM app.t")).isEqualTo(2);
                cluster.adoptRoles();

                // The old primary comes back writable and took nothing of its own: no errant transaction.
                cluster.restartWritable(oldPrimary);
                try (Connection old = cluster.adminConnection(oldPrimary)) {
                    ServerAdmin returning = new ServerAdmin(old, flavor);
                    assertThat(errant(promoted, returning, mysql)).as("errant transactions of a clean old primary")
                            .isZero();
                    returning.makeReadOnly();
                    assertReadOnlyForEveryone(old, mysql);
                    // It rejoins like the other links: same TLS choice, RSA key request and heartbeat period.
                    returning.replicateFrom(NodeAddress.of("127.0.0.1", candidate.serverPort()),
                            cluster.replicationUser(), cluster.replicationPassword(), follower.replicaStatus(),
                            cluster.semiSync());
                    awaitReplicating(cluster, oldPrimary, candidate.serverPort());
                    Map<String, String> rejoined = returning.replicaStatus();
                    if (mysql) {
                        assertThat(rejoined.get("Get_Source_public_key")).isEqualTo("1");
                        assertThat(rejoined.get(ServerAdmin.HEARTBEAT_PERIOD))
                                .isEqualTo(follower.replicaStatus().get(ServerAdmin.HEARTBEAT_PERIOD));
                        assertThat(queryLong(old, "SELECT @@GLOBAL.super_read_only")).isEqualTo(1);
                    }
                    assertThat(returning.awaitApplied(promoted.binlogPosition(), Duration.ofSeconds(20))).isTrue();
                    assertThat(queryLong(old, "SELECT COUNT(*) FROM app.t")).isEqualTo(2);

                    // A write of its own, which the new primary never had: one errant transaction.
                    returning.forgetSource();
                    returning.makeWritable();
                    execute(cluster, oldPrimary, "INSERT INTO app.t VALUES (999)");
                    // MySQL counts transactions; MariaDB the sequence numbers beyond the new primary's, which
                    // continue the domain's numbering (here 2 for one transaction): only "some" is exact there.
                    if (mysql) {
                        assertThat(errant(promoted, returning, true)).as("errant transactions").isEqualTo(1);
                    } else {
                        assertThat(errant(promoted, returning, false)).as("errant transactions").isPositive();
                    }
                    if (mysql) {
                        assertThat(promoted.errantTransactions(returning.binlogPosition()))
                                .isEqualTo(cluster.ownTransactions(oldPrimary).split(":")[0] + ":3");
                    }
                    returning.makeReadOnly();
                    assertReadOnlyForEveryone(old, mysql);
                }
            }
        }
    }

    private static long errant(ServerAdmin primary, ServerAdmin returning, boolean mysql) throws SQLException {
        return mysql ? ServerAdmin.countTransactions(primary.errantTransactions(returning.binlogPosition()))
                : ServerAdmin.missingFromBinlogState(primary.binlogState(), returning.binlogState());
    }

    /** MySQL's super_read_only refuses the admin account too; MariaDB's read_only refuses ordinary users. */
    private static void assertReadOnlyForEveryone(Connection admin, boolean mysql) throws SQLException {
        assertThat(queryLong(admin, "SELECT @@GLOBAL.read_only")).isEqualTo(1);
        if (mysql) {
            assertThat(queryLong(admin, "SELECT @@GLOBAL.super_read_only")).isEqualTo(1);
            assertThatThrownBy(() -> {
                try (Statement s = admin.createStatement()) {
                    s.executeUpdate("INSERT INTO app.t VALUES (-1)");
                }
            }).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1290));
        }
    }

    private static void awaitReplicating(LocalCluster cluster, LocalNode replica, int sourcePort) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cluster.replicatingFromPort(replica) != sourcePort) {
            assertThat(System.nanoTime()).as(replica.name() + " replicating from port " + sourcePort)
                    .isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static void execute(LocalCluster cluster, LocalNode node, String... statements) throws SQLException {
        try (Connection c = cluster.adminConnection(node); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
