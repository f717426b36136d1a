package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the RPO guard records after each kind of write commit, checked against the primary's own binary log: the
 * highest GTID the primary wrote is what the data source holds as acknowledged, through Connector/J (from the
 * commit's OK packet) and MariaDB Connector/J (from a query after it). Run on MySQL with
 * {@code -Dhaven.server=mysql-8.0}.
 */
class AcknowledgedWritesIT {

    @ParameterizedTest(name = "[{0} driver]")
    @ValueSource(strings = {"mysql", "mariadb"})
    void everyAcknowledgedCommitIsRecordedAsThePrimaryWroteIt(String vendor) throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(1).semiSync(false).start()) {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
            }
            Properties credentials = new Properties();
            credentials.setProperty("user", cluster.appUser());
            credentials.setProperty("password", cluster.appPassword());
            String url = "jdbc:ha:" + vendor + "://" + cluster.hostList() + "/app?" + cluster.driverParameters(vendor)
                    + "useServerPrepStmts=true&ha.failover=promote&ha.admin.user=" + cluster.adminUser()
                    + "&ha.admin.password=" + cluster.adminPassword();
            try (ClusterContext ctx = ClusterContext.open(HaUrl.parse(url, credentials), new Properties());
                 Connection c = ctx.connect()) {
                assertThat(ctx.gtidsFromOkPacket).isEqualTo(vendor.equals("mysql"));
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO t VALUES (1)"); // auto-commit
                }
                assertThat(ctx.acknowledged.position().toString()).as("after an auto-commit write")
                        .isEqualTo(highestOwn(cluster));

                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO t VALUES (2)");
                    s.executeUpdate("INSERT INTO t VALUES (3)");
                }
                c.commit();
                assertThat(ctx.acknowledged.position().toString()).as("after commit()").isEqualTo(highestOwn(cluster));

                try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?)")) {
                    ps.setLong(1, 4);
                    ps.executeUpdate();
                }
                c.setAutoCommit(true); // commits the transaction (JDBC)
                assertThat(ctx.acknowledged.position().toString()).as("after setAutoCommit(true), server-side prepared")
                        .isEqualTo(highestOwn(cluster));

                String before = ctx.acknowledged.position().toString();
                try (Statement s = c.createStatement()) {
                    s.executeQuery("SELECT COUNT(*) FROM t").close();
                }
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO t VALUES (5)");
                }
                c.rollback();
                assertThat(ctx.acknowledged.position().toString()).as("after a read and a rollback").isEqualTo(before);
                assertThat(highestOwn(cluster)).isEqualTo(before);
            }
        }
    }

    /** {@code trackSessionState=false} in the URL: Connector/J then reads no GTID from the OK packet; the query does. */
    @org.junit.jupiter.api.Test
    void withTheDriversTrackingTurnedOffTheGtidIsQueried() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(1).semiSync(false).start()) {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
            }
            Properties credentials = new Properties();
            credentials.setProperty("user", cluster.appUser());
            credentials.setProperty("password", cluster.appPassword());
            String url = "jdbc:ha:mysql://" + cluster.hostList() + "/app?" + cluster.driverParameters("mysql")
                    + "trackSessionState=false&ha.failover=promote&ha.admin.user=" + cluster.adminUser()
                    + "&ha.admin.password=" + cluster.adminPassword();
            try (ClusterContext ctx = ClusterContext.open(HaUrl.parse(url, credentials), new Properties());
                 Connection c = ctx.connect(); Statement s = c.createStatement()) {
                try (Connection raw = ctx.pools.borrow(ctx.cluster.topology().primary().address())) {
                    // The URL's setting wins over the one Haven adds to the driver's properties.
                    assertThat(raw.unwrap(com.mysql.cj.MysqlConnection.class).getSession().getServerSession()
                            .isSessionStateTrackingEnabled()).as("Connector/J tracks the session state").isFalse();
                }
                s.executeUpdate("INSERT INTO t VALUES (1)");
                String acked = ctx.acknowledged.position().toString();
                String own = highestOwn(cluster);
                // MySQL: the query reads gtid_executed (all of it); MariaDB: last_gtid, the commit's own.
                assertThat(dev.haven.core.ReplicationPosition.parse(acked).covers(dev.haven.core.ReplicationPosition
                        .parse(own))).as("%s covers %s", acked, own).isTrue();
            }
        }
    }

    /** The highest GTID the primary wrote itself: {@code uuid:N} on MySQL, {@code D-S-N} on MariaDB. */
    private static String highestOwn(LocalCluster cluster) throws SQLException {
        String own = cluster.ownTransactions(cluster.primary());
        if (!own.contains(":")) {
            return own;
        }
        int colon = own.indexOf(':');
        String last = own.substring(own.lastIndexOf(':') + 1);
        return own.substring(0, colon).toLowerCase(java.util.Locale.ROOT) + ":" + last.substring(last.indexOf('-') + 1);
    }
}
