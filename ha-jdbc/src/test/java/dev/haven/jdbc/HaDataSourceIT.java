package dev.haven.jdbc;

import java.sql.SQLException;

/** The routing contract through {@link HaDataSource}. */
class HaDataSourceIT extends RoutingContractTests {

    @Override
    RoutedDataSource create(String vendor, String haSettings) throws SQLException {
        HaDataSource ds = HaDataSource.builder().url(url(vendor, haSettings))
                .user(cluster.appUser()).password(cluster.appPassword())
                .poolProperty("maximumPoolSize", "8")
                .build();
        return new Routed(ds);
    }

    private static final class Routed extends DelegatingDataSource implements RoutedDataSource {
        private final HaDataSource ds;

        Routed(HaDataSource ds) {
            super(ds);
            this.ds = ds;
        }

        @Override
        public dev.haven.core.HavenCluster cluster() throws SQLException {
            return ds.cluster();
        }

        @Override
        public void close() {
            ds.close();
        }
    }
}
