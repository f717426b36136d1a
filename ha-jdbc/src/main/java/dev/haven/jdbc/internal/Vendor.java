package dev.haven.jdbc.internal;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The vendor drivers Haven delegates to, named by the word after {@code jdbc:ha:}.
 *
 * <p>Each knows how to write its own single-host URL, because the two drivers read URLs differently:
 * mysql-connector-j percent-decodes keys, values and the database name ({@code URLDecoder}, so {@code +} is a space),
 * while MariaDB Connector/J 3 takes them literally. Haven decodes the {@code jdbc:ha:} URL once, by RFC 3986
 * ({@code +} stays {@code +}), and re-encodes for the vendor, so both see the same values.
 */
public enum Vendor {

    /** MySQL Connector/J, {@code jdbc:ha:mysql://}. */
    MYSQL("mysql", "com.mysql.cj.jdbc.Driver", "MySQL Connector/J", "com.mysql:mysql-connector-j") {
        @Override
        boolean writeParameter(StringBuilder url, String key, String value) {
            if (!wellFormed(key) || !wellFormed(value)) {
                return false;
            }
            percentEncode(url, key);
            url.append('=');
            percentEncode(url, value);
            return true;
        }

        @Override
        boolean writeDatabase(StringBuilder url, String database) {
            if (!wellFormed(database)) {
                return false;
            }
            percentEncode(url, database);
            return true;
        }
    },

    /** MariaDB Connector/J, {@code jdbc:ha:mariadb://}. */
    MARIADB("mariadb", "org.mariadb.jdbc.Driver", "MariaDB Connector/J", "org.mariadb.jdbc:mariadb-java-client") {
        @Override
        boolean writeParameter(StringBuilder url, String key, String value) {
            // MariaDB Connector/J splits the query on '&' and the first '=' and decodes nothing: anything else
            // can be written as it is; a parameter that cannot travel in the URL goes in the Properties.
            if (!isLiteralSafe(key, "&=") || !isLiteralSafe(value, "&")) {
                return false;
            }
            url.append(key).append('=').append(value);
            return true;
        }

        @Override
        boolean writeDatabase(StringBuilder url, String database) {
            if (!isLiteralSafe(database, "/?&=")) {
                return false;
            }
            url.append(database);
            return true;
        }
    };

    private final String scheme;
    private final String driverClass;
    private final String displayName;
    private final String artifact;

    Vendor(String scheme, String driverClass, String displayName, String artifact) {
        this.scheme = scheme;
        this.driverClass = driverClass;
        this.displayName = displayName;
        this.artifact = artifact;
    }

    /** The vendor for the word after {@code jdbc:ha:} (case-insensitive), {@code null} if there is none. */
    public static Vendor forScheme(String scheme) {
        String s = scheme.toLowerCase(Locale.ROOT);
        for (Vendor v : values()) {
            if (v.scheme.equals(s)) {
                return v;
            }
        }
        return null;
    }

    /** The schemes Haven knows, for messages: {@code mysql, mariadb}. */
    public static String schemes() {
        StringBuilder sb = new StringBuilder();
        for (Vendor v : values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(v.scheme);
        }
        return sb.toString();
    }

    /** {@code mysql} or {@code mariadb}: the vendor URL's scheme after {@code jdbc:}. */
    public String scheme() {
        return scheme;
    }

    /** The vendor's {@link java.sql.Driver} class name. */
    public String driverClass() {
        return driverClass;
    }

    /** A human name, e.g. {@code MySQL Connector/J}. */
    public String displayName() {
        return displayName;
    }

    /** The Maven coordinates that bring the driver, {@code groupId:artifactId}. */
    public String artifact() {
        return artifact;
    }

    /**
     * Appends {@code key=value} so that this vendor reads back exactly these strings.
     *
     * @return false (and appends nothing) when this vendor's URL cannot carry them
     */
    abstract boolean writeParameter(StringBuilder url, String key, String value);

    /**
     * Appends the database name so that this vendor reads it back exactly.
     *
     * @return false (and appends nothing) when this vendor's URL cannot carry it
     */
    abstract boolean writeDatabase(StringBuilder url, String database);

    private static boolean isLiteralSafe(String s, String forbidden) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            // '#' and '?' never take part in a query literally; whitespace and controls may be trimmed or refused
            if (forbidden.indexOf(c) >= 0 || c == '#' || c <= ' ' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** Whether every surrogate is paired: a lone one has no UTF-8 form and would be garbled by encoding. */
    static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** RFC 3986 encoding of everything but unreserved characters, which {@code URLDecoder} reads back exactly. */
    static void percentEncode(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                int cp = s.codePointAt(i);
                if (Character.charCount(cp) == 2) {
                    i++;
                }
                byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                for (byte b : bytes) {
                    out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
                }
            }
        }
    }
}
