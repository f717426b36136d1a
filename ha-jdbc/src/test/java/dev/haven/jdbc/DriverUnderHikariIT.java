package dev.haven.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.haven.jdbc.internal.HaConnection;
import java.sql.Connection;
import java.sql.SQLException;

/** The routing contract through {@code jdbc:ha:} URLs under a HikariCP pool (driver mode). */
class DriverUnderHikariIT extends RoutingContractTests {

    @Override
    RoutedDataSource create(String vendor, String haSettings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url(vendor, haSettings));
        config.setUsername(cluster.appUser());
        config.setPassword(cluster.appPassword());
        config.setMaximumPoolSize(8);
        return new Routed(new HikariDataSource(config));
    }

    private static final class Routed extends DelegatingDataSource implements RoutedDataSource {
        private final HikariDataSource ds;

        Routed(HikariDataSource ds) {
            super(ds);
            this.ds = ds;
        }

        @Override
        public dev.haven.core.HavenCluster cluster() throws SQLException {
            try (Connection c = ds.getConnection()) {
                return c.unwrap(HaConnection.class).cluster();
            }
        }

        @Override
        public void close() {
            ds.close();
        }
    }
}
