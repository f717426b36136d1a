package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.mysql.cj.conf.ConnectionUrl;
import com.mysql.cj.conf.HostInfo;
import dev.haven.core.NodeAddress;
import dev.haven.testkit.SeededCases;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.Configuration;

/**
 * {@link HaUrl} over generated input ({@link SeededCases}: a failure prints the seed that replays it): valid URLs round-trip, each vendor's own URL parser reads back exactly what
 * Haven decoded, {@code ha.*} keys never reach a vendor, and anything else fails with an {@link SQLException} that
 * never shows a password.
 */
class HaUrlPropertyTest {

    private static final String PASSWORD = "Pw-7f3q-Zx91!";

    /** What a generated URL is made of, and the text it was written as. */
    static final class Spec {
        final Vendor vendor;
        final List<NodeAddress> hosts;
        final List<String> hostTexts;
        final String database;
        final Map<String, String> vendorParameters;
        final Map<String, String> haParameters;
        final boolean encodeEverything;

        Spec(Vendor vendor, List<NodeAddress> hosts, List<String> hostTexts, String database,
                Map<String, String> vendorParameters, Map<String, String> haParameters, boolean encodeEverything) {
            this.vendor = vendor;
            this.hosts = hosts;
            this.hostTexts = hostTexts;
            this.database = database;
            this.vendorParameters = vendorParameters;
            this.haParameters = haParameters;
            this.encodeEverything = encodeEverything;
        }

        String url() {
            StringBuilder sb = new StringBuilder("jdbc:ha:").append(vendor.scheme()).append("://")
                    .append(String.join(",", hostTexts));
            if (database != null) {
                sb.append('/').append(encode(database, "/?#%", encodeEverything));
            }
            char separator = '?';
            Map<String, String> all = new LinkedHashMap<>(vendorParameters);
            all.putAll(haParameters);
            for (Map.Entry<String, String> e : all.entrySet()) {
                sb.append(separator).append(encode(e.getKey(), "&=#%", encodeEverything)).append('=')
                        .append(encode(e.getValue(), "&#%", encodeEverything));
                separator = '&';
            }
            return sb.toString();
        }

        @Override
        public String toString() {
            return url();
        }
    }

