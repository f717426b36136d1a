package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.io.BufferedReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Three application instances in three JVMs, each with Haven in promote mode, lose their primary at once: exactly
 * one promotes, all write to the same new primary, and exactly one node is writable.
 */
class PromoteAcrossJvmsIT {

    private static final int INSTANCES = 3;

    @Test
    void threeJvmsRacingEndWithExactlyOnePromotionAndOneWritableNode() throws Exception {
        try (LocalCluster cluster = PromoteFailoverIT.cluster()) {
            LocalNode oldPrimary = cluster.primary();
            String url = PromoteFailoverIT.promoteUrl(cluster, "");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<Process> processes = new ArrayList<>();
            List<BufferedReader> outputs = new ArrayList<>();
            try {
                for (int i = 0; i < INSTANCES; i++) {
                    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                            PromoteRaceProcess.class.getName(), url, cluster.appUser(), cluster.appPassword())
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    processes.add(p);
                    // Drained all the time: a child whose log fills an unread pipe stalls the Haven thread logging
                    // (its prober or its failover), and then nobody promotes (seen once in CI, on MySQL).
                    outputs.add(new FleetFailoverIT.Tee(p.getInputStream(),
                            Files.createTempFile("haven-race-" + i + "-", ".log")));
                }
                for (BufferedReader out : outputs) {
                    readLine(out, "READY");
                }
                cluster.kill(oldPrimary);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (cluster.writableNodes() != 1) { // the old primary is dead: the one writable node is a new one
                    assertThat(System.nanoTime()).as("a promotion within 30 s").isLessThan(deadline);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                int promotions = 0;
                List<Long> primaries = new ArrayList<>();
                for (Process p : processes) {
                    Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
                    in.write("REPORT\n");
                    in.flush();
                }
                for (BufferedReader out : outputs) {
                    String[] report = readLine(out, "PRIMARY ").split(" ");
                    primaries.add(Long.parseLong(report[1]));
                    promotions += Integer.parseInt(report[3]);
                }
                LocalNode newPrimary = cluster.adoptRoles();
                assertThat(primaries).as("the primary each instance writes to").containsOnly((long) newPrimary.serverId());
                assertThat(promotions).as("promotions made by all instances together").isEqualTo(1);
                assertThat(cluster.writableNodes()).isEqualTo(1);
            } finally {
                for (Process p : processes) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** The instance's next line starting with {@code prefix}; its log lines (on the same output) are skipped. */
    static String readLine(BufferedReader out, String prefix) throws Exception {
        String line;
        do {
            line = out.readLine();
            assertThat(line).as("a line starting with '" + prefix + "' from the instance").isNotNull();
        } while (!line.startsWith(prefix));
        return line;
    }
}
