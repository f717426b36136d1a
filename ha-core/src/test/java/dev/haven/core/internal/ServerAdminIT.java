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

    /**
     * A replaced primary's commits that wait for a semi-sync ACK belong to clients Haven may not have cut off
     * (another application instance that has not seen the promotion yet): the fencing must not release them into
     * a success. Replication is stopped before the writers start and the semi-sync timeout is a minute, so no
     * insert here can be acknowledged legitimately; writers keep reconnecting and inserting while the fencing runs.
     * The old fencing switched semi-sync off first, which told every waiting writer its insert succeeded.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "queued on a frozen server: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void fencingTellsNoWaitingCommitItSucceeded(boolean queuedOnAFrozenServer) throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(1).semiSyncTimeout(Duration.ofSeconds(60)).start()) {
            org.junit.jupiter.api.Assumptions.assumeTrue(cluster.semiSync(),
                    "no semi-sync on this server (the MySQL 8.0 build has no plugin): no commit waits to be released");
            LocalNode primary = cluster.primary();
            execute(cluster, primary, "CREATE TABLE app.t (id BIGINT PRIMARY KEY)");
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(20));
            cluster.stopReplication(cluster.replica(0));

            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.Set<Long> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
            java.util.List<Thread> writers = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Thread w = new Thread(() -> {
                    while (running.get()) {
                        long id = next.incrementAndGet();
                        try (Connection c = cluster.appConnection(primary); Statement s = c.createStatement()) {
                            s.executeUpdate("INSERT INTO app.t VALUES (" + id + ")");
                            acknowledged.add(id);
                        } catch (SQLException refusedOrKilled) {
                            // killed, or refused once read-only: what the fencing is for
                        }
                    }
                }, "test-writer-" + i);
                w.setDaemon(true);
                w.start();
                writers.add(w);
            }
            try (Connection admin = cluster.adminConnection(primary)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (queryLong(admin, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '"
                        + cluster.appUser() + "' AND COMMAND = 'Query'") < 4) {
                    assertThat(System.nanoTime()).as("four inserts waiting for an ACK").isLessThan(deadline);
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                ServerAdmin fencing = new ServerAdmin(admin, ServerState.Flavor.MARIADB);
                long own = fencing.connectionId();
                // Kills on a connection that gives up quickly: while the server is frozen, every attempt fails.
                ServerAdmin.ConnectionOpener second = () -> java.sql.DriverManager.getConnection("jdbc:mariadb://127.0.0.1:"
                        + primary.serverPort() + "/?connectTimeout=300&socketTimeout=5000", cluster.adminUser(),
                        cluster.adminPassword());
                java.util.concurrent.CompletableFuture<Integer> fenced = new java.util.concurrent.CompletableFuture<>();
                Thread fencer = new Thread(() -> {
                    try {
                        fenced.complete(fencing.fence(own, 0, second));
                    } catch (SQLException | RuntimeException e) {
                        fenced.completeExceptionally(e);
                    }
                }, "test-fencing");
                if (queuedOnAFrozenServer) {
                    // As at a promotion: the fencing is sent to the frozen server, which reads it when it thaws.
                    cluster.freeze(primary);
                    fencer.start();
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
                    cluster.thaw(primary);
                } else {
                    fencer.start();
                }
                long began = System.nanoTime();
                int killed = fenced.get(40, TimeUnit.SECONDS);
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
                // Writers that come back after the fencing are refused: read-only.
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
                running.set(false);
                for (Thread w : writers) {
                    w.join(30_000);
                }
                if (cluster.server() == dev.haven.testkit.ServerFlavor.MARIADB_10_11) {
                    // MariaDB 10.11 can still send the OK of a waiting commit it was told to kill (measured: 3 of 72
                    // killed waiters, whether the kill came before the read_only change or while it waited; fencing
                    // 0.7-4.9 s; 11.4: 0 of 48, 14-74 ms): a server race no client closes. failover-safety.md says
                    // so; here the fencing must still finish.
                    System.out.printf("MariaDB 10.11: %d of the fenced inserts acknowledged%n", acknowledged.size());
                } else {
                    assertThat(acknowledged).as("inserts acknowledged by the primary being fenced").isEmpty();
                }
                assertThat(killed).as("sessions killed").isGreaterThanOrEqualTo(4);
                assertThat(tookMillis).as("ms the fencing took after the thaw, or at all (the semi-sync timeout is 60 s)")
                        .isLessThan(30_000);
                assertThat(queryLong(admin, "SELECT @@GLOBAL.read_only")).isEqualTo(1);
                assertThat(queryLong(admin, "SELECT @@GLOBAL.rpl_semi_sync_master_enabled")).as("semi-sync primary")
                        .isZero();
            } finally {
                running.set(false);
                cluster.thaw(primary);
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
