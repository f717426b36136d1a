package dev.haven.jdbc.internal;

import dev.haven.core.HavenConfig;
import dev.haven.core.NodeAddress;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;

/**
 * A parsed {@code jdbc:ha:} URL with its connection properties: the vendor, the seed hosts, the database, Haven's
 * configuration and the parameters meant for the vendor driver. Immutable.
 *
 * <pre>
 * jdbc:ha:mysql://db1:3306,db2,[::1]:3307/app?ha.maxReplicaLag=2s&amp;sslMode=REQUIRED
 * jdbc:ha:mariadb://db1,db2,db3/app
 * </pre>
 *
 * <p>Grammar: {@code jdbc:ha:<vendor>://<host>[,<host>...][/<database>][?<key>=<value>[&<key>=<value>...]]}, with
 * vendor {@code mysql} or {@code mariadb} (case-insensitive); a host is {@code host}, {@code host:port},
 * {@code [ipv6]} or {@code [ipv6]:port}, the port defaults to 3306, and no host may be named twice. Keys and values
 * are percent-decoded as UTF-8 by RFC 3986 ({@code +} stays a plus sign). A parameter without {@code =} has an empty
 * value; empty segments ({@code &&}) are skipped; a key given twice is an error.
 *
 * <p>Rules:
 * <ul>
 *   <li><b>Precedence</b>: a connection property overrides the URL parameter of the same key (as mysql-connector-j
 *       does; MariaDB Connector/J 3 does the opposite, which does not matter because Haven hands each key to the
 *       vendor once). Property values are taken literally, never percent-decoded.</li>
 *   <li><b>{@code ha.*} keys</b> (prefix case-insensitive) are Haven's: they go to {@link HavenConfig.Builder#set},
 *       together with the hosts as {@code ha.seeds}, and never reach the vendor. {@code ha.seeds} itself may not be
 *       given: the URL's hosts are the seeds.</li>
 *   <li><b>Vendor keys</b> are kept in order (URL order, then keys only in the properties, by name) and passed on
 *       untouched; the vendor validates them.</li>
 *   <li><b>Credentials</b>: {@code user}, and every key whose name contains {@code password} or {@code secret}
 *       (case-insensitive), travel only in {@link #vendorProperties()}, never in a vendor URL, and are never printed:
 *       not by {@link #toString()}, not in any exception message.</li>
 *   <li><b>Errors</b> are {@link SQLNonTransientConnectionException}s with SQLState {@value #SQLSTATE_BAD_URL}
 *       (the client cannot establish a connection; retrying the same URL cannot help), for a malformed URL and for a
 *       setting {@link HavenConfig} refuses alike. The message names the part, key or value at fault and what is
 *       allowed, and quotes only that part, never the whole URL.</li>
 * </ul>
 */
public final class HaUrl {

    /** What every Haven URL starts with. */
    public static final String PREFIX = "jdbc:ha:";

    /** SQLState of every error: "SQL client unable to establish SQL connection". */
    public static final String SQLSTATE_BAD_URL = "08001";

    private static final String HA_PREFIX = "ha.";
    private static final String SEEDS_KEY = "ha.seeds";
    private static final String USER = "user";
    private static final String MASK = "****";
    private static final String FORM = "expected jdbc:ha:mysql://host[:port][,host[:port]...][/database][?key=value&...]"
            + " or jdbc:ha:mariadb://...";

    private final Vendor vendor;
    private final List<NodeAddress> hosts;
    private final String database;
    private final Map<String, String> vendorParameters;
    private final HavenConfig config;

    private HaUrl(Vendor vendor, List<NodeAddress> hosts, String database, Map<String, String> vendorParameters,
            HavenConfig config) {
        this.vendor = vendor;
        this.hosts = hosts;
        this.database = database;
        this.vendorParameters = vendorParameters;
        this.config = config;
    }

