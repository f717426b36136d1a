package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A replica frozen (SIGSTOP) while the pool holds idle connections to it: the next reads validate those
 * connections, and each validation waits for an answer that never comes. With {@code socketTimeout=2000} a read
 * used to take up to 5 s (HikariCP's default validationTimeout); the node pools now bound validation by the
 * connect and socket timeouts, so no read takes much more than the socket timeout.
 */
class FrozenReplicaReadIT {

    static final int SOCKET_TIMEOUT_MS = 2000;

    @Test
    void readsAroundAFreshlyFrozenReplicaAreBoundedByTheSocketTimeout() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            String url = ExternalPromotionIT.url(cluster, "mariadb", "socketTimeout=" + SOCKET_TIMEOUT_MS);
            try (HaDataSource ds = HaDataSource.builder().url(url).user(cluster.appUser())
                    .password(cluster.appPassword()).poolProperty("minimumIdle", "4").build()) {
                for (int i = 0; i < 40; i++) {
                    read(ds);
                }
                Thread.sleep(1500); // idle longer than HikariCP's 500 ms bypass window: the next borrow validates
                LocalNode frozen = cluster.replica(0);
                long worst = 0;
                int failed = 0;
                cluster.freeze(frozen);
                try {
                    long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
                    while (System.nanoTime() < end) {
                        long start = System.nanoTime();
                        try {
                            read(ds);
                        } catch (SQLException e) {
                            failed++;
                        }
                        worst = Math.max(worst, System.nanoTime() - start);
                    }
                } finally {
                    cluster.thaw(frozen);
                }
                System.out.printf("FrozenReplicaReadIT: slowest read %d ms (socketTimeout %d ms), %d failed%n",
                        worst / 1_000_000, SOCKET_TIMEOUT_MS, failed);
                assertThat(Duration.ofNanos(worst)).as("the slowest read")
                        .isLessThan(Duration.ofMillis(SOCKET_TIMEOUT_MS + 1500));
            }
        }
    }

    private static void read(HaDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            ExternalPromotionIT.serverId(c);
        }
    }
}
