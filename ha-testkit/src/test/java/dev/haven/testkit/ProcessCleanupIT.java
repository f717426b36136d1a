package dev.haven.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * No {@code mariadbd} survives the JVM that started it: a closed cluster leaves nothing, a JVM stopped by a
 * signal runs its hook, and a JVM killed outright is cleaned up after by the next start.
 */
class ProcessCleanupIT {

    @Test
    void closeStopsEveryServerAndRemovesTemporaryData() {
        List<Long> pids = new ArrayList<>();
        Path root;
        try (LocalCluster cluster = LocalCluster.builder().replicas(1).semiSync(false).start()) {
            for (LocalNode node : cluster.nodes()) {
                pids.add(node.pid());
            }
            root = cluster.dataDirectory();
            assertThat(root).isDirectory();
            for (long pid : pids) {
                assertThat(ProcessHandle.of(pid)).isPresent();
            }
        }
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid)).as("mariadbd %d after close", pid).isEmpty();
        }
        assertThat(root).doesNotExist();
    }

    @Test
    void aJvmStoppedBySigtermStopsItsServers() throws Exception {
        Launched child = launch();
        child.process.destroy(); // SIGTERM: shutdown hooks run
        assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (long pid : child.serverPids) {
            awaitGone(pid);
        }
        assertThat(child.dataDirectory).doesNotExist();
    }

    @Test
    void serversOfAJvmKilledOutrightAreCleanedUpByTheNextStart() throws Exception {
        Launched child = launch();
        child.process.destroyForcibly(); // SIGKILL: no hook runs, the servers are orphans now
        assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (long pid : child.serverPids) {
            assertThat(ProcessHandle.of(pid)).as("orphaned mariadbd %d", pid).isPresent();
        }

        List<Long> killed = ProcessRegistry.cleanStale();

        assertThat(killed).containsAll(child.serverPids);
        for (long pid : child.serverPids) {
            awaitGone(pid);
        }
        assertThat(child.dataDirectory).doesNotExist();
    }

    private record Launched(Process process, List<Long> serverPids, Path dataDirectory) {
    }

    /** Runs the launcher in another JVM and reads the pids and data directory it prints. */
    private static Launched launch() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LocalCluster.class.getName(), "--replicas", "1", "--no-semi-sync", "--duration", "300")
                .redirectErrorStream(true).start();
        List<Long> pids = new ArrayList<>();
        Path dataDirectory = null;
        StringBuilder output = new StringBuilder();
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            output.append(line).append('\n');
            if (line.matches("node\\d+\\s+(PRIMARY|REPLICA).*")) {
                pids.add(Long.parseLong(line.trim().split("\\s+")[5]));
            } else if (line.startsWith("Data directory:")) {
                dataDirectory = Path.of(line.substring("Data directory:".length()).trim());
            } else if (line.startsWith("Running for")) {
                break;
            }
        }
        assertThat(pids).as("launcher output:%n%s", output).hasSize(2);
        assertThat(dataDirectory).as("launcher output:%n%s", output).isNotNull();
        assertThat(Files.isDirectory(dataDirectory)).isTrue();
        // Keep draining so the child never blocks on a full pipe.
        Thread drain = new Thread(() -> {
            try {
                reader.transferTo(Writer.nullWriter());
            } catch (IOException ignored) {
                // the child is gone
            }
        }, "launcher-output");
        drain.setDaemon(true);
        drain.start();
        return new Launched(process, pids, dataDirectory);
    }

    private static void awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (ProcessHandle.of(pid).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(pid)).as("mariadbd %d", pid).isEmpty();
    }
}
