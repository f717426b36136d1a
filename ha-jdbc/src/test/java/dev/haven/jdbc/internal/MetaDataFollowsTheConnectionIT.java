package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.haven.jdbc.HaDataSource;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalClusterExtension;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection's {@link DatabaseMetaData}, kept across statements as Flyway keeps it for a whole migration, runs on
 * the connection's physical connection of the moment. Found by the Spring Boot sample: in auto-commit mode the
 * physical connection goes back to its pool after each statement, the pool closed it when a slow probe made the
 * primary {@code SUSPECT}, and Flyway's next metadata query failed with "Connection is closed".
 */
class MetaDataFollowsTheConnectionIT {

    @RegisterExtension
    static final LocalClusterExtension CLUSTER =
            new LocalClusterExtension(LocalCluster.builder().replicas(1).semiSync(false));

    @Test
    void metadataKeptAcrossStatementsSurvivesThePoolClosingTheConnectionItFirstUsed() throws Exception {
        LocalCluster cluster = CLUSTER.cluster();
        try (Statement s = cluster.appConnection(cluster.primary()).createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS meta_follows (id INT PRIMARY KEY)");
            s.getConnection().close();
        }
        try (HaDataSource ds = HaDataSource.builder().url("jdbc:ha:mariadb://" + cluster.hostList() + "/app")
                .user(cluster.appUser()).password(cluster.appPassword()).build();
             Connection c = ds.getConnection()) {
            DatabaseMetaData meta = c.getMetaData();
            assertThat(tableExists(meta)).isTrue();
            Connection firstVendorConnection = meta.unwrap(org.mariadb.jdbc.DatabaseMetaData.class).getConnection();

            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            } // auto-commit: the physical connection is back in its pool

            // what the pool does to a SUSPECT node's idle connections: evicts them, and closes them
            for (HikariDataSource pool : c.unwrap(HaConnection.class).ctx.pools.pools().values()) {
                pool.getHikariPoolMXBean().softEvictConnections();
            }
            firstVendorConnection.close();

            assertThat(tableExists(meta)).as("metadata on the connection's new physical connection").isTrue();
            assertThat(meta.getConnection()).isSameAs(c);
            assertThat(meta.unwrap(org.mariadb.jdbc.DatabaseMetaData.class).getConnection())
                    .isNotSameAs(firstVendorConnection);
        }
    }

    private static boolean tableExists(DatabaseMetaData meta) throws Exception {
        try (ResultSet tables = meta.getTables("app", null, "meta_follows", new String[] {"TABLE"})) {
            return tables.next();
        }
    }
}
