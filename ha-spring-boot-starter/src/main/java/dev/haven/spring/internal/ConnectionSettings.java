package dev.haven.spring.internal;

import java.util.Locale;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

/**
 * The URL and credentials of the auto-configured data source. {@code spring.datasource.*} by default; a
 * {@link JdbcConnectionDetails} bean (a {@code @ServiceConnection} container, Docker Compose, the application's
 * own) wins, as it does for Spring Boot's own data source. Its URL is used as it is when it is a {@code jdbc:ha:}
 * URL; a {@code jdbc:mysql:} or {@code jdbc:mariadb:} URL (a container's) becomes the Haven URL of that server, and
 * keeps the {@code ha.*} parameters of {@code spring.datasource.url} if one is set.
 */
public final class ConnectionSettings {

    private static final String HAVEN = "jdbc:ha:";

    private final String url;
    private final String username;
    private final String password;

    private ConnectionSettings(String url, String username, String password) {
        this.url = url;
        this.username = username;
        this.password = password;
    }

    /** @param details the application's connection details, {@code null} if there are none */
    public static ConnectionSettings of(DataSourceProperties properties, JdbcConnectionDetails details) {
        String propertyUrl = properties.getUrl() == null ? null : properties.getUrl().trim();
        if (details == null || details.getClass().getSimpleName().equals("PropertiesJdbcConnectionDetails")) {
            return new ConnectionSettings(propertyUrl, properties.getUsername(), properties.getPassword());
        }
        return new ConnectionSettings(havenUrl(details.getJdbcUrl(), propertyUrl), details.getUsername(),
                details.getPassword());
    }

    static String havenUrl(String detailsUrl, String propertyUrl) {
        if (detailsUrl == null) {
            throw new HavenConfigurationException(null, null, null, "the JdbcConnectionDetails bean has no JDBC URL",
                    "Give the connection details a jdbc:mysql:, jdbc:mariadb: or jdbc:ha: URL.", null);
        }
        String url = detailsUrl.trim();
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith(HAVEN)) {
            return url;
        }
        if (!lower.startsWith("jdbc:mysql:") && !lower.startsWith("jdbc:mariadb:")) {
            // never quote the URL: its query may hold a password
            throw new HavenConfigurationException(null, null, null, "the JdbcConnectionDetails bean's URL is not a"
                    + " MySQL or MariaDB URL; Haven's data source needs one (jdbc:mysql:, jdbc:mariadb: or jdbc:ha:)",
                    "Use a MySQL or MariaDB service connection, or leave the Haven starter out of this application.",
                    null);
        }
        StringBuilder haven = new StringBuilder(HAVEN).append(url.substring("jdbc:".length()));
        int q = propertyUrl == null ? -1 : propertyUrl.indexOf('?');
        if (q >= 0 && propertyUrl.toLowerCase(Locale.ROOT).startsWith(HAVEN)) {
            char sep = haven.indexOf("?") < 0 ? '?' : '&';
            for (String param : propertyUrl.substring(q + 1).split("&")) {
                if (param.toLowerCase(Locale.ROOT).startsWith("ha.")) {
                    haven.append(sep).append(param);
                    sep = '&';
                }
            }
        }
        return haven.toString();
    }

    public String url() {
        return url;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }
}
