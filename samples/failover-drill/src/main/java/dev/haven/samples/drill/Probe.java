package dev.haven.samples.drill;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** One kept monitoring connection to one node, asking {@code SELECT @@read_only} through the vendor driver. */
final class Probe {
    private final String url;
    private final Properties properties;
    private Connection connection;
    private SQLException lastError;

    /** To a local node's port, with MariaDB Connector/J and 300 ms timeouts. */
    Probe(int port, String user, String password) {
        // allowPublicKeyRetrieval: MySQL's caching_sha2_password without TLS needs it; MariaDB ignores it.
        this("jdbc:mariadb://127.0.0.1:" + port + "/?connectTimeout=300&socketTimeout=300&allowPublicKeyRetrieval=true",
                credentials(user, password));
    }

    /** To {@code url} (a vendor URL) with {@code properties} (credentials and any vendor settings). */
    Probe(String url, Properties properties) {
        this.url = url;
        this.properties = properties;
    }

    static Properties credentials(String user, String password) {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        return p;
    }

    /** Whether the node is writable; null when it does not answer. */
    Boolean writable() {
        try {
            if (connection == null) {
                connection = DriverManager.getConnection(url, properties);
            }
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT @@read_only")) {
                rs.next();
                lastError = null;
                return rs.getInt(1) == 0;
            }
        } catch (SQLException e) {
            lastError = e;
            close();
            return null;
        }
    }

    /** Why the last {@link #writable()} had no answer; null after an answer. */
    SQLException lastError() {
        return lastError;
    }

    void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // gone anyway
            }
            connection = null;
        }
    }
}
