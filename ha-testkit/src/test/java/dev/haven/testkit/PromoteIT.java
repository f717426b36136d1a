package dev.haven.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link LocalCluster#promote} does what an orchestrator does; a returning old primary does not rejoin. */
class PromoteIT {

    @Test
    void promoteYieldsAWritableFormerReplicaThatTheOthersReplicateFrom() throws SQLException {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            LocalNode oldPrimary = cluster.primary();
            LocalNode chosen = cluster.replica(0);
            LocalNode other = cluster.replica(1);
            try (Connection c = cluster.appConnection(oldPrimary)) {
                Sql.execute(c, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));

            cluster.kill(oldPrimary);
            cluster.promote(chosen);

            assertThat(cluster.primary()).isSameAs(chosen);
            assertThat(cluster.replicas()).containsExactly(other);
            assertThat(oldPrimary.role()).isEqualTo(LocalNode.Role.FORMER_PRIMARY);
            try (Connection c = cluster.appConnection(chosen)) {
                assertThat(Sql.queryLong(c, "SELECT @@read_only")).isZero();
                assertThat(Sql.slaveStatus(c, "Slave_IO_Running")).isNull();
                Sql.execute(c, "INSERT INTO t VALUES (2)");
            }
            try (Connection c = cluster.adminConnection(other)) {
                assertThat(Sql.slaveStatus(c, "Master_Port")).isEqualTo(String.valueOf(chosen.serverPort()));
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
            try (Connection c = cluster.appConnection(other)) {
                assertThat(Sql.queryLong(c, "SELECT COUNT(*) FROM t")).isEqualTo(2);
            }

            // The old primary comes back with its data, replicating from nobody, and read-only: every node boots so.
            cluster.restart(oldPrimary);
            try (Connection c = cluster.appConnection(oldPrimary)) {
                assertThat(Sql.queryLong(c, "SELECT COUNT(*) FROM t")).isEqualTo(1);
                assertThat(Sql.queryLong(c, "SELECT @@read_only")).isEqualTo(1);
                assertThat(Sql.slaveStatus(c, "Slave_IO_Running")).isNull();
            }
            assertThat(cluster.writableNodes()).isEqualTo(1);
            // Unless it is configured without read_only at boot: then it is a second writable node.
            cluster.restartWritable(oldPrimary);
            try (Connection c = cluster.appConnection(oldPrimary)) {
                assertThat(Sql.queryLong(c, "SELECT @@read_only")).isZero();
            }
            assertThat(cluster.writableNodes()).isEqualTo(2);
            assertThat(cluster.primary()).isSameAs(chosen);
        }
    }

    @Test
    void aRestartedPrimaryKeepsItsDataAndItsReplicasReconnect() throws SQLException {
        try (LocalCluster cluster = LocalCluster.builder().replicas(1).semiSync(false).start()) {
            LocalNode primary = cluster.primary();
            try (Connection c = cluster.appConnection(primary)) {
                Sql.execute(c, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
            }
            cluster.kill(primary);
            cluster.restart(primary);
            assertThat(cluster.writableNodes()).as("the primary, made writable after its read-only boot").isEqualTo(1);
            try (Connection c = cluster.appConnection(primary)) {
                assertThat(Sql.queryLong(c, "SELECT COUNT(*) FROM t")).isEqualTo(1);
                Sql.execute(c, "INSERT INTO t VALUES (2)");
            }
            // MASTER_CONNECT_RETRY=1: the replica reconnects within seconds, not the default minute.
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(20));
            try (Connection c = cluster.appConnection(cluster.replica(0))) {
                assertThat(Sql.queryLong(c, "SELECT COUNT(*) FROM t")).isEqualTo(2);
            }
        }
    }

    @Test
    void promoteMostAdvancedChoosesTheReplicaThatReceivedTheMost() throws SQLException {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            LocalNode behind = cluster.replica(0);
            LocalNode ahead = cluster.replica(1);
            try (Connection c = cluster.appConnection(cluster.primary())) {
                Sql.execute(c, "CREATE TABLE t (id INT PRIMARY KEY)");
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
            cluster.stopReplication(behind);
            try (Connection c = cluster.appConnection(cluster.primary())) {
                Sql.execute(c, "INSERT INTO t VALUES (1)");
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10)); // the stopped replica is skipped
            cluster.kill(cluster.primary());

            LocalNode promoted = cluster.promoteMostAdvanced();

            assertThat(promoted).isSameAs(ahead);
            assertThat(cluster.primary()).isSameAs(ahead);
            try (Connection c = cluster.appConnection(ahead)) {
                assertThat(Sql.queryLong(c, "SELECT COUNT(*) FROM t")).isEqualTo(1);
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
            try (Connection c = cluster.appConnection(behind)) {
                assertThat(Sql.queryLong(c, "SELECT COUNT(*) FROM t")).as("the other replica follows and catches up")
                        .isEqualTo(1);
            }
        }
    }
}
