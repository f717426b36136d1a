package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What one idle {@link HaDataSource} costs each server: statements per probe, from the servers' own
 * {@code Questions} counter (every statement a client sent, each statement of a multi-statement counted), over
 * 10 s of probes every 250 ms (40 probes: at the default interval of 1 s, statements per probe are statements per
 * second), on each server the build runs it on (MariaDB and MySQL 8.0: one statement per steady probe on both, see
 * {@code MariaDbLightProbe} and {@code MySqlLightProbe}).
 */
class ProbeCostIT {

    static final int SECONDS = 10;
    static final int PROBES_PER_SECOND = 4;

    @Test
    void anIdleDataSourceSendsAboutOneStatementPerSecondToEachNode() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            String url = ExternalPromotionIT.url(cluster, cluster.server().isMySql() ? "mysql" : "mariadb",
                    "ha.routing=auto&ha.probeInterval=250ms");
            try (HaDataSource ds = HaDataSource.builder().url(url).user(cluster.appUser())
                    .password(cluster.appPassword()).build()) {
                Thread.sleep(1500); // discovery settled, connections open
                List<Connection> counters = new ArrayList<>();
                long[] before = new long[cluster.nodes().size()];
                try {
                    for (LocalNode node : cluster.nodes()) {
                        counters.add(cluster.adminConnection(node));
                    }
                    for (int i = 0; i < before.length; i++) {
                        before[i] = questions(counters.get(i));
                    }
                    Thread.sleep(SECONDS * 1000L);
                    double total = 0;
                    double[] rates = new double[before.length];
                    StringBuilder perNode = new StringBuilder();
                    for (int i = 0; i < before.length; i++) {
                        // minus the counting statement itself
                        double rate = (questions(counters.get(i)) - before[i] - 1)
                                / (double) (SECONDS * PROBES_PER_SECOND); // per probe
                        total += rate;
                        perNode.append(String.format(java.util.Locale.ROOT, " %s=%.2f",
                                cluster.nodes().get(i).name(), rate));
                        rates[i] = rate;
                    }
                    System.out.printf(java.util.Locale.ROOT, "ProbeCostIT: one idle data source, %.2f statements"
                            + " per probe per node on average (per second at the default 1 s interval);%s%n",
                            total / before.length, perNode);
                    // One statement per probe and node in a steady state; a little headroom for a reconnect or a
                    // replica's periodic full probe (3 to 4 more statements every 60 probes: at most one in 40).
                    assertThat(total / before.length).as("statements per probe per node").isLessThanOrEqualTo(1.1);
                    for (int i = 0; i < rates.length; i++) {
                        assertThat(rates[i]).as("statements per probe on %s", cluster.nodes().get(i).name())
                                .isLessThanOrEqualTo(1.15);
                    }
                } finally {
                    for (Connection c : counters) {
                        c.close();
                    }
                }
            }
        }
    }

    private static long questions(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Questions'")) {
            rs.next();
            return rs.getLong(2);
        }
    }
}
