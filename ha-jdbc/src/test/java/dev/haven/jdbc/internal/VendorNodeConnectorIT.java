package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.haven.core.NodeAddress;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalClusterExtension;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The connector against a real MariaDB cluster, with both vendor drivers: it reaches every node as the right server,
 * and a hung node (frozen process, or packets dropped) fails the connect within the probe's timeouts even though the
 * URL asks the vendor to wait forever.
 */
class VendorNodeConnectorIT {

    @RegisterExtension
    static final LocalClusterExtension CLUSTER = new LocalClusterExtension(LocalCluster.builder().replicas(1));

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** Generous: the machine has two noisy cores; what matters is that the connect does not hang. */
    private static final long UPPER_BOUND_MS = 10_000;

    private static HaUrl url(Vendor vendor) throws SQLException {
        LocalCluster cluster = CLUSTER.cluster();
        Properties props = new Properties();
        props.setProperty("user", cluster.appUser());
        props.setProperty("password", cluster.appPassword());
        // connectTimeout=0 and socketTimeout=0 mean "no timeout" to both vendors: the connector must override them
        return HaUrl.parse("jdbc:ha:" + vendor.scheme() + "://" + cluster.hostList() + "/" + cluster.database()
                + "?sslMode=DISABLED&allowPublicKeyRetrieval=true&connectTimeout=0&socketTimeout=0", props);
    }

    private static NodeAddress address(LocalNode node) {
        return NodeAddress.of(node.host(), node.port());
    }

    private static long serverId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@server_id")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Vendor.class)
    void connectsToEachNodeAsTheApplicationAndAsTheAdmin(Vendor vendor) throws SQLException {
        LocalCluster cluster = CLUSTER.cluster();
        HaUrl url = url(vendor);
        VendorNodeConnector asApp = VendorNodeConnector.forMonitoring(url);
        VendorNodeConnector asAdmin = VendorNodeConnector.create(url, cluster.adminUser(), cluster.adminPassword());

        for (LocalNode node : cluster.nodes()) {
            for (VendorNodeConnector connector : new VendorNodeConnector[] {asApp, asAdmin}) {
                try (Connection c = connector.connect(address(node), TIMEOUT, TIMEOUT)) {
                    assertThat(c.getClass().getName()).startsWith(vendor == Vendor.MYSQL ? "com.mysql." : "org.mariadb.");
                    assertThat(c.getAutoCommit()).isTrue();
                    assertThat(serverId(c)).isEqualTo(node.serverId());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Vendor.class)
    void aWrongPasswordIsTheVendorsAccessDenied(Vendor vendor) throws SQLException {
        LocalCluster cluster = CLUSTER.cluster();
        VendorNodeConnector connector = VendorNodeConnector.create(url(vendor), cluster.appUser(), "not-the-password");

        SQLException e = catchThrowableOfType(SQLException.class,
                () -> connector.connect(address(cluster.primary()), TIMEOUT, TIMEOUT));

        assertThat(e.getErrorCode()).isEqualTo(1045);
        assertThat(e.getSQLState()).isEqualTo("28000");
        assertThat(e.getMessage()).doesNotContain("not-the-password");
    }

    @ParameterizedTest
    @EnumSource(Vendor.class)
    void aFrozenNodeFailsTheConnectWithinTheTimeouts(Vendor vendor) throws SQLException {
        LocalCluster cluster = CLUSTER.cluster();
        assertHangFailsInTime(vendor, cluster::freeze, cluster::thaw);
    }

    @ParameterizedTest
    @EnumSource(Vendor.class)
    void aPartitionedNodeFailsTheConnectWithinTheTimeouts(Vendor vendor) throws SQLException {
        LocalCluster cluster = CLUSTER.cluster();
        assertHangFailsInTime(vendor, cluster::partition, cluster::heal);
    }

    private static void assertHangFailsInTime(Vendor vendor, Consumer<LocalNode> fault, Consumer<LocalNode> undo)
            throws SQLException {
        LocalCluster cluster = CLUSTER.cluster();
        LocalNode replica = cluster.replica(0);
        VendorNodeConnector connector = VendorNodeConnector.forMonitoring(url(vendor));
        try (Connection warm = connector.connect(address(replica), TIMEOUT, TIMEOUT)) {
            // the node answers before the fault, so what follows is the fault's doing; this also loads the driver
            assertThat(serverId(warm)).isEqualTo(replica.serverId());
        }

        fault.accept(replica);
        try {
            long start = System.nanoTime();
            SQLException e = catchThrowableOfType(SQLException.class,
                    () -> connector.connect(address(replica), TIMEOUT, TIMEOUT).close());
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            assertThat((Throwable) e).as("connect to a hung node").isNotNull();
            assertThat(e.getMessage()).contains(address(replica).toString());
            assertThat(e.getSQLState()).startsWith("08");
            assertThat(elapsedMs).as("ms until the connect failed").isGreaterThanOrEqualTo(TIMEOUT.toMillis())
                    .isLessThan(UPPER_BOUND_MS);
        } finally {
            undo.accept(replica);
        }
        try (Connection again = connector.connect(address(replica), TIMEOUT, TIMEOUT)) {
            assertThat(serverId(again)).isEqualTo(replica.serverId());
        }
    }
}