    /** Whether the URL is meant for Haven (starts with {@value #PREFIX}); says nothing about its validity. */
    public static boolean accepts(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    /**
     * Parses a URL and its connection properties, as {@code Driver.connect(url, info)} receives them.
     *
     * @param url  the {@code jdbc:ha:} URL
     * @param info connection properties ({@code user}, {@code password}, {@code ha.*}, vendor keys); may be null
     * @throws SQLException with SQLState {@value #SQLSTATE_BAD_URL} saying what is wrong and what is allowed
     */
    public static HaUrl parse(String url, Properties info) throws SQLException {
        if (url == null) {
            throw bad("no URL given; " + FORM);
        }
        if (!url.startsWith(PREFIX)) {
            // the whole URL is not quoted: it may carry a password in its query
            throw bad("not a Haven URL: it must start with '" + PREFIX + "'; " + FORM);
        }
        // The driver word ends at the first delimiter; it never includes the query, which may hold a password.
        int schemeEnd = PREFIX.length();
        while (schemeEnd < url.length() && ":/?#&@".indexOf(url.charAt(schemeEnd)) < 0) {
            schemeEnd++;
        }
        String scheme = url.substring(PREFIX.length(), schemeEnd);
        if (scheme.isEmpty()) {
            throw bad("the URL names no driver after '" + PREFIX + "'; " + FORM);
        }
        Vendor vendor = Vendor.forScheme(scheme);
        if (vendor == null) {
            throw bad("unknown driver '" + quote(scheme) + "' in '" + PREFIX + quote(scheme)
                    + "'; Haven supports " + Vendor.schemes() + ", e.g. jdbc:ha:mysql://db1,db2/app");
        }
        if (schemeEnd == url.length() || url.charAt(schemeEnd) != ':') {
            throw bad("missing ':' after '" + PREFIX + quote(scheme) + "'; " + FORM);
        }
        String prefix = PREFIX + vendor.scheme();
        int pos = schemeEnd + 1;
        if (!url.startsWith("//", pos)) {
            int nested = url.indexOf("://", pos);
            if (nested > pos && noneOf(url.substring(pos, nested), "/?&=")) {
                // jdbc:mysql:replication://, jdbc:mariadb:loadbalance:// and the like: the vendor's own routing
                String sub = url.substring(pos, nested);
                throw bad("'" + prefix + ":" + quote(sub) + "://' is not supported: Haven chooses the node itself;"
                        + " write " + prefix + "://host,host/database");
            }
            throw bad("missing '//' after '" + prefix + ":'; " + FORM);
        }
        pos += 2;
        if (url.indexOf('#', pos) >= 0) {
            throw bad("the URL contains '#'; a fragment means nothing to a database URL, write %23 for a literal '#'");
        }

        int authorityEnd = pos;
        while (authorityEnd < url.length() && url.charAt(authorityEnd) != '/' && url.charAt(authorityEnd) != '?') {
            authorityEnd++;
        }
        List<NodeAddress> hosts = parseHosts(url.substring(pos, authorityEnd));

        String database = null;
        int queryStart = url.indexOf('?', authorityEnd);
        if (authorityEnd < url.length() && url.charAt(authorityEnd) == '/') {
            String path = url.substring(authorityEnd + 1, queryStart < 0 ? url.length() : queryStart);
            database = parseDatabase(vendor, path);
        }

        Map<String, HavenSetting> haSettings = new LinkedHashMap<>();
        Map<String, String> vendorParameters = new LinkedHashMap<>();
        if (queryStart >= 0) {
            parseQuery(url.substring(queryStart + 1), haSettings, vendorParameters);
        }
        if (info != null) {
            mergeProperties(info, haSettings, vendorParameters);
        }
        HavenConfig config = buildConfig(hosts, haSettings);
        return new HaUrl(vendor, hosts, database, Collections.unmodifiableMap(vendorParameters), config);
    }

    // ---------------------------------------------------------------------------------------------- parsing

    private static List<NodeAddress> parseHosts(String authority) throws SQLException {
        if (authority.isEmpty()) {
            throw bad("the URL lists no host; expected at least one host[:port] after '//', e.g. jdbc:ha:mysql://db1:3306,db2/app");
        }
        if (authority.indexOf('@') >= 0) {
            // user:password@host: the entry is not quoted, it holds a password
            throw bad("the host list contains '@': credentials in the host part (user:password@host) are not supported;"
                    + " give user and password as connection properties");
        }
        if (authority.indexOf('(') >= 0 || authority.indexOf('=') >= 0) {
            throw bad("the host list '" + quote(authority) + "' uses the key-value host syntax (address=(host=...)),"
                    + " which Haven does not support; list hosts as host:port, e.g. db1:3306,[::1]:3307");
        }
        List<NodeAddress> hosts = new ArrayList<>();
        String[] entries = authority.split(",", -1);
        for (String entry : entries) {
            if (entry.isEmpty()) {
                throw bad("the host list '" + quote(authority) + "' has an empty entry; expected host[:port] between commas");
            }
            NodeAddress address;
            try {
                address = NodeAddress.parse(entry);
            } catch (IllegalArgumentException e) {
                throw bad("bad host '" + quote(entry) + "' in the host list: " + e.getMessage(), e);
            }
            if (hosts.contains(address)) {
                throw bad("the host list names " + address + " twice ('" + quote(authority) + "'); each node once");
            }
            hosts.add(address);
        }
        return List.copyOf(hosts);
    }

    private static String parseDatabase(Vendor vendor, String path) throws SQLException {
        if (path.isEmpty()) {
            return null;
        }
        if (path.indexOf('/') >= 0) {
            throw bad("the database '" + quote(path) + "' contains '/'; expected one database name after the hosts");
        }
        String database = decode(path, "the database name", false);
        if (!vendor.writeDatabase(new StringBuilder(), database)) {
            throw bad("the database name '" + quote(database) + "' cannot be passed to " + vendor.displayName()
                    + ", which reads its URL literally; it may not contain '/', '?', '&', '=', '#', spaces or controls");
        }
        return database;
    }

    /** One {@code ha.*} entry: the key as written, its value, and where it came from (for messages). */
    private static final class HavenSetting {
        final String key;
        final String value;
        final String source;

        HavenSetting(String key, String value, String source) {
            this.key = key;
            this.value = value;
            this.source = source;
        }
    }

    private static void parseQuery(String query, Map<String, HavenSetting> haSettings,
            Map<String, String> vendorParameters) throws SQLException {
        int start = 0;
        while (start <= query.length()) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = query.length();
            }
            if (end > start) {
                String segment = query.substring(start, end);
                int eq = segment.indexOf('=');
                String rawKey = eq < 0 ? segment : segment.substring(0, eq);
                String key = decode(rawKey, "the name of parameter '" + quote(rawKey) + "'", false);
                if (key.isEmpty()) {
                    throw bad("the URL has a parameter with no name; expected key=value");
                }
                boolean secret = isCredential(key);
                String value = eq < 0 ? "" : decode(segment.substring(eq + 1), "the value of parameter " + quote(key), secret);
                if (isHaven(key)) {
                    String lower = key.toLowerCase(Locale.ROOT);
                    HavenSetting earlier = haSettings.get(lower);
                    if (earlier != null) {
                        throw bad("the URL gives Haven setting " + quote(earlier.key) + " twice; give it once");
                    }
                    haSettings.put(lower, new HavenSetting(key, value, "the URL"));
                } else {
                    if (vendorParameters.containsKey(key)) {
                        throw bad("the URL gives parameter " + quote(key) + " twice; give it once");
                    }
                    vendorParameters.put(key, value);
                }
            }
            start = end + 1;
        }
    }

    private static void mergeProperties(Properties info, Map<String, HavenSetting> haSettings,
            Map<String, String> vendorParameters) throws SQLException {
        // Properties is a hash table: sort for a stable order of the keys that only it gives
        TreeSet<String> names = new TreeSet<>(info.stringPropertyNames());
        Map<String, String> seenHaven = new HashMap<>();
        for (String key : names) {
            String value = info.getProperty(key);
            if (isHaven(key)) {
                String lower = key.toLowerCase(Locale.ROOT);
                String previous = seenHaven.put(lower, key);
                if (previous != null) {
                    throw bad("the connection properties give Haven setting " + quote(lower) + " twice (as " + quote(previous)
                            + " and " + quote(key) + "); give it once");
                }
                haSettings.put(lower, new HavenSetting(key, value, "the connection properties"));
            } else {
                vendorParameters.put(key, value);
            }
        }
    }

    private static HavenConfig buildConfig(List<NodeAddress> hosts, Map<String, HavenSetting> haSettings)
            throws SQLException {
        HavenConfig.Builder builder = HavenConfig.builder();
        for (Map.Entry<String, HavenSetting> e : haSettings.entrySet()) {
            HavenSetting setting = e.getValue();
            if (e.getKey().equals(SEEDS_KEY)) {
                throw bad(quote(setting.key) + " cannot be set in " + setting.source + ": the URL's host list is the"
                        + " list of seeds; list every seed after '//'");
            }
            try {
                builder.set(setting.key, setting.value);
            } catch (IllegalArgumentException ex) {
                throw bad("invalid Haven setting in " + setting.source + ": " + ex.getMessage(), ex);
            }
        }
        String[] seeds = new String[hosts.size()];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = hosts.get(i).toString();
        }
        try {
            return builder.seeds(seeds).build();
        } catch (IllegalArgumentException ex) {
            throw bad("invalid Haven settings: " + ex.getMessage(), ex);
        }
    }

    /** Strict RFC 3986 percent-decoding of UTF-8; {@code secret} keeps the text out of the message. */
    private static String decode(String s, String what, boolean secret) throws SQLException {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] bytes = new byte[s.length() * 4];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw bad(what + (secret ? "" : " ('" + quote(s) + "')")
                            + " has a '%' not followed by two hex digits; write %25 for a literal '%'");
                }
                bytes[n++] = (byte) (hi * 16 + lo);
                i += 2;
            } else {
                byte[] plain = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    plain = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                System.arraycopy(plain, 0, bytes, n, plain.length);
                n += plain.length;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad(what + (secret ? "" : " ('" + quote(s) + "')") + " has percent-escapes that are not UTF-8");
        }
    }

    private static boolean noneOf(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHaven(String key) {
        return key.regionMatches(true, 0, HA_PREFIX, 0, HA_PREFIX.length());
    }

    /** Keys that only travel in Properties and are never printed. */
    static boolean isCredential(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.equals(USER) || isSecret(k);
    }

    private static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret");
    }

    /** At most 80 characters of URL text in a message, so that a pasted blob does not drown it. */
    private static String quote(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static SQLException bad(String message) {
        return new SQLNonTransientConnectionException(message, SQLSTATE_BAD_URL);
    }

    private static SQLException bad(String message, Throwable cause) {
        return new SQLNonTransientConnectionException(message, SQLSTATE_BAD_URL, cause);
    }

    // ---------------------------------------------------------------------------------------------- accessors

    /** The vendor driver named after {@code jdbc:ha:}. */
    public Vendor vendor() {
        return vendor;
    }

    /** The hosts of the URL, in order: the seeds where discovery starts. */
    public List<NodeAddress> hosts() {
        return hosts;
    }

    /** The database after the hosts, decoded; {@code null} when the URL names none. */
    public String database() {
        return database;
    }

    /** Haven's configuration: the {@code ha.*} settings and the hosts as seeds. */
    public HavenConfig config() {
        return config;
    }

    /** The {@code user} for the vendor driver, {@code null} if none was given. */
    public String user() {
        return vendorParameters.get(USER);
    }

    /** The {@code password} for the vendor driver, {@code null} if none was given; never printed. */
    String password() {
        return vendorParameters.get("password");
    }

    /**
     * The parameters for the vendor driver, in order, without {@code ha.*} keys and without credentials
     * ({@code user}, passwords, secrets). Unmodifiable.
     */
    public Map<String, String> vendorParameters() {
        Map<String, String> plain = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : vendorParameters.entrySet()) {
            if (!isCredential(e.getKey())) {
                plain.put(e.getKey(), e.getValue());
            }
        }
        return Collections.unmodifiableMap(plain);
    }

    /**
     * A copy with vendor parameters set or, for a {@code null} value, removed; e.g. the monitor's timeouts and
     * credentials. A key already present keeps its place.
     *
     * @throws IllegalArgumentException for an {@code ha.*} key, which belongs in the configuration
     */
    public HaUrl withVendorParameters(Map<String, String> changes) {
        Map<String, String> merged = new LinkedHashMap<>(vendorParameters);
        for (Map.Entry<String, String> e : changes.entrySet()) {
            if (isHaven(e.getKey())) {
                throw new IllegalArgumentException(e.getKey() + " is a Haven setting, not a vendor parameter");
            }
            if (e.getValue() == null) {
                merged.remove(e.getKey());
            } else {
                merged.put(e.getKey(), e.getValue());
            }
        }
        return new HaUrl(vendor, hosts, database, Collections.unmodifiableMap(merged), config);
    }

    /**
     * The vendor's URL for one node: {@code jdbc:mysql://host:port/db?key=value...} or
     * {@code jdbc:mariadb://...}, IPv6 in brackets, without {@code ha.*} keys and without credentials. Together with
     * {@link #vendorProperties()} it gives the vendor exactly this object's parameters.
     */
    public String vendorUrl(NodeAddress node) {
        StringBuilder url = new StringBuilder(64).append("jdbc:").append(vendor.scheme()).append("://").append(node).append('/');
        if (database != null) {
            vendor.writeDatabase(url, database);
        }
        char separator = '?';
        for (Map.Entry<String, String> e : vendorParameters.entrySet()) {
            if (isCredential(e.getKey())) {
                continue;
            }
            int mark = url.length();
            url.append(separator);
            if (vendor.writeParameter(url, e.getKey(), e.getValue())) {
                separator = '&';
            } else {
                url.setLength(mark);
            }
        }
        return url.toString();
    }

    /**
     * The connection properties for the vendor driver, to pass with {@link #vendorUrl}: the credentials, and any
     * parameter the vendor's URL cannot carry literally. A new object on every call; its {@code toString()} masks
     * credentials.
     */
    public Properties vendorProperties() {
        Properties props = new MaskedProperties();
        StringBuilder scratch = new StringBuilder();
        for (Map.Entry<String, String> e : vendorParameters.entrySet()) {
            scratch.setLength(0);
            if (isCredential(e.getKey()) || !vendor.writeParameter(scratch, e.getKey(), e.getValue())) {
                props.setProperty(e.getKey(), e.getValue());
            }
        }
        return props;
    }

    /** The URL as Haven understood it, with credentials shown as {@code ****}, and the configuration. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(PREFIX).append(vendor.scheme()).append("://");
        for (int i = 0; i < hosts.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(hosts.get(i));
        }
        sb.append('/');
        if (database != null) {
            sb.append(database);
        }
        char separator = '?';
        for (Map.Entry<String, String> e : vendorParameters.entrySet()) {
            sb.append(separator).append(e.getKey()).append('=').append(isCredential(e.getKey()) ? MASK : e.getValue());
            separator = '&';
        }
        return sb.append(' ').append(config).toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HaUrl)) {
            return false;
        }
        HaUrl u = (HaUrl) o;
        return vendor == u.vendor && hosts.equals(u.hosts) && Objects.equals(database, u.database)
                && vendorParameters.equals(u.vendorParameters) && config.equals(u.config);
    }

    @Override
    public int hashCode() {
        return Objects.hash(vendor, hosts, database, vendorParameters, config);
    }

    /** Vendor properties whose {@code toString()}, as a log line might print it, masks the credentials. */
    private static final class MaskedProperties extends Properties {
        @Override
        public synchronized String toString() {
            StringBuilder sb = new StringBuilder("{");
            for (String key : new TreeSet<>(stringPropertyNames())) {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(key).append('=').append(isCredential(key) ? MASK : getProperty(key));
            }
            return sb.append('}').toString();
        }
    }
}
