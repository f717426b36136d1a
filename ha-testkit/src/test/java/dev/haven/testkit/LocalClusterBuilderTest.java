package dev.haven.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to the builder fails at once, saying what is wrong; no server is started. */
class LocalClusterBuilderTest {

    @Test
    void rejectsZeroOrNegativeReplicas() {
        assertThatThrownBy(() -> LocalCluster.builder().replicas(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicas must be at least 1, was 0");
        assertThatThrownBy(() -> LocalCluster.builder().replicas(-3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicas must be at least 1, was -3");
    }

    @Test
    void rejectsAPortInUse() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> LocalCluster.builder().replicas(1).ports(port, ServerProcess.freePort()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("port " + port + " is already in use on 127.0.0.1");
        }
    }

    @Test
    void rejectsAWrongNumberOfPortsOrBadPorts() {
        assertThatThrownBy(() -> LocalCluster.builder().replicas(2).ports(40001))
                .hasMessage("ports needs one port per node (3 for 2 replicas), got 1");
        assertThatThrownBy(() -> LocalCluster.builder().replicas(1).ports(0, 70000))
                .hasMessage("port must be between 1 and 65535, was 0");
        assertThatThrownBy(() -> LocalCluster.builder().replicas(1).ports(40001, 40001))
                .hasMessage("port 40001 is given twice");
    }

    @Test
    void rejectsADataDirectoryThatCannotBeWritten(@TempDir Path tmp) throws IOException {
        Path file = Files.createFile(tmp.resolve("a-file"));
        assertThatThrownBy(() -> LocalCluster.builder().dataDirectory(file.resolve("below-a-file")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataDirectory " + file.resolve("below-a-file") + " cannot be created");
        assertThatThrownBy(() -> LocalCluster.builder().dataDirectory(Path.of("/proc/haven-cannot-write")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataDirectory /proc/haven-cannot-write");
    }

    @Test
    void rejectsBadDurationsAndOptions() {
        assertThatThrownBy(() -> LocalCluster.builder().heartbeatPeriod(Duration.ZERO))
                .hasMessage("heartbeatPeriod must be between 1 ms and 1 h, was PT0S");
        assertThatThrownBy(() -> LocalCluster.builder().semiSyncTimeout(Duration.ofSeconds(-1)))
                .hasMessage("semiSyncTimeout must be positive, was PT-1S");
        assertThatThrownBy(() -> LocalCluster.builder().serverOption("max-connections=5"))
                .hasMessage("server options look like --name=value, was max-connections=5");
    }

    @Test
    void serversAreChosenByIdAndAnUnknownOneIsRefusedNamingTheAllowedOnes() {
        assertThat(ServerFlavor.fromId("mysql-8.0")).isEqualTo(ServerFlavor.MYSQL_8_0);
        assertThat(ServerFlavor.fromId(" MariaDB-10.11 ")).isEqualTo(ServerFlavor.MARIADB_10_11);
        assertThatThrownBy(() -> ServerFlavor.fromId("mysql-5.7"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown server 'mysql-5.7': use one of mariadb-11.4, mariadb-10.11, mysql-8.0");
        assertThatThrownBy(() -> LocalCluster.builder().server(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("server must be one of");
        assertThat(LocalCluster.builder().server()).as("without haven.server").isEqualTo(ServerFlavor.configured());
    }

    @Test
    void semiSyncOnMySqlIsRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> LocalCluster.builder().server(ServerFlavor.MYSQL_8_0).semiSync(true).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("semisync plugin");
    }

    @Test
    void mysqlGtidSetsAreCounted() {
        assertThat(LocalCluster.countTransactions("")).isZero();
        assertThat(LocalCluster.countTransactions("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5")).isEqualTo(5);
        assertThat(LocalCluster.countTransactions("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7,\n"
                + "4e11fa47-71ca-11e1-9e33-c80aa9429562:3")).isEqualTo(7);
    }
}
