package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.haven.core.NodeAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The connector against local sockets, no database: a port nobody listens on, and a listener that accepts TCP but
 * never says a word (what a frozen server looks like to a client).
 */
class VendorNodeConnectorTest {

    private static HaUrl url(Vendor vendor, String query) throws SQLException {
        return HaUrl.parse("jdbc:ha:" + vendor.scheme() + "://127.0.0.1:1/app" + query, new Properties());
    }

    /** A port that was free a moment ago: connecting there is refused. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @ParameterizedTest
    @EnumSource(Vendor.class)
    void aSilentServerFailsTheConnectAfterTheTimeoutsNotBefore(Vendor vendor) throws Exception {
        // The URL asks for no timeout at all: the connector's arguments must win over it.
        VendorNodeConnector connector = VendorNodeConnector.create(
                url(vendor, "?connectTimeout=0&socketTimeout=0&sslMode=DISABLED"), "monitor", "pw");
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            NodeAddress node = NodeAddress.of("127.0.0.1", silent.getLocalPort());

            long start = System.nanoTime();
            SQLException e = catchThrowableOfType(SQLException.class,
                    () -> connector.connect(node, Duration.ofMillis(700), Duration.ofMillis(700)));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            assertThat((Throwable) e).isNotNull();
            assertThat(e.getMessage()).contains(node.toString(), "connectTimeout=700ms", "socketTimeout=700ms");
            assertThat(e.getSQLState()).startsWith("08");
            assertThat(elapsedMs).isGreaterThanOrEqualTo(700).isLessThan(10_000);
        }
    }

    @ParameterizedTest
    @EnumSource(Vendor.class)
    void aRefusedConnectionKeepsTheVendorsSqlStateAndNamesTheNode(Vendor vendor) throws Exception {
        VendorNodeConnector connector = VendorNodeConnector.create(url(vendor, "?sslMode=DISABLED"), "monitor", "pw");
        NodeAddress node = NodeAddress.of("127.0.0.1", closedPort());

        SQLException e = catchThrowableOfType(SQLException.class,
                () -> connector.connect(node, Duration.ofSeconds(2), Duration.ofSeconds(2)));

        assertThat(e.getMessage()).startsWith("cannot connect to " + node + " with " + vendor.displayName());
        assertThat(e.getCause()).isInstanceOf(SQLException.class);
        assertThat(e.getSQLState()).isEqualTo(((SQLException) e.getCause()).getSQLState()).startsWith("08");
        assertThat(e.getErrorCode()).isEqualTo(((SQLException) e.getCause()).getErrorCode());
        for (Class<?> kind : List.of(SQLTimeoutException.class, SQLTransientConnectionException.class,
                SQLNonTransientConnectionException.class, SQLRecoverableException.class)) {
            assertThat(kind.isInstance(e)).as("%s is a %s", e.getCause(), kind).isEqualTo(kind.isInstance(e.getCause()));
        }
    }

    @ParameterizedTest
    @EnumSource(Vendor.class)
    void aMissingVendorDriverSaysWhichDependencyToAdd(Vendor vendor) throws SQLException {
        // the platform class loader sees java.sql but no vendor driver
        ClassLoader withoutDrivers = ClassLoader.getPlatformClassLoader();
        HaUrl url = url(vendor, "");

        assertThatThrownBy(() -> VendorNodeConnector.create(url, "u", "p", withoutDrivers))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining(vendor.driverClass())
                .hasMessageContaining("is not on the class path")
                .hasMessageContaining("add the dependency " + vendor.artifact())
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
    }

    @Test
    void aNullClassLoaderIsSkippedForTheNext() throws SQLException {
        VendorNodeConnector connector = VendorNodeConnector.create(url(Vendor.MARIADB, ""), "u", "p", null,
                VendorNodeConnector.class.getClassLoader());

        assertThat(connector.vendor()).isEqualTo(Vendor.MARIADB);
    }

    @Test
    void zeroOrNegativeTimeoutsAreRefusedBecauseVendorsReadZeroAsForever() throws SQLException {
        VendorNodeConnector connector = VendorNodeConnector.create(url(Vendor.MYSQL, ""), "u", "p");
        NodeAddress node = NodeAddress.of("127.0.0.1", 1);

        assertThatThrownBy(() -> connector.connect(node, Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout must be positive");
        assertThatThrownBy(() -> connector.connect(node, Duration.ofSeconds(1), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("socketTimeout must be positive");
    }

    @Test
    void forMonitoringPrefersTheAdminUser() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "app");
        props.setProperty("password", "app-pw");
        HaUrl withAdmin = HaUrl.parse("jdbc:ha:mysql://h?ha.admin.user=monitor&ha.admin.password=mon-pw", props);
        HaUrl withoutAdmin = HaUrl.parse("jdbc:ha:mysql://h", props);

        assertThat(VendorNodeConnector.forMonitoring(withAdmin).toString()).contains("user=****");
        assertThat(VendorNodeConnector.forMonitoring(withAdmin).loginUser()).isEqualTo("monitor");
        assertThat(VendorNodeConnector.forMonitoring(withoutAdmin).loginUser()).isEqualTo("app");
    }
}
