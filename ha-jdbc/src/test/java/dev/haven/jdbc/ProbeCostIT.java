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
 * 8.5 s of probes every 125 ms, on each server the build runs it on. At the default interval of 1 s, statements per
 * probe are statements per second. The window holds more than {@code FULL_EVERY} (60) probes, so a replica's
 * periodic check falls inside it: one statement like any other steady probe (see {@code MariaDbLightProbe} and
 * {@code MySqlLightProbe}). Before, that turn was a full probe of 4 (MariaDB) or 5 (MySQL) statements, 1.05 to 1.07
 * statements per second on average on a replica.
 */
class ProbeCostIT {

    static final long WINDOW_MILLIS = 8_500; // 68 probes: more than FULL_EVERY
    static final long INTERVAL_MILLIS = 125;

    @Test
    void anIdleDataSourceSendsAtMostOneStatementPerProbeToEachNode() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            String url = ExternalPromotionIT.url(cluster, cluster.server().isMySql() ? "mysql" : "mariadb",
                    "ha.routing=auto&ha.probeInterval=" + INTERVAL_MILLIS + "ms");
            try (HaDataSource ds = HaDataSource.builder().url(url).user(cluster.appUser())
                    .password(cluster.appPassword()).build()) {
                // discovery settled: every node known and readable (each prober's connection is open then)
                RoutingContractTests.awaitTopology(ds.cluster(), t -> t.primary() != null
                        && t.readReplicas().size() == cluster.replicas().size(), "every node up");
                List<Connection> counters = new ArrayList<>();
                long[] before = new long[cluster.nodes().size()];
                try {
                    for (LocalNode node : cluster.nodes()) {
                        counters.add(cluster.adminConnection(node));
                    }
                    for (int i = 0; i < before.length; i++) {
                        before[i] = questions(counters.get(i));
                    }
                    long started = System.nanoTime();
                    Thread.sleep(WINDOW_MILLIS);
                    long[] statements = new long[before.length];
                    for (int i = 0; i < before.length; i++) {
                        statements[i] = questions(counters.get(i)) - before[i] - 1; // less the counting statement
                    }
                    // Probes are scheduled a whole interval after the previous one began: no more than this many
                    // can have run in the window, one at each end included.
                    long window = (System.nanoTime() - started) / 1_000_000;
                    long probes = window / INTERVAL_MILLIS + 1;
                    StringBuilder perNode = new StringBuilder();
                    for (int i = 0; i < before.length; i++) {
                        perNode.append(String.format(java.util.Locale.ROOT, " %s=%.3f",
                                cluster.nodes().get(i).name(), statements[i] / (double) (window / INTERVAL_MILLIS)));
                    }
                    System.out.printf(java.util.Locale.ROOT, "ProbeCostIT: one idle data source, %d ms, at most %d"
                            + " probes per node; statements per probe interval:%s%n", window, probes, perNode);
                    for (int i = 0; i < statements.length; i++) {
                        assertThat(statements[i]).as("statements to %s in %d ms of probes every %d ms",
                                cluster.nodes().get(i).name(), window, INTERVAL_MILLIS).isLessThanOrEqualTo(probes);
                        assertThat(statements[i]).as("statements to %s: it was probed", cluster.nodes().get(i).name())
                                .isGreaterThanOrEqualTo(probes / 2);
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
