package dev.haven.testkit;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure no {@code mariadbd} outlives the JVM that started it.
 *
 * <p>Two layers: a shutdown hook kills this JVM's servers and removes their temporary directories on any normal
 * exit (including Ctrl-C); and a pid file per server, naming the owning JVM, lets the next start clean up after a
 * JVM that died without running hooks (SIGKILL, a crashed fork). A server is only killed when its owner JVM is
 * gone and its command line still names the recorded data directory, so a recycled pid or another live JVM's
 * cluster is never touched.
 */
final class ProcessRegistry {

    private static final Logger log = LoggerFactory.getLogger(ProcessRegistry.class);
    private static final Path DIRECTORY = Path.of(System.getProperty("java.io.tmpdir"), "haven-testkit-pids");
    private static final long OWNER = ProcessHandle.current().pid();

    private static final Set<Long> live = ConcurrentHashMap.newKeySet();
    private static final Set<Long> startedEver = ConcurrentHashMap.newKeySet();
    private static final Map<Path, Boolean> temporaryRoots = new ConcurrentHashMap<>();
    private static volatile boolean hookInstalled;

    private ProcessRegistry() {
    }

    static void register(long pid, Path dataDir) {
        installHook();
        live.add(pid);
        startedEver.add(pid);
        try {
            Files.createDirectories(DIRECTORY);
            Files.writeString(DIRECTORY.resolve(pid + ".pid"),
                    "owner=" + OWNER + "\ndatadir=" + dataDir.toAbsolutePath() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            log.warn("Cannot write the pid file for mariadbd {}: a crashed run may leave it behind", pid, e);
        }
    }

    static void unregister(long pid) {
        live.remove(pid);
        try {
            Files.deleteIfExists(DIRECTORY.resolve(pid + ".pid"));
        } catch (IOException e) {
            log.debug("Cannot delete the pid file of {}", pid, e);
        }
    }

    /** A directory to delete at JVM exit, with everything in it, unless {@link #forgetTemporaryRoot} is called. */
    static void registerTemporaryRoot(Path root) {
        installHook();
        temporaryRoots.put(root, Boolean.TRUE);
        try {
            Files.createDirectories(DIRECTORY);
            Files.writeString(DIRECTORY.resolve("root-" + OWNER + "-" + Math.abs(root.hashCode()) + ".dir"),
                    "owner=" + OWNER + "\nroot=" + root.toAbsolutePath() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            log.debug("Cannot record temporary root {}", root, e);
        }
    }

    static void forgetTemporaryRoot(Path root) {
        temporaryRoots.remove(root);
        try {
            Files.deleteIfExists(DIRECTORY.resolve("root-" + OWNER + "-" + Math.abs(root.hashCode()) + ".dir"));
        } catch (IOException e) {
            log.debug("Cannot forget temporary root {}", root, e);
        }
    }

    /** Every mariadbd pid this JVM has started, alive or not. */
    static Set<Long> startedPids() {
        return Set.copyOf(startedEver);
    }

    /**
     * Kills servers and deletes temporary directories left by JVMs that are no longer running.
     *
     * @return the pids that were killed
     */
    static synchronized List<Long> cleanStale() {
        List<Long> killed = new ArrayList<>();
        if (!Files.isDirectory(DIRECTORY)) {
            return killed;
        }
        // One JVM at a time: test JVMs of parallel builds start clusters at the same moment and would otherwise
        // clean up the same leftovers together, each deleting files under the other's feet.
        try (FileChannel lockFile = FileChannel.open(DIRECTORY.resolve("cleanup.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            lockFile.lock(); // released when the channel closes
            try (DirectoryStream<Path> files = Files.newDirectoryStream(DIRECTORY, "*.{pid,dir}")) {
                for (Path file : files) {
                    Map<String, String> record;
                    try {
                        record = read(file);
                    } catch (NoSuchFileException e) {
                        continue; // its JVM, or another JVM cleaning up as this one does, removed it meanwhile
                    }
                    if (!record.containsKey("owner")) {
                        continue; // being written by its JVM right now
                    }
                    long owner = Long.parseLong(record.get("owner"));
                    if (owner == OWNER || ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                        continue;
                    }
                    String name = file.getFileName().toString();
                    if (name.endsWith(".pid")) {
                        long pid = Long.parseLong(name.substring(0, name.length() - 4));
                        if (killIfOurs(pid, record.get("datadir"))) {
                            killed.add(pid);
                        }
                    } else if (record.containsKey("root")) {
                        ServerInstallation.deleteRecursively(Path.of(record.get("root")));
                    }
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Could not clean up after an earlier run in {}", DIRECTORY, e);
        }
        return killed;
    }

    private static boolean killIfOurs(long pid, String dataDir) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || dataDir == null || !commandLine(pid).contains("--datadir=" + dataDir)) {
            return false;
        }
        log.warn("Killing mariadbd {} left running by a JVM that died (data directory {})", pid, dataDir);
        handle.get().destroyForcibly();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (handle.get().isAlive() && System.nanoTime() < deadline) {
            ServerProcess.sleep(10);
        }
        return true;
    }

    private static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static Map<String, String> read(Path file) throws IOException {
        Map<String, String> values = new ConcurrentHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }

    private static void installHook() {
        if (hookInstalled) {
            return;
        }
        synchronized (ProcessRegistry.class) {
            if (!hookInstalled) {
                Runtime.getRuntime().addShutdownHook(new Thread(ProcessRegistry::killAll, "haven-testkit-cleanup"));
                hookInstalled = true;
            }
        }
    }

    private static void killAll() {
        List<ProcessHandle> dying = new ArrayList<>();
        for (Long pid : live) {
            ProcessHandle.of(pid).ifPresent(handle -> {
                handle.destroyForcibly();
                dying.add(handle);
            });
            unregister(pid);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (ProcessHandle handle : dying) {
            try {
                handle.onExit().get(Math.max(1, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // best effort at exit
            }
        }
        for (Path root : temporaryRoots.keySet()) {
            try {
                ServerInstallation.deleteRecursively(root);
            } catch (IOException | RuntimeException e) {
                // best effort at exit: the next run's cleanStale() tries again
            }
            forgetTemporaryRoot(root);
        }
    }
}
