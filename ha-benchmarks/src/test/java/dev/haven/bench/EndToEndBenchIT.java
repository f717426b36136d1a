package dev.haven.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs {@link EndToEndBench}'s set-up and each benchmark's body once, without JMH, on a real cluster. */
class EndToEndBenchIT {

    @Test
    void bothReadsReturnTheRowAndHavenReadsFromAReplica() throws SQLException {
        EndToEndBench bench = new EndToEndBench();
        bench.setUp();
        try {
            EndToEndBench.Key key = new EndToEndBench.Key();
            assertThat(bench.havenPointRead(key)).isEqualTo("item-1");
            assertThat(bench.hikariPointRead(key)).isEqualTo("item-2");
            assertThat(bench.hikariPointReadSetReadOnly(key)).isEqualTo("item-3");
            List<Long> replicas = new ArrayList<>();
            for (LocalNode replica : bench.cluster.replicas()) {
                replicas.add((long) replica.serverId());
            }
            // A replica can be out of routing for a probe or two on a loaded machine (reads then go to the
            // primary, as they should): the read-only connection must reach a replica once both serve reads.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            long serverId;
            do {
                try (Connection c = bench.haven.getConnection()) {
                    c.setReadOnly(true);
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                        assertThat(rs.next()).isTrue();
                        serverId = rs.getLong(1);
                    }
                }
            } while (!replicas.contains(serverId) && System.nanoTime() < deadline);
            assertThat(serverId).as("topology: %s", bench.haven.topology()).isIn(replicas);
        } finally {
            bench.tearDown();
        }
    }
}