    /** Percent-encodes what must be, and everything but unreserved characters when asked. */
    static String encode(String s, String mustEncode, boolean everything) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> {
            boolean unreserved = cp < 128 && (Character.isLetterOrDigit(cp) || "-._~".indexOf(cp) >= 0);
            if ((everything && !unreserved) || (cp < 128 && mustEncode.indexOf(cp) >= 0)) {
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    sb.append('%').append(String.format("%02X", b & 0xff));
                }
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------------- generators

    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String DIGITS = "0123456789";
    /** Printable ASCII, with every URL delimiter. */
    private static final String PRINTABLE;

    static {
        StringBuilder sb = new StringBuilder();
        for (char c = ' '; c <= '~'; c++) {
            sb.append(c);
        }
        PRINTABLE = sb.toString();
    }

    private static String hostName(Random random) {
        List<String> labels = new ArrayList<>();
        for (int n = SeededCases.edgeBiasedInt(random, 1, 3); labels.size() < n; ) {
            String label = SeededCases.string(random, LOWER + DIGITS + "-", 1, 10);
            labels.add(label.startsWith("-") ? "h" + label : label);
        }
        return String.join(".", labels);
    }

    private static String ipv4(Random random) {
        return SeededCases.edgeBiasedInt(random, 0, 255) + "." + SeededCases.edgeBiasedInt(random, 0, 255) + "."
                + SeededCases.edgeBiasedInt(random, 0, 255) + "." + SeededCases.edgeBiasedInt(random, 0, 255);
    }

    private static String ipv6(Random random) {
        if (random.nextBoolean()) {
            return "[" + SeededCases.oneOf(random, "::1", "fe80::1", "2001:db8::42", "::") + "]";
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 8; i++) {
            sb.append(i == 0 ? "" : ":").append(Integer.toHexString(SeededCases.edgeBiasedInt(random, 0, 0xffff)));
        }
        return sb.append(']').toString();
    }

    private static String hostText(Random random) {
        String host = switch (random.nextInt(3)) {
            case 0 -> hostName(random);
            case 1 -> ipv4(random);
            default -> ipv6(random);
        };
        return random.nextBoolean() ? host : host + ":" + SeededCases.edgeBiasedInt(random, 1, 65535);
    }

    /** Printable ASCII including every URL delimiter, a few non-ASCII letters, an emoji, a tab, and blanks. */
    private static String value(Random random) {
        return switch (random.nextInt(12)) {
            case 0 -> "";
            case 1 -> "\ud83d\ude00";
            case 2 -> " ";
            default -> SeededCases.string(random, PRINTABLE + "\u00e9\u00df\u20ac\t\ud83d\ude00", 0, 16);
        };
    }

    private static Map<String, String> vendorParameters(Random random) {
        // "zz" keeps clear of the vendors' own option names, which they would interpret and not hand back as given
        Map<String, String> parameters = new LinkedHashMap<>();
        List<String> values = new ArrayList<>();
        for (int n = SeededCases.edgeBiasedInt(random, 0, 5), i = 0; i < n; i++) {
            String key = "zz" + SeededCases.string(random, LOWER + LOWER.toUpperCase(Locale.ROOT) + DIGITS + "_", 1, 8);
            // a value seen before, now and then: the same value under two keys
            String v = !values.isEmpty() && random.nextInt(20) == 0 ? SeededCases.oneOf(random, values) : value(random);
            values.add(v);
            parameters.put(key, v);
        }
        return parameters;
    }

    private static Map<String, String> haParameters(Random random) {
        Map<String, String> parameters = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (int n = SeededCases.edgeBiasedInt(random, 0, 4), i = 0; i < n; i++) {
            Map.Entry<String, String> e = switch (random.nextInt(5)) {
                case 0 -> Map.entry("ha.maxReplicaLag", SeededCases.edgeBiasedInt(random, 2, 3600) + "s");
                case 1 -> Map.entry("ha.readStrategy",
                        SeededCases.oneOf(random, "round-robin", "power-of-two", "least-outstanding", "latency-weighted"));
                case 2 -> Map.entry("ha.failover", SeededCases.oneOf(random, "observe", "promote"));
                case 3 -> Map.entry("ha.recoverAfter", Integer.toString(SeededCases.edgeBiasedInt(random, 1, 100)));
                default -> Map.entry("ha.zone", SeededCases.oneOf(random, "eu-1a", "us_east.2"));
            };
            if (seen.add(e.getKey().toLowerCase(Locale.ROOT))) {
                parameters.put(random.nextBoolean() ? e.getKey().toUpperCase(Locale.ROOT) : e.getKey(), e.getValue());
            }
        }
        return parameters;
    }

    static Spec validUrl(Random random) {
        List<String> hostTexts = new ArrayList<>();
        Set<NodeAddress> addresses = new LinkedHashSet<>();
        for (int n = SeededCases.edgeBiasedInt(random, 1, 5); hostTexts.size() < n; ) {
            String text = hostText(random);
            if (addresses.add(NodeAddress.parse(text))) {
                hostTexts.add(text);
            }
        }
        String database = random.nextInt(10) < 3 ? null : SeededCases.string(random, LOWER + DIGITS + "_$", 1, 10);
        Vendor vendor = SeededCases.oneOf(random, Vendor.values());
        return new Spec(vendor, List.copyOf(addresses), hostTexts, database, vendorParameters(random),
                haParameters(random), random.nextBoolean());
    }

    /** A start that reaches some way into the parser, then noise made of URL delimiters and a few letters. */
    static String urlNoise(Random random) {
        String start = SeededCases.oneOf(random, "", "mysql", "mariadb", "mysql:", "mysql://", "mariadb://", "mysql://h1",
                "mariadb://[::1]", "postgresql://", "mysql:replication://", "//");
        return start + SeededCases.string(random, "ab1:/?&=%[],.@#-_ +hH3\u00e9(", 0, 40);
    }

    // ---------------------------------------------------------------------------------------------- properties

    @Test
    void validUrlsRoundTrip() {
        SeededCases.check(400, random -> validUrlRoundTrips(validUrl(random)));
    }

    private static void validUrlRoundTrips(Spec spec) throws SQLException {
        HaUrl url = HaUrl.parse(spec.url(), null);

        assertThat(url.vendor()).isEqualTo(spec.vendor);
        assertThat(url.hosts()).isEqualTo(spec.hosts);
        assertThat(url.config().seeds()).isEqualTo(spec.hosts);
        assertThat(url.database()).isEqualTo(spec.database);
        assertThat(url.vendorParameters()).containsExactlyEntriesOf(spec.vendorParameters);
        assertThat(HaUrl.parse(spec.url(), null)).isEqualTo(url);
    }

    @Test
    void havenKeysNeverReachTheVendor() {
        SeededCases.check(400, random -> havenKeysNeverReachTheVendor(validUrl(random)));
    }

    private static void havenKeysNeverReachTheVendor(Spec spec) throws SQLException {
        HaUrl url = HaUrl.parse(spec.url(), null);

        for (NodeAddress node : url.hosts()) {
            // Only the query can carry a parameter: a host or database may well contain "ha." (a host "ha.a").
            String vendorUrl = url.vendorUrl(node).toLowerCase(Locale.ROOT);
            int query = vendorUrl.indexOf('?');
            String parameters = query < 0 ? "" : vendorUrl.substring(query + 1);
            assertThat(("&" + parameters)).doesNotContain("&ha.", "&ha%2e");
        }
        assertThat(url.vendorProperties().stringPropertyNames())
                .noneMatch(k -> k.toLowerCase(Locale.ROOT).startsWith("ha."));
        assertThat(url.vendorParameters().keySet()).noneMatch(k -> k.toLowerCase(Locale.ROOT).startsWith("ha."));
    }

    /** The vendor's own parser, given our URL and properties, sees our host, database and parameters exactly. */
    @Test
    void eachVendorReadsBackWhatHavenDecoded() {
        SeededCases.check(400, random -> eachVendorReadsBackWhatHavenDecoded(validUrl(random)));
    }

    private static void eachVendorReadsBackWhatHavenDecoded(Spec spec) throws SQLException {
        Properties credentials = new Properties();
        credentials.setProperty("user", "monitor");
        credentials.setProperty("password", PASSWORD);
        HaUrl url = HaUrl.parse(spec.url(), credentials);

        for (NodeAddress node : url.hosts()) {
            String vendorUrl = url.vendorUrl(node);
            Properties props = url.vendorProperties();
            assertThat(vendorUrl).doesNotContain(PASSWORD, "monitor");
            Map<String, String> seen = new LinkedHashMap<>();
            if (spec.vendor == Vendor.MYSQL) {
                ConnectionUrl parsed = ConnectionUrl.getConnectionUrlInstance(vendorUrl, props);
                HostInfo host = parsed.getMainHost();
                assertThat(host.getHost()).isIn(node.host(), "[" + node.host() + "]");
                assertThat(host.getPort()).isEqualTo(node.port());
                assertThat(emptyToNull(parsed.getDatabase())).isEqualTo(spec.database);
                assertThat(host.getUser()).isEqualTo("monitor");
                assertThat(host.getPassword()).isEqualTo(PASSWORD);
                for (String key : spec.vendorParameters.keySet()) {
                    seen.put(key, host.getHostProperties().get(key));
                }
            } else {
                Configuration parsed = Configuration.parse(vendorUrl, props);
                assertThat(parsed.addresses()).hasSize(1);
                assertThat(parsed.addresses().get(0).host).isEqualTo(node.host());
                assertThat(parsed.addresses().get(0).port).isEqualTo(node.port());
                assertThat(parsed.database()).isEqualTo(spec.database);
                assertThat(parsed.user()).isEqualTo("monitor");
                assertThat(parsed.password()).isEqualTo(PASSWORD);
                for (String key : spec.vendorParameters.keySet()) {
                    seen.put(key, parsed.nonMappedOptions().getProperty(key));
                }
            }
            assertThat(seen).as("%s + %s", vendorUrl, props).containsExactlyEntriesOf(spec.vendorParameters);
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Test
    void anythingElseParsesOrFailsWithAnSqlExceptionThatHidesThePassword() {
        SeededCases.check(1000, random -> parsesOrFailsHidingThePassword(urlNoise(random), random.nextBoolean()));
    }

    private static void parsesOrFailsHidingThePassword(String rest, boolean passwordInUrlToo) {
        String url = "jdbc:ha:" + rest;
        if (passwordInUrlToo) {
            url += (rest.indexOf('?') >= 0 ? "&" : "?") + "password=" + PASSWORD;
        }
        Properties props = new Properties();
        props.setProperty("user", "app");
        props.setProperty("password", PASSWORD);
        props.setProperty("trustCertificateKeyStorePassword", PASSWORD);
        try {
            HaUrl parsed = HaUrl.parse(url, props);
            assertThat(parsed.toString()).doesNotContain(PASSWORD);
            for (NodeAddress node : parsed.hosts()) {
                assertThat(parsed.vendorUrl(node)).doesNotContain(PASSWORD);
            }
            assertThat(parsed.vendorProperties().toString()).doesNotContain(PASSWORD);
        } catch (SQLException e) {
            assertThat(e.getSQLState()).isEqualTo("08001");
            assertThat(e.getMessage()).isNotBlank().doesNotContain(PASSWORD);
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD);
            }
        }
    }
}
