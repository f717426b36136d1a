package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.haven.core.NodeAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * No password given to Haven, in the URL or in the properties, as the application's or the admin's, appears in any
 * {@code toString()} or exception message of this package, nor anywhere in an exception's printed stack trace
 * (which includes the vendor's causes).
 */
class NoPasswordLeaksTest {

    /** Distinctive, and made of characters that survive a URL unescaped. */
    private static final String PASSWORD = "Zq8-leak-canary-31337";
    private static final String ENCODED = "Zq8%2Dleak%2Dcanary%2D31337";

    private final List<String> printed = new ArrayList<>();

    private static Properties credentials() {
        Properties p = new Properties();
        p.setProperty("user", "app");
        p.setProperty("password", PASSWORD);
        p.setProperty("ha.admin.user", "admin");
        p.setProperty("ha.admin.password", PASSWORD);
        p.setProperty("sslKeyStorePassword", PASSWORD);
        return p;
    }

    private void record(Object o) {
        printed.add(String.valueOf(o));
    }

    private void record(Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        printed.add(trace.toString());
        for (Throwable t = e; t != null; t = t.getCause()) {
            printed.add(String.valueOf(t.getMessage()));
            printed.add(t.toString());
        }
    }

    private void parseExpectingFailure(String url, Properties props) {
        try {
            HaUrl.parse(url, props);
            fail("parsed " + url.replace(PASSWORD, "<canary>"));
        } catch (SQLException e) {
            record(e);
        }
    }

    @Test
    void noPasswordInAnyToStringOrMessage() throws Exception {
        String[] good = {
            "jdbc:ha:mysql://h1,h2/app?password=" + PASSWORD,
            "jdbc:ha:mariadb://h1/app?password=" + ENCODED + "&trustStorePassword=" + PASSWORD,
            "jdbc:ha:mysql://h1/app?ha.admin.user=root&ha.admin.password=" + PASSWORD,
        };
        for (String u : good) {
            HaUrl url = HaUrl.parse(u, credentials());
            record(url);
            record(url.config());
            record(url.vendorProperties());
            record(url.vendorParameters());
            for (NodeAddress node : url.hosts()) {
                record(url.vendorUrl(node));
            }
            VendorNodeConnector connector = VendorNodeConnector.forMonitoring(url);
            record(connector);
            record(VendorNodeConnector.create(url, "monitor", PASSWORD));
        }

        String[] bad = {
            "jdbc:ha:?password=" + PASSWORD,
            "jdbc:ha:mysql?password=" + PASSWORD,
            "jdbc:ha:postgresql://h/db?password=" + PASSWORD,
            "jdbc:ha:mysql:h/db?password=" + PASSWORD,
            "jdbc:ha:mysql://app:" + PASSWORD + "@h1/db",
            "jdbc:ha:mysql://h1/db?password=" + PASSWORD + "%",
            "jdbc:ha:mysql://h1/db?password=" + PASSWORD + "%zz",
            "jdbc:ha:mysql://h1/db?password=" + PASSWORD + "%C3%28",
            "jdbc:ha:mysql://h1/db?password=" + PASSWORD + "&password=" + PASSWORD,
            "jdbc:ha:mysql://h1/db?ha.admin.password=" + PASSWORD + "%",
            "jdbc:ha:mysql://h1/db?ha.admin.password=" + PASSWORD + "&ha.admin.password=" + PASSWORD,
            "jdbc:ha:mysql://h1/db?password=" + PASSWORD + "#",
            "jdbc:ha:mysql://h1:0/db?password=" + PASSWORD,
            "jdbc:ha:mysql://h1/db?password=" + PASSWORD + "&ha.nonsense=1",
            "jdbc:ha:mysql://h1/db?password=" + PASSWORD + "&ha.probeInterval=forever",
        };
        for (String u : bad) {
            parseExpectingFailure(u, credentials());
        }
        Properties onlyAdminPassword = new Properties();
        onlyAdminPassword.setProperty("ha.admin.password", PASSWORD);
        parseExpectingFailure("jdbc:ha:mysql://h1/db", onlyAdminPassword);

        // the vendor's own failures, wrapped by the connector
        HaUrl url = HaUrl.parse("jdbc:ha:mysql://h1/app?sslMode=DISABLED", credentials());
        for (Vendor vendor : Vendor.values()) {
            HaUrl vendorUrl = HaUrl.parse("jdbc:ha:" + vendor.scheme() + "://h1/app?sslMode=DISABLED", credentials());
            VendorNodeConnector connector = VendorNodeConnector.forMonitoring(vendorUrl);
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            try {
                connector.connect(NodeAddress.of("127.0.0.1", port), Duration.ofSeconds(1), Duration.ofSeconds(1));
                fail("connected to a closed port");
            } catch (SQLException e) {
                record(e);
            }
            try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                connector.connect(NodeAddress.of("127.0.0.1", silent.getLocalPort()), Duration.ofMillis(200),
                        Duration.ofMillis(200));
                fail("connected to a silent port");
            } catch (SQLException e) {
                record(e);
            }
            try {
                VendorNodeConnector.create(vendorUrl, "u", PASSWORD, ClassLoader.getPlatformClassLoader());
                fail("found a driver without a class path");
            } catch (SQLException e) {
                record(e);
            }
        }
        record(url);

        assertThat(printed).hasSizeGreaterThan(40);
        for (String text : printed) {
            assertThat(text).doesNotContain(PASSWORD, ENCODED);
        }
    }
}
