package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.haven.core.HavenConfig;
import dev.haven.core.NodeAddress;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HaUrlTest {

    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void parsesVendorHostsDatabaseAndParameters() throws SQLException {
        HaUrl url = HaUrl.parse("jdbc:ha:mysql://h1:3306,h2,[::1]:3307/app?ha.maxReplicaLag=2s&sslMode=REQUIRED&useSSL=true",
                null);

        assertThat(url.vendor()).isEqualTo(Vendor.MYSQL);
        assertThat(url.hosts()).containsExactly(NodeAddress.of("h1", 3306), NodeAddress.of("h2", 3306),
                NodeAddress.of("::1", 3307));
        assertThat(url.database()).isEqualTo("app");
        assertThat(url.vendorParameters()).containsExactly(Map.entry("sslMode", "REQUIRED"), Map.entry("useSSL", "true"));
        assertThat(url.config().maxReplicaLag()).isEqualTo(Duration.ofSeconds(2));
        assertThat(url.config().seeds()).isEqualTo(url.hosts());
    }

    @Test
    void mariadbUrlWithoutDatabaseOrQuery() throws SQLException {
        HaUrl url = HaUrl.parse("jdbc:ha:mariadb://db1,db2,db3", new Properties());

        assertThat(url.vendor()).isEqualTo(Vendor.MARIADB);
        assertThat(url.hosts()).hasSize(3);
        assertThat(url.database()).isNull();
        assertThat(url.vendorParameters()).isEmpty();
        assertThat(url.config()).isEqualTo(HavenConfig.builder().seeds("db1:3306", "db2:3306", "db3:3306").build());
        assertThat(url.vendorUrl(url.hosts().get(1))).isEqualTo("jdbc:mariadb://db2:3306/");
    }

    @Test
    void emptyDatabaseAndEmptySegmentsAreNothing() throws SQLException {
        HaUrl url = HaUrl.parse("jdbc:ha:mysql://db1/?&&a=1&", null);

        assertThat(url.database()).isNull();
        assertThat(url.vendorParameters()).containsExactly(Map.entry("a", "1"));
    }

    @Test
    void vendorUrlIsOneNodeWithVendorKeysInOrderAndNoHavenKeys() throws SQLException {
        HaUrl url = HaUrl.parse("jdbc:ha:mysql://h1,[::1]:3307/app?zeta=1&ha.failover=promote&alpha=2&ha.zone=eu-1a", null);

        assertThat(url.vendorUrl(NodeAddress.of("::1", 3307))).isEqualTo("jdbc:mysql://[::1]:3307/app?zeta=1&alpha=2");
        assertThat(url.vendorUrl(NodeAddress.of("h1", 3306))).isEqualTo("jdbc:mysql://h1:3306/app?zeta=1&alpha=2");
        assertThat(url.config().failover()).isEqualTo(HavenConfig.FailoverMode.PROMOTE);
        assertThat(url.config().zone()).isEqualTo("eu-1a");
        assertThat(url.vendorProperties()).isEmpty();
    }

    @Test
    void percentEscapesAreDecodedOnceAndReEncodedForEachVendor() throws SQLException {
        String query = "?sessionVariables=sql_mode%3D%27ANSI%27&tz=%2B01:00&plus=a+b&amp=x%26y&%C3%A9t%C3%A9=%E2%82%AC";

        HaUrl mysql = HaUrl.parse("jdbc:ha:mysql://h/my%20db" + query, null);
        HaUrl mariadb = HaUrl.parse("jdbc:ha:mariadb://h/my_db" + query, null);

        assertThat(mysql.database()).isEqualTo("my db");
        for (HaUrl url : List.of(mysql, mariadb)) {
            assertThat(url.vendorParameters()).containsExactly(Map.entry("sessionVariables", "sql_mode='ANSI'"),
                    Map.entry("tz", "+01:00"), Map.entry("plus", "a+b"), Map.entry("amp", "x&y"),
                    Map.entry("\u00e9t\u00e9", "\u20ac"));
        }
        // mysql-connector-j decodes with URLDecoder: '+' must travel as %2B
        assertThat(mysql.vendorUrl(NodeAddress.of("h", 3306))).isEqualTo("jdbc:mysql://h:3306/my%20db"
                + "?sessionVariables=sql_mode%3D%27ANSI%27&tz=%2B01%3A00&plus=a%2Bb&amp=x%26y&%C3%A9t%C3%A9=%E2%82%AC");
        assertThat(mysql.vendorProperties()).isEmpty();
    }

    @Test
    void mariadbTakesItsUrlLiterallySoWhatItCannotCarryGoesInTheProperties() throws SQLException {
        HaUrl url = HaUrl.parse("jdbc:ha:mariadb://h/app?sessionVariables=sql_mode='ANSI'&tz=%2B01:00&amp=x%26y", null);

        assertThat(url.vendorUrl(NodeAddress.of("h", 3306)))
                .isEqualTo("jdbc:mariadb://h:3306/app?sessionVariables=sql_mode='ANSI'&tz=+01:00");
        assertThat(url.vendorProperties()).containsExactly(Map.entry("amp", "x&y"));
    }

    @Test
    void propertiesOverrideTheQueryStringAndKeepItsOrder() throws SQLException {
        HaUrl url = HaUrl.parse("jdbc:ha:mysql://h/app?b=url&a=url&ha.probeInterval=2s&ha.suspectAfter=1500ms",
                props("a", "props", "c", "props-only", "ha.probeInterval", "500ms"));

        assertThat(url.vendorParameters()).containsExactly(Map.entry("b", "url"), Map.entry("a", "props"),
                Map.entry("c", "props-only"));
        assertThat(url.config().probeInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(url.config().suspectAfter()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void propertyValuesAreTakenLiterally() throws SQLException {
        HaUrl url = HaUrl.parse("jdbc:ha:mysql://h", props("x", "a%20b"));

        assertThat(url.vendorParameters()).containsEntry("x", "a%20b");
    }

    @Test
    void credentialsGoOnlyToTheVendorProperties() throws SQLException {
        HaUrl url = HaUrl.parse("jdbc:ha:mysql://h/app?user=U-1&password=PW-1&trustCertificateKeyStorePassword=KS-1&x=1",
                props("password", "PW-2"));

        assertThat(url.vendorUrl(NodeAddress.of("h", 3306))).isEqualTo("jdbc:mysql://h:3306/app?x=1");
        assertThat(url.vendorParameters()).containsExactly(Map.entry("x", "1"));
        assertThat(url.vendorProperties()).containsOnly(Map.entry("user", "U-1"), Map.entry("password", "PW-2"),
                Map.entry("trustCertificateKeyStorePassword", "KS-1"));
        assertThat(url.user()).isEqualTo("U-1");
        assertThat(url.vendorProperties().toString()).doesNotContain("PW-", "KS-1", "U-1").contains("****");
        assertThat(url.toString()).doesNotContain("PW-", "KS-1", "U-1").contains("x=1");
    }

    @Test
    void havenKeysAreCaseInsensitiveAndNeverReachTheVendor() throws SQLException {
        HaUrl url = HaUrl.parse("jdbc:ha:mariadb://h?HA.MaxReplicaLag=7s", props("Ha.ReadStrategy", "power-of-two"));

        assertThat(url.config().maxReplicaLag()).isEqualTo(Duration.ofSeconds(7));
        assertThat(url.config().readStrategy()).isEqualTo(HavenConfig.ReadStrategy.POWER_OF_TWO);
        assertThat(url.vendorUrl(url.hosts().get(0))).doesNotContainIgnoringCase("ha.");
        assertThat(url.vendorProperties()).isEmpty();
    }

    @Test
    void withVendorParametersReplacesInPlaceAppendsAndRemoves() throws SQLException {
        HaUrl url = HaUrl.parse("jdbc:ha:mysql://h?connectTimeout=30000&a=1&socketTimeout=0", props("user", "u"));
        Map<String, String> changes = new java.util.LinkedHashMap<>();
        changes.put("socketTimeout", "1000");
        changes.put("connectTimeout", "500");
        changes.put("user", null);
        changes.put("z", "9");

        HaUrl changed = url.withVendorParameters(changes);

        assertThat(changed.vendorUrl(NodeAddress.of("h", 3306)))
                .isEqualTo("jdbc:mysql://h:3306/?connectTimeout=500&a=1&socketTimeout=1000&z=9");
        assertThat(changed.user()).isNull();
        assertThat(url.user()).isEqualTo("u");
        assertThatThrownBy(() -> url.withVendorParameters(Map.of("ha.zone", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ha.zone");
    }

    @Test
    void equalUrlsAreEqual() throws SQLException {
        assertThat(HaUrl.parse("jdbc:ha:mysql://H1,h2:3306/d?a=1", null))
                .isEqualTo(HaUrl.parse("jdbc:ha:MySQL://h1:3306,h2/d?a=%31", null))
                .hasSameHashCodeAs(HaUrl.parse("jdbc:ha:mysql://h1:3306,h2/d?a=1", null));
    }

    @Test
    void acceptsOnlyHavenUrls() {
        assertThat(HaUrl.accepts("jdbc:ha:mysql://h")).isTrue();
        assertThat(HaUrl.accepts("jdbc:mysql://h")).isFalse();
        assertThat(HaUrl.accepts(null)).isFalse();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                // url, properties, fragments the message must contain
                Arguments.of("jdbc:mysql://h/db", props(), List.of("must start with 'jdbc:ha:'")),
                Arguments.of("jdbc:ha:postgresql://h/db", props(), List.of("unknown driver 'postgresql'", "mysql, mariadb")),
                Arguments.of("jdbc:ha:", props(), List.of("names no driver")),
                Arguments.of("jdbc:ha://h/db", props(), List.of("names no driver")),
                Arguments.of("jdbc:ha:mysql", props(), List.of("missing ':' after 'jdbc:ha:mysql'")),
                Arguments.of("jdbc:ha:mysql:h1,h2/db", props(), List.of("missing '//' after 'jdbc:ha:mysql:'")),
                Arguments.of("jdbc:ha:mysql:/h1/db", props(), List.of("missing '//'")),
                Arguments.of("jdbc:ha:mysql:replication://h1,h2/db", props(),
                        List.of("'jdbc:ha:mysql:replication://' is not supported", "Haven chooses the node itself")),
                Arguments.of("jdbc:ha:mariadb://", props(), List.of("lists no host")),
                Arguments.of("jdbc:ha:mariadb:///db", props(), List.of("lists no host")),
                Arguments.of("jdbc:ha:mysql://h1,,h2/db", props(), List.of("empty entry", "h1,,h2")),
                Arguments.of("jdbc:ha:mysql://h1,/db", props(), List.of("empty entry")),
                Arguments.of("jdbc:ha:mysql://h1:0/db", props(), List.of("h1:0", "port 0 out of range 1-65535")),
                Arguments.of("jdbc:ha:mysql://h1:65536/db", props(), List.of("h1:65536", "port 65536 out of range 1-65535")),
                Arguments.of("jdbc:ha:mysql://h1:33o6/db", props(), List.of("h1:33o6", "no valid port", "1-65535")),
                Arguments.of("jdbc:ha:mysql://h1:/db", props(), List.of("h1:", "no valid port")),
                Arguments.of("jdbc:ha:mysql://[::1:3306/db", props(), List.of("[::1:3306", "no closing ']'")),
                Arguments.of("jdbc:ha:mysql://::1]:3306/db", props(), List.of("::1]:3306", "brackets")),
                Arguments.of("jdbc:ha:mysql://[::1]x/db", props(), List.of("[::1]x", "not ':port'")),
                Arguments.of("jdbc:ha:mysql://db1:3306,DB1/db", props(), List.of("names db1:3306 twice")),
                Arguments.of("jdbc:ha:mysql://db 1/db", props(), List.of("'db 1'", "contains ' '")),
                Arguments.of("jdbc:ha:mysql://app:pw@h1/db", props(), List.of("contains '@'", "connection properties")),
                Arguments.of("jdbc:ha:mysql://address=(host=h1)(port=3306)/db", props(), List.of("key-value host syntax")),
                Arguments.of("jdbc:ha:mysql://h1/a/b", props(), List.of("database 'a/b' contains '/'")),
                Arguments.of("jdbc:ha:mariadb://h1/a%3Fb", props(), List.of("database name 'a?b'", "MariaDB Connector/J")),
                Arguments.of("jdbc:ha:mysql://h1/db#frag", props(), List.of("contains '#'")),
                Arguments.of("jdbc:ha:mysql://h1/db?a=50%", props(), List.of("parameter a", "'50%'", "two hex digits")),
                Arguments.of("jdbc:ha:mysql://h1/db?a=%zz", props(), List.of("'%zz'", "two hex digits", "%25")),
                Arguments.of("jdbc:ha:mysql://h1/db?a=%C3%28", props(), List.of("'%C3%28'", "not UTF-8")),
                Arguments.of("jdbc:ha:mysql://h1/db?=1", props(), List.of("parameter with no name")),
                Arguments.of("jdbc:ha:mysql://h1/db?a=1&a=2", props(), List.of("parameter a twice")),
                Arguments.of("jdbc:ha:mysql://h1/db?ha.zone=a&HA.ZONE=b", props(), List.of("ha.zone twice")),
                Arguments.of("jdbc:ha:mysql://h1/db?ha.maxReplicaLagg=2s", props(),
                        List.of("unknown setting 'ha.maxReplicaLagg'", "valid settings:", "ha.maxReplicaLag,", "ha.failover")),
                Arguments.of("jdbc:ha:mysql://h1/db?ha.maxReplicaLag=2 seconds", props(),
                        List.of("in the URL", "ha.maxReplicaLag", "'2 seconds'", "not a duration", "ms, s, m or h")),
                Arguments.of("jdbc:ha:mysql://h1/db?ha.probeInterval=0ms", props(),
                        List.of("ha.probeInterval", "'0ms'", "too short", "from 10ms")),
                Arguments.of("jdbc:ha:mysql://h1/db?ha.recoverAfter=lots", props(),
                        List.of("ha.recoverAfter", "'lots'", "not a whole number", "from 1 to 100")),
                Arguments.of("jdbc:ha:mysql://h1/db?ha.recoverAfter=1000", props(),
                        List.of("ha.recoverAfter", "'1000'", "out of range", "from 1 to 100")),
                Arguments.of("jdbc:ha:mysql://h1/db?ha.failover=sometimes", props(),
                        List.of("ha.failover", "'sometimes'", "observe, promote")),
                Arguments.of("jdbc:ha:mysql://h1/db?ha.seeds=h2", props(), List.of("ha.seeds cannot be set in the URL", "host list")),
                Arguments.of("jdbc:ha:mysql://h1/db?ha.failover.rejoin=true", props(),
                        List.of("ha.failover.rejoin", "need ha.failover=promote")),
                Arguments.of("jdbc:ha:mysql://h1/db", props("ha.deadAfter", "soon"),
                        List.of("in the connection properties", "ha.deadAfter", "'soon'", "not a duration")),
                Arguments.of("jdbc:ha:mysql://h1/db", props("ha.nonsense", "1"), List.of("unknown setting 'ha.nonsense'")),
                Arguments.of("jdbc:ha:mysql://h1/db", props("ha.readstrategy", "round-robin", "HA.READSTRATEGY", "random"),
                        List.of("ha.readstrategy twice")),
                Arguments.of("jdbc:ha:mysql://h1/db", props("ha.seeds", "h1,h2"), List.of("connection properties", "ha.seeds")),
                Arguments.of("jdbc:ha:mysql://h1/db?ha.probeInterval=5s", props(),
                        List.of("ha.suspectAfter (1s) must be at least ha.probeInterval (5s)")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("malformed")
    void rejectsWithAMessageNamingTheProblem(String url, Properties props, List<String> fragments) {
        SQLException e = catchThrowableOfType(SQLException.class, () -> HaUrl.parse(url, props));

        assertThat((Throwable) e).as("parse(%s)", url).isInstanceOf(SQLNonTransientConnectionException.class);
        assertThat(e.getSQLState()).isEqualTo("08001");
        assertThat(e.getMessage()).contains(fragments);
    }

    @Test
    void aNullUrlIsRejected() {
        assertThatThrownBy(() -> HaUrl.parse(null, null)).isInstanceOf(SQLException.class).hasMessageContaining("no URL");
    }

}
