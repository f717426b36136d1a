package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.mysql.cj.conf.ConnectionUrl;
import com.mysql.cj.conf.HostInfo;
import dev.haven.core.NodeAddress;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mariadb.jdbc.Configuration;

/**
 * {@link HaUrl} over generated input: valid URLs round-trip, each vendor's own URL parser reads back exactly what
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

    private static Arbitrary<String> hostName() {
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('-')
                .ofMinLength(1).ofMaxLength(10).filter(l -> !l.startsWith("-"));
        return label.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(".", l));
    }

    private static Arbitrary<String> ipv4() {
        return Arbitraries.integers().between(0, 255).list().ofSize(4)
                .map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
    }

    private static Arbitrary<String> ipv6() {
        Arbitrary<String> full = Arbitraries.integers().between(0, 0xffff).list().ofSize(8).map(l -> {
            StringBuilder sb = new StringBuilder();
            for (int g : l) {
                sb.append(sb.length() == 0 ? "" : ":").append(Integer.toHexString(g));
            }
            return sb.toString();
        });
        return Arbitraries.oneOf(full, Arbitraries.of("::1", "fe80::1", "2001:db8::42", "::"))
                .map(h -> "[" + h + "]");
    }

    private static Arbitrary<String> hostText() {
        Arbitrary<String> host = Arbitraries.oneOf(hostName(), ipv4(), ipv6());
        Arbitrary<String> port = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.integers().between(1, 65535).map(p -> ":" + p));
        return Combinators.combine(host, port).as((h, p) -> h + p);
    }

    private static Arbitrary<String> value() {
        // printable ASCII including every URL delimiter, a few non-ASCII letters, an emoji, and blanks
        return Arbitraries.strings().withCharRange(' ', '~').withChars('\u00e9', '\u00df', '\u20ac', '\t')
                .ofMaxLength(16)
                .injectDuplicates(0.05)
                .edgeCases(e -> e.add("\ud83d\ude00"));
    }

    private static Arbitrary<Map<String, String>> vendorParameters() {
        // "zz" keeps clear of the vendors' own option names, which they would interpret and not hand back as given
        Arbitrary<String> key = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
                .withCharRange('0', '9').withChars('_').ofMinLength(1).ofMaxLength(8).map(k -> "zz" + k);
        return Arbitraries.maps(key, value()).ofMaxSize(5).map(LinkedHashMap::new);
    }

    private static Arbitrary<Map<String, String>> haParameters() {
        Arbitrary<Map.Entry<String, String>> entry = Arbitraries.oneOf(
                Arbitraries.integers().between(2, 3600).map(n -> Map.entry("ha.maxReplicaLag", n + "s")),
                Arbitraries.of("round-robin", "power-of-two", "least-outstanding", "latency-weighted")
                        .map(v -> Map.entry("ha.readStrategy", v)),
                Arbitraries.of("observe", "promote").map(v -> Map.entry("ha.failover", v)),
                Arbitraries.integers().between(1, 100).map(n -> Map.entry("ha.recoverAfter", Integer.toString(n))),
                Arbitraries.of("eu-1a", "us_east.2").map(v -> Map.entry("ha.zone", v)));
        Arbitrary<Boolean> upper = Arbitraries.of(true, false);
        return Combinators.combine(entry, upper).as((e, u) -> Map.entry(u ? e.getKey().toUpperCase(Locale.ROOT) : e.getKey(),
                e.getValue())).list().ofMaxSize(4).uniqueElements(e -> e.getKey().toLowerCase(Locale.ROOT)).map(l -> {
                    Map<String, String> m = new LinkedHashMap<>();
                    l.forEach(e -> m.put(e.getKey(), e.getValue()));
                    return m;
                });
    }

    @Provide
    Arbitrary<Spec> validUrls() {
        Arbitrary<List<String>> hosts = hostText().list().ofMinSize(1).ofMaxSize(5)
                .uniqueElements(t -> NodeAddress.parse(t));
        Arbitrary<String> database = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
                .withChars('_', '$').ofMinLength(1).ofMaxLength(10).injectNull(0.3);
        return Combinators.combine(Arbitraries.of(Vendor.class), hosts, database, vendorParameters(), haParameters(),
                Arbitraries.of(true, false)).as((v, h, d, vp, hp, enc) -> {
                    List<NodeAddress> addresses = h.stream().map(NodeAddress::parse).toList();
                    return new Spec(v, addresses, h, d, vp, hp, enc);
                });
    }

    // ---------------------------------------------------------------------------------------------- properties

    @Property(tries = 400)
    void validUrlsRoundTrip(@ForAll("validUrls") Spec spec) throws SQLException {
        HaUrl url = HaUrl.parse(spec.url(), null);

        assertThat(url.vendor()).isEqualTo(spec.vendor);
        assertThat(url.hosts()).isEqualTo(spec.hosts);
        assertThat(url.config().seeds()).isEqualTo(spec.hosts);
        assertThat(url.database()).isEqualTo(spec.database);
        assertThat(url.vendorParameters()).containsExactlyEntriesOf(spec.vendorParameters);
        assertThat(HaUrl.parse(spec.url(), null)).isEqualTo(url);
    }

    @Property(tries = 400)
    void havenKeysNeverReachTheVendor(@ForAll("validUrls") Spec spec) throws SQLException {
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
    @Property(tries = 400)
    void eachVendorReadsBackWhatHavenDecoded(@ForAll("validUrls") Spec spec) throws SQLException {
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

    @Provide
    Arbitrary<String> urlNoise() {
        Arbitrary<String> start = Arbitraries.of("", "mysql", "mariadb", "mysql:", "mysql://", "mariadb://", "mysql://h1",
                "mariadb://[::1]", "postgresql://", "mysql:replication://", "//");
        Arbitrary<String> rest = Arbitraries.strings().withChars("ab1:/?&=%[],.@#-_ +hH3\u00e9(").ofMaxLength(40);
        return Combinators.combine(start, rest).as((s, r) -> s + r);
    }

    @Property(tries = 1000)
    void anythingElseParsesOrFailsWithAnSqlExceptionThatHidesThePassword(@ForAll("urlNoise") String rest,
            @ForAll boolean passwordInUrlToo) {
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
