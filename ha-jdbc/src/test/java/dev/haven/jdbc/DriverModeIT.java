package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalClusterExtension;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The {@code jdbc:ha:} driver under a HikariCP pool, as any framework would use it. */
class DriverModeIT {

    @RegisterExtension
    static final LocalClusterExtension CLUSTER = new LocalClusterExtension();

    static String url(LocalCluster cluster) {
        return "jdbc:ha:mariadb://" + cluster.hostList() + "/app?ha.probeInterval=200ms&ha.suspectAfter=400ms"
                + "&ha.deadAfter=1500ms&ha.connectTimeout=500ms&ha.probeTimeout=500ms&ha.initialGrace=500ms";
    }

    static long serverId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@server_id")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static List<String> probeThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("haven-probe-")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    @Test
    void theDriverIsFoundByUrlAndDescribesItsSettings() throws SQLException {
        Driver driver = DriverManager.getDriver("jdbc:ha:mysql://db1/app");
        assertThat(driver).isInstanceOf(HaDriver.class);
        assertThat(driver.acceptsURL("jdbc:mysql://db1/app")).isFalse();
        DriverPropertyInfo[] info = driver.getPropertyInfo("jdbc:ha:mysql://db1/app", new Properties());
        assertThat(info).extracting(p -> p.name).contains("ha.maxReplicaLag", "ha.failover", "ha.readStrategy");
        for (DriverPropertyInfo p : info) {
            assertThat(p.description).as(p.name).isNotBlank();
        }
    }

    @Test
    void aHikariPoolOfHavenConnectionsRoutesAndSharesOneMonitor() throws Exception {
        LocalCluster cluster = CLUSTER.cluster();
        awaitNoContext(); // another test's context may still be lingering
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url(cluster));
        config.setUsername(cluster.appUser());
        config.setPassword(cluster.appPassword());
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(4);
        try (HikariDataSource hikari = new HikariDataSource(config)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (hikari.getHikariPoolMXBean().getTotalConnections() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(hikari.getHikariPoolMXBean().getTotalConnections()).isEqualTo(4);
            assertThat(HaDriver.openContexts()).as("one cluster context for the whole pool").isEqualTo(1);
            assertThat(probeThreads()).as("one prober per node, not per connection").hasSize(3);

            try (Connection c = hikari.getConnection()) {
                assertThat(serverId(c)).isEqualTo(cluster.primary().serverId());
            }
            try (Connection c = hikari.getConnection()) {
                c.setReadOnly(true);
                assertThat(serverId(c)).isNotEqualTo(cluster.primary().serverId());
            }
        }
        // The last connection closed: the context goes after its linger time, threads with it.
        awaitNoContext();
        assertThat(HaDriver.openContexts()).isZero();
        assertThat(probeThreads()).isEmpty();
    }

    private static void awaitNoContext() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HaDriver.LINGER_SECONDS + 10);
        while ((HaDriver.openContexts() > 0 || !probeThreads().isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    @Test
    void noPasswordReachesAnyLogLineEvenWhenThingsFail() throws Exception {
        LocalCluster cluster = CLUSTER.cluster();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level level = root.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        root.setLevel(ch.qos.logback.classic.Level.DEBUG);
        try {
            Properties props = new Properties();
            props.setProperty("user", cluster.appUser());
            props.setProperty("password", cluster.appPassword());
            try (Connection c = DriverManager.getConnection(url(cluster), props)) {
                c.setReadOnly(true);
                serverId(c);
                cluster.kill(cluster.replica(0));
                for (int i = 0; i < 20; i++) {
                    serverId(c);
                }
            }
            Properties wrong = new Properties();
            wrong.setProperty("user", cluster.appUser());
            wrong.setProperty("password", cluster.appPassword() + "-wrong");
            try (Connection c = DriverManager.getConnection(url(cluster) + "&ha.failover.timeout=1s", wrong)) {
                serverId(c);
            } catch (SQLException expected) {
                assertThat(expected.getMessage()).doesNotContain(cluster.appPassword());
            }
        } finally {
            root.detachAppender(captured);
            root.setLevel(level);
        }
        // a prober thread may still be appending (AppenderBase.doAppend holds the appender's lock): copy under it
        List<ILoggingEvent> events;
        synchronized (captured) {
            events = new ArrayList<>(captured.list);
        }
        assertThat(events).isNotEmpty();
        for (ILoggingEvent event : events) {
            String text = event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
            assertThat(text).as("log line from %s", event.getLoggerName())
                    .doesNotContain(cluster.appPassword())
                    .doesNotContain(cluster.adminPassword());
        }
    }
}
