package dev.haven.testkit;

import java.util.List;

/**
 * The accounts every {@link LocalCluster} node has. They are created in the template data directory, before any
 * binary log exists, so all nodes start identical and nothing about them needs to replicate. Root gets a
 * password too: nothing in Haven's tests relies on passwordless root.
 */
final class TestUsers {

    static final String DATABASE = "app";

    static final String APP_USER = "haven_app";
    static final String APP_PASSWORD = "app-pw-8Kq2";

    static final String ADMIN_USER = "haven_admin";
    static final String ADMIN_PASSWORD = "admin-pw-3Zr7";

    static final String REPLICATION_USER = "haven_repl";
    static final String REPLICATION_PASSWORD = "repl-pw-5Tx9";

    static final String ROOT_PASSWORD = "root-pw-1Mv4";

    private TestUsers() {
    }

    static List<String> mariadbTemplateStatements() {
        return List.of(
                "CREATE DATABASE " + DATABASE,
                // Applications: their own schema plus what Haven's monitor reads (replication status, SHOW SLAVE HOSTS),
                // and never SUPER.
                "CREATE USER '" + APP_USER + "'@'%' IDENTIFIED BY '" + APP_PASSWORD + "'",
                "GRANT ALL PRIVILEGES ON `" + DATABASE + "`.* TO '" + APP_USER + "'@'%'",
                "GRANT BINLOG MONITOR, REPLICA MONITOR, REPLICATION MASTER ADMIN, PROCESS ON *.* TO '" + APP_USER + "'@'%'",
                // Monitoring and administration: promotion, fencing, re-pointing replicas.
                "CREATE USER '" + ADMIN_USER + "'@'%' IDENTIFIED BY '" + ADMIN_PASSWORD + "'",
                "GRANT ALL PRIVILEGES ON *.* TO '" + ADMIN_USER + "'@'%' WITH GRANT OPTION",
                "CREATE USER '" + REPLICATION_USER + "'@'%' IDENTIFIED BY '" + REPLICATION_PASSWORD + "'",
                "GRANT REPLICATION SLAVE ON *.* TO '" + REPLICATION_USER + "'@'%'",
                // install-db also creates root@<this machine's name>; only the loopback ones stay.
                "DELETE FROM mysql.global_priv WHERE User = 'root' AND Host NOT IN ('localhost', '127.0.0.1', '::1')",
                "DELETE FROM mysql.proxies_priv WHERE Host NOT IN ('localhost', '127.0.0.1', '::1', '')",
                "FLUSH PRIVILEGES",
                "ALTER USER 'root'@'localhost' IDENTIFIED BY '" + ROOT_PASSWORD + "'",
                "ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '" + ROOT_PASSWORD + "'",
                "ALTER USER 'root'@'::1' IDENTIFIED BY '" + ROOT_PASSWORD + "'");
    }

    /**
     * MySQL 8.0: run by {@code mysqld --initialize-insecure --init-file}, before any binary log exists. The
     * application user may read what Haven's monitor reads: replication status ({@code REPLICATION CLIENT}), the
     * replicas' list ({@code SHOW REPLICAS} needs {@code REPLICATION SLAVE}), the process list, performance_schema.
     */
    static List<String> mysqlTemplateStatements() {
        return List.of(
                "CREATE DATABASE " + DATABASE,
                "CREATE USER '" + APP_USER + "'@'%' IDENTIFIED BY '" + APP_PASSWORD + "'",
                "GRANT ALL PRIVILEGES ON `" + DATABASE + "`.* TO '" + APP_USER + "'@'%'",
                "GRANT REPLICATION CLIENT, REPLICATION SLAVE, PROCESS ON *.* TO '" + APP_USER + "'@'%'",
                "GRANT SELECT ON performance_schema.* TO '" + APP_USER + "'@'%'",
                "CREATE USER '" + ADMIN_USER + "'@'%' IDENTIFIED BY '" + ADMIN_PASSWORD + "'",
                "GRANT ALL PRIVILEGES ON *.* TO '" + ADMIN_USER + "'@'%' WITH GRANT OPTION",
                "CREATE USER '" + REPLICATION_USER + "'@'%' IDENTIFIED BY '" + REPLICATION_PASSWORD + "'",
                "GRANT REPLICATION SLAVE ON *.* TO '" + REPLICATION_USER + "'@'%'",
                "ALTER USER 'root'@'localhost' IDENTIFIED BY '" + ROOT_PASSWORD + "'");
    }
}
