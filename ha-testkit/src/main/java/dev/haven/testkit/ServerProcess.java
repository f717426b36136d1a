package dev.haven.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One server process ({@code mariadbd} or {@code mysqld}): how it is started, signalled and stopped. Every process is registered with
 * {@link ProcessRegistry} so that it is killed by a shutdown hook, or by the next run if this JVM dies hard.
 */
final class ServerProcess {

    private final String name;
    private final Path dataDir;
    private final Process process;
    private final ServerFlavor flavor;

    private ServerProcess(String name, Path dataDir, Process process, ServerFlavor flavor) {
        this.name = name;
        this.dataDir = dataDir;
        this.process = process;
        this.flavor = flavor;
    }

    static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** A port that was free a moment ago on 127.0.0.1; the server binding it is the real test. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    static boolean portInUse(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    static void runToCompletion(List<String> command, Path log, Duration timeout) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish within " + timeout);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(command.get(0) + " failed with exit code " + p.exitValue() + ":\n"
                    + tail(log, 30));
        }
    }

    /**
     * Starts the server on a data directory. The options common to every Haven test server come first;
     * {@code options} (port, server id, replication settings, the caller's extras) follow and win.
     */
    static ServerProcess start(ServerInstallation installation, Path dataDir, List<String> options, String name)
            throws IOException {
        Path baseDir = installation.baseDir();
        List<String> command = new ArrayList<>();
        command.add(baseDir.resolve(installation.serverBinary()).toString());
        command.add("--no-defaults");
        command.add("--basedir=" + baseDir);
        command.add("--datadir=" + dataDir);
        command.add("--lc-messages-dir=" + baseDir.resolve("share"));
        command.add("--bind-address=127.0.0.1");
        command.add("--socket=" + dataDir.resolve("mysqld.sock"));
        command.add("--pid-file=" + dataDir.resolve("mysqld.pid"));
        command.add("--log-error=" + dataDir.resolve("error.log"));
        command.addAll(installation.commonOptions(dataDir));
        command.add("--innodb-buffer-pool-size=64M");
        command.add("--max-connections=500");
        if (runningAsRoot()) {
            command.add("--user=root");
        }
        command.addAll(options);
        Path console = dataDir.resolve("console.log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
                .start();
        ServerProcess server = new ServerProcess(name, dataDir, process, installation.flavor);
        ProcessRegistry.register(process.pid(), dataDir);
        return server;
    }

    /** A JDBC URL straight to a server port, for the test kit's own administration. */
    static String adminUrl(ServerFlavor flavor, int port, String database, String parameters) {
        return flavor.isMySql()
                ? "jdbc:mysql://127.0.0.1:" + port + "/" + database + "?sslMode=DISABLED&allowPublicKeyRetrieval=true"
                        + "&" + parameters
                : "jdbc:mariadb://127.0.0.1:" + port + "/" + database + "?" + parameters;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits until the server accepts a login. Fails at once, with the end of the server's error log, if the
     * process exits first.
     */
    void awaitReady(int port, String user, String password, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String url = adminUrl(flavor, port, "", "connectTimeout=1000&socketTimeout=5000");
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server " + name + " exited with code " + process.exitValue()
                        + " while starting:\n" + errorLogTail());
            }
            try (Connection c = DriverManager.getConnection(url, user, password);
                 java.sql.Statement s = c.createStatement();
                 java.sql.ResultSet rs = s.executeQuery("SELECT @@datadir")) {
                // Another server may hold the port (the free port was taken between our check and our bind):
                // only our own data directory counts as ready.
                if (rs.next() && samePath(rs.getString(1), dataDir)) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            sleep(20);
        }
        throw new IllegalStateException("server " + name + " did not accept connections on port " + port
                + " within " + timeout + (last == null ? "" : " (last error: " + last.getMessage() + ")")
                + ":\n" + errorLogTail());
    }

    private static boolean samePath(String reported, Path dataDir) {
        if (reported == null) {
            return false;
        }
        String a = reported.endsWith("/") ? reported.substring(0, reported.length() - 1) : reported;
        String b = dataDir.toAbsolutePath().normalize().toString();
        return a.equals(b);
    }

    /** SIGKILL, the crash case; returns once the process is gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM, a clean shutdown; falls back to SIGKILL after the timeout. */
    void stopGracefully(Duration timeout) {
        if (!process.isAlive()) {
            awaitExit(Duration.ofSeconds(1));
            return;
        }
        signal("CONT"); // a frozen server cannot shut down
        process.destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        ProcessRegistry.unregister(process.pid());
    }

    /** Sends a signal by name ({@code STOP}, {@code CONT}) with the system's {@code kill} command. */
    void signal(String signal) {
        if (!process.isAlive()) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal, e);
        }
    }

    /**
     * Sends SIGSTOP and returns once every thread of the server is stopped: the signal is queued at once, but a
     * loaded machine may let a thread finish a query first, and a freeze must hold from the moment it returns.
     */
    void freeze() {
        signal("STOP");
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc", Long.toString(process.pid()), "task");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && !allStopped(tasks)) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    private static boolean allStopped(java.nio.file.Path tasks) {
        try (java.util.stream.Stream<java.nio.file.Path> threads = java.nio.file.Files.list(tasks)) {
            for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) threads::iterator) {
                String stat = java.nio.file.Files.readString(task.resolve("stat"));
                // The state follows the command name, which is in parentheses and may contain spaces.
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if (state != 'T' && state != 't') {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return true; // no /proc (or the thread went away): nothing more to wait for
        }
    }

    private void awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("server " + name + " (pid " + process.pid() + ") did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ProcessRegistry.unregister(process.pid());
    }

    String errorLogTail() {
        return tail(dataDir.resolve("error.log"), 25);
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + file + ")";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
