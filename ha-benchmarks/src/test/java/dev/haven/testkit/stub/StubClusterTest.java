package dev.haven.testkit.stub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.haven.core.HavenCluster;
import dev.haven.core.HavenConfig;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.NodeConnector;
import dev.haven.core.Role;
import dev.haven.core.Topology;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The stub driver answers Haven's monitor as a healthy cluster would, and behaves as a pool expects. */
class StubClusterTest {

    private final StubDriver driver = new StubDriver();

    @Test
    void havensMonitorSeesOnePrimaryAndTwoReadableReplicas() {
        HavenConfig config = HavenConfig.builder().seeds(StubCluster.PRIMARY).build();
        NodeConnector connector = (node, connectTimeout, socketTimeout) ->
                driver.connect("jdbc:mariadb://" + node + "/bench?connectTimeout=" + connectTimeout.toMillis(),
                        new Properties());
        try (HavenCluster cluster = HavenCluster.start(config, connector)) {
            // one seed is enough: the primary lists its replicas, which are probed next
            long deadline = System.nanoTime() + 10_000_000_000L;
            Topology topology = cluster.topology();
            while (topology.readReplicas().size() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                topology = cluster.topology();
            }
            assertThat(topology.primary().address()).hasToString(StubCluster.PRIMARY);
            assertThat(topology.primary().health()).isEqualTo(Health.UP);
            List<String> replicas = new ArrayList<>();
            for (Node replica : topology.readReplicas()) {
                assertThat(replica.role()).isEqualTo(Role.REPLICA);
                assertThat(replica.lagMillis()).isZero();
                replicas.add(replica.address().toString());
            }
            assertThat(replicas).containsExactlyInAnyOrder(StubCluster.REPLICA_1, StubCluster.REPLICA_2);
        }
    }

    @Test
    void monitorQueriesGetTheirRowsAndOtherQueriesTheServerId() throws SQLException {
        try (Connection c = driver.connect("jdbc:stub://stub2:2/bench", null); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(StubCluster.BASE_STATE)) {
                ResultSetMetaData meta = rs.getMetaData();
                assertThat(meta.getColumnCount()).isEqualTo(3);
                assertThat(meta.getColumnLabel(2)).isEqualTo("version");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("2");
                assertThat(rs.getString("read_only")).isEqualTo("1");
                assertThat(rs.next()).isFalse();
            }
            try (ResultSet rs = s.executeQuery(StubCluster.SLAVE_STATUS)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("Master_Host")).isEqualTo("stub1");
                assertThat(rs.getInt("Master_Port")).isEqualTo(1);
                assertThat(rs.getString("Slave_SQL_Running")).isEqualTo("Yes");
            }
            try (ResultSet rs = s.executeQuery(StubCluster.SLAVE_HOSTS)) {
                assertThat(rs.next()).isFalse();
            }
            try (PreparedStatement p = c.prepareStatement("SELECT anything"); ResultSet rs = p.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(2);
                assertThat(rs.wasNull()).isFalse();
            }
        }
    }

    @Test
    void connectionsKeepSessionStateAndCountThemselves() throws SQLException {
        StubNode node = StubCluster.node(StubCluster.REPLICA_2);
        int before = node.openConnections();
        Connection c = driver.connect("jdbc:mariadb://stub3:3/app?connectTimeout=500", new Properties());
        assertThat(node.openConnections()).isEqualTo(before + 1);
        assertThat(c.getAutoCommit()).isTrue();
        assertThat(c.isReadOnly()).isFalse();
        assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_REPEATABLE_READ);
        assertThat(c.getCatalog()).isEqualTo("app");
        c.setAutoCommit(false);
        c.setReadOnly(true);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        c.setNetworkTimeout(Runnable::run, 1000);
        assertThat(c.getAutoCommit()).isFalse();
        assertThat(c.isReadOnly()).isTrue();
        assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
        assertThat(c.getNetworkTimeout()).isEqualTo(1000);
        assertThat(c.isValid(1)).isTrue();
        assertThatThrownBy(c::setSavepoint).isInstanceOf(SQLFeatureNotSupportedException.class);
        c.abort(Runnable::run);
        assertThat(c.isClosed()).isTrue();
        assertThat(c.isValid(1)).isFalse();
        assertThatThrownBy(c::createStatement).isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08003");
        c.close();
        assertThat(node.openConnections()).isEqualTo(before);
    }

    @Test
    void unknownAddressesAreRefusedAndForeignUrlsIgnored() throws SQLException {
        assertThatThrownBy(() -> driver.connect("jdbc:mariadb://db9:3306/app", new Properties()))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");
        assertThat(driver.connect("jdbc:postgresql://stub1:1/app", new Properties())).isNull();
        assertThat(driver.acceptsURL("jdbc:stub://stub1:1/bench")).isTrue();
    }
}
