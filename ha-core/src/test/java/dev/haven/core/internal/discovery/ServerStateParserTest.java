package dev.haven.core.internal.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.NodeAddress;
import dev.haven.core.Role;
import dev.haven.core.ServerState;
import dev.haven.core.ServerState.IoState;
import dev.haven.core.ServerState.Peer;
import dev.haven.core.ServerState.Replication;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing of rows recorded from the documented layouts of MariaDB 11.4, MySQL 5.7, 8.0.22+ and 8.4. */
class ServerStateParserTest {

    private static Map<String, String> row(String... keysAndValues) {
        Map<String, String> row = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

    @Test
    void mariadbSlaveStatus() {
        Replication r = ServerStateParser.replication(row(
                "Slave_IO_State", "Waiting for master to send event",
                "Master_Host", "10.0.0.1", "Master_User", "repl", "Master_Port", "3306",
                "Slave_IO_Running", "Yes", "Slave_SQL_Running", "Yes",
                "Last_IO_Error", "", "Last_SQL_Error", "",
                "Seconds_Behind_Master", "2", "Master_Server_Id", "1",
                "Using_Gtid", "Slave_Pos", "Gtid_IO_Pos", "0-1-42",
                "Slave_received_heartbeats", "17", "Slave_heartbeat_period", "1.000",
                "Gtid_Slave_Pos", "0-1-40"));
        assertThat(r.sourceHost()).isEqualTo("10.0.0.1");
        assertThat(r.sourcePort()).isEqualTo(3306);
        assertThat(r.sourceServerId()).isEqualTo(1);
        assertThat(r.ioState()).isEqualTo(IoState.RUNNING);
        assertThat(r.sqlRunning()).isTrue();
        assertThat(r.secondsBehind()).isEqualTo(2);
        assertThat(r.receivedGtid()).isEqualTo("0-1-42");
        assertThat(r.heartbeatsReceived()).isEqualTo(17);
        assertThat(r.sourceSilenceMillis()).isEqualTo(-1);
        assertThat(r.heartbeatPeriodMillis()).isEqualTo(1000);
        assertThat(r.lastError()).isEmpty();
        assertThat(r.isReplicating()).isTrue();
    }

    @Test
    void mysql8ReplicaStatusUsesTheNewColumnNames() {
        Replication r = ServerStateParser.replication(row(
                "Replica_IO_State", "Waiting for source to send event",
                "Source_Host", "db1", "Source_Port", "3307", "Source_Server_Id", "11",
                "Replica_IO_Running", "Connecting", "Replica_SQL_Running", "Yes",
                "Seconds_Behind_Source", null,
                "Last_IO_Error", "error reconnecting to source 'repl@db1:3307'", "Last_SQL_Error", "",
                "Retrieved_Gtid_Set", "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5",
                "Executed_Gtid_Set", "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5", "Channel_Name", ""));
        assertThat(r.sourceHost()).isEqualTo("db1");
        assertThat(r.sourcePort()).isEqualTo(3307);
        assertThat(r.sourceServerId()).isEqualTo(11);
        assertThat(r.ioState()).isEqualTo(IoState.CONNECTING);
        assertThat(r.secondsBehind()).as("NULL lag is unknown, never 0").isEqualTo(-1);
        assertThat(r.receivedGtid()).isEqualTo("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5");
        assertThat(r.lastError()).contains("error reconnecting");
        assertThat(r.isReplicating()).isFalse();
    }

    @Test
    void mysql57SlaveStatusWithAStoppedSqlThread() {
        Replication r = ServerStateParser.replication(row(
                "Master_Host", "db1", "Master_Port", "3306", "Slave_IO_Running", "Yes", "Slave_SQL_Running", "No",
                "Seconds_Behind_Master", null, "Last_SQL_Error", "Error 'Duplicate entry' on query",
                "Retrieved_Gtid_Set", "", "Master_Server_Id", "1"));
        assertThat(r.sqlRunning()).isFalse();
        assertThat(r.secondsBehind()).isEqualTo(-1);
        assertThat(r.isReplicating()).isFalse();
        assertThat(r.lastError()).isEqualTo("Error 'Duplicate entry' on query");
    }

    @Test
    void noRowOrAnEmptyHostMeansNoReplication() {
        assertThat(ServerStateParser.replication(null)).isNull();
        assertThat(ServerStateParser.replication(row("Master_Host", "", "Slave_IO_Running", "No"))).isNull();
    }

    @Test
    void theDefaultChannelIsChosenAmongSeveral() {
        Map<String, String> other = row("Channel_Name", "analytics", "Source_Host", "x");
        Map<String, String> main = row("Channel_Name", "", "Source_Host", "db1");
        assertThat(ServerStateParser.defaultChannel(List.of(other, main))).isSameAs(main);
        assertThat(ServerStateParser.defaultChannel(List.of(other))).isSameAs(other);
        assertThat(ServerStateParser.defaultChannel(List.of())).isNull();
    }

    @ParameterizedTest
    @CsvSource({"Yes,RUNNING", "yes,RUNNING", "Connecting,CONNECTING", "Preparing,CONNECTING", "No,STOPPED",
            "'',STOPPED"})
    void ioThreadStates(String value, IoState expected) {
        assertThat(ServerStateParser.ioState(value)).isEqualTo(expected);
    }

    @Test
    void mysqlHeartbeatsComeFromPerformanceSchema() {
        Replication base = ServerStateParser.replication(row("Source_Host", "db1", "Source_Port", "3306",
                "Replica_IO_Running", "Yes", "Replica_SQL_Running", "Yes", "Seconds_Behind_Source", "0"));
        Replication r = ServerStateParser.withMysqlHeartbeat(base, row("SERVICE_STATE", "CONNECTING",
                "COUNT_RECEIVED_HEARTBEATS", "120", "SILENCE_MICROS", "4500000", "HEARTBEAT_INTERVAL", "2.500"));
        assertThat(r.heartbeatsReceived()).isEqualTo(120);
        assertThat(r.heartbeatPeriodMillis()).isEqualTo(2500);
        assertThat(r.sourceSilenceMillis()).isEqualTo(4500);
        assertThat(r.ioState()).isEqualTo(IoState.CONNECTING);
    }

    @Test
    void replicaHostsWithoutAReportedAddressAreSkipped() {
        List<Peer> peers = ServerStateParser.replicaHosts(List.of(
                row("Server_id", "2", "Host", "db2", "Port", "3306", "Master_id", "1"),
                row("Server_id", "3", "Host", "", "Port", "3306", "Master_id", "1"),
                row("Server_Id", "4", "Host", "[::1]", "Port", "0", "Source_Id", "1"),
                row("Server_Id", "5", "Host", "db5", "Port", "3310", "Source_Id", "1", "Replica_UUID", "x")));
        assertThat(peers).containsExactly(
                new Peer(NodeAddress.of("db2", 3306), 2, Role.REPLICA, true),
                new Peer(NodeAddress.of("db5", 3310), 5, Role.REPLICA, true));
    }

    @Test
    void rolesInReplication() {
        Replication link = ServerStateParser.replication(row("Master_Host", "db1", "Slave_IO_Running", "Yes",
                "Slave_SQL_Running", "Yes"));
        Replication notApplying = ServerStateParser.replication(row("Master_Host", "db1", "Slave_IO_Running", "Yes",
                "Slave_SQL_Running", "No"));
        assertThat(ServerStateParser.replicationRole(false, notApplying)).as("being promoted").isEqualTo(Role.PRIMARY);
        assertThat(ServerStateParser.replicationRole(true, notApplying)).as("stopped replica").isEqualTo(Role.REPLICA);
        assertThat(ServerStateParser.replicationRole(true, link)).isEqualTo(Role.REPLICA);
        assertThat(ServerStateParser.replicationRole(false, link)).as("writable but replicating").isEqualTo(Role.REPLICA);
        assertThat(ServerStateParser.replicationRole(false, null)).isEqualTo(Role.PRIMARY);
        assertThat(ServerStateParser.replicationRole(true, null)).as("fenced or standby").isEqualTo(Role.UNKNOWN);
    }

    @Test
    void flavorFromVersion() {
        assertThat(ServerStateParser.flavor("11.4.5-MariaDB-log")).isEqualTo(ServerState.Flavor.MARIADB);
        assertThat(ServerStateParser.flavor("8.4.3")).isEqualTo(ServerState.Flavor.MYSQL);
    }

    @ParameterizedTest
    @CsvSource({"8.0.22,true", "8.0.21-log,false", "8.4.3,true", "5.7.44-log,false", "9.1.0,true",
            "8.0.35-commercial,true", "11.4.5-MariaDB,false"})
    void mysqlVersionThresholdForTheNewReplicaStatements(String version, boolean modern) {
        BaseState base = BaseState.of(row("server_id", "1", "version", version, "read_only", "0"));
        assertThat(base.atLeastMysql(8, 0, 22)).isEqualTo(modern);
    }
}
