package dev.haven.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The smoke pass CI runs: the shaded {@code benchmarks.jar} starts and runs the routing benchmarks for one short
 * iteration each. Its numbers are never quoted; it proves the jar and the benchmarks work.
 */
class BenchmarksJarIT {

    @Test
    void theBenchmarksJarRunsTheRouterBenchmarks() throws IOException, InterruptedException {
        Path jar = Path.of("target", "benchmarks.jar");
        assertThat(jar).exists();
        Path output = Files.createTempFile("jmh-smoke", ".txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jmh = new ProcessBuilder(java, "-jar", jar.toString(), "RouterBench", "-f", "0", "-wi", "0", "-i", "1",
                "-r", "100ms", "-foe", "true")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean finished = jmh.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            jmh.destroyForcibly();
        }
        String log = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(finished).as("JMH finished; output:%n%s", log).isTrue();
        assertThat(jmh.exitValue()).as("JMH exit code; output:%n%s", log).isZero();
        assertThat(log).contains("RouterBench.routeRead").contains("RouterBench.routeWrite");
        Files.deleteIfExists(output);
    }
}
