package dev.haven.core;

import dev.haven.testkit.SeededCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeAddressTest {

    @ParameterizedTest
    @CsvSource({
            "db1,db1,3306,db1:3306",
            "db1:3307,db1,3307,db1:3307",
            "DB1.Example.COM:3306,db1.example.com,3306,db1.example.com:3306",
            "10.0.0.1,10.0.0.1,3306,10.0.0.1:3306",
            "[::1],::1,3306,[::1]:3306",
            "[::1]:3307,::1,3307,[::1]:3307",
            "[FE80::1]:1,fe80::1,1,[fe80::1]:1",
            " db2 ,db2,3306,db2:3306",
    })
    void parsesAndFormats(String text, String host, int port, String formatted) {
        NodeAddress a = NodeAddress.parse(text);
        assertThat(a.host()).isEqualTo(host);
        assertThat(a.port()).isEqualTo(port);
        assertThat(a).hasToString(formatted);
        assertThat(NodeAddress.parse(a.toString())).isEqualTo(a);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ":3306", "db1:", "db1:0", "db1:65536", "db1:abc", "::1", "fe80::1:3306",
            "[::1", "[::1]x", "[::g]", "db 1", "db1:33:06", "db1:-1"})
    void rejectsMalformed(String text) {
        assertThatThrownBy(() -> NodeAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bareIpv6AsksForBrackets() {
        assertThatThrownBy(() -> NodeAddress.parse("::1")).hasMessageContaining("put it in brackets");
    }

    @Test
    void equalityIgnoresHostCase() {
        assertThat(NodeAddress.parse("DB1")).isEqualTo(NodeAddress.of("db1", 3306)).hasSameHashCodeAs(NodeAddress.of("db1", 3306));
        assertThat(NodeAddress.parse("db1:3307")).isNotEqualTo(NodeAddress.parse("db1"));
    }

    /** Generated: any host name and port, formatted, parse back to the same address. */
    @Test
    void formatThenParseIsIdentityForHostNames() {
        SeededCases.check(300, random -> {
            String host = SeededCases.string(random, "abz09.-_", 1, 20);
            int port = SeededCases.edgeBiasedInt(random, 1, 65535);
            NodeAddress a = NodeAddress.of(host, port);
            assertThat(NodeAddress.parse(a.toString())).as("%s:%d", host, port).isEqualTo(a);
        });
    }

    /** Generated: any IPv6-looking host (a ':' in it) is formatted in brackets and parses back to the same address. */
    @Test
    void formatThenParseIsIdentityForIpv6() {
        SeededCases.check(300, random -> {
            String host = SeededCases.string(random, "01af:", 2, 39);
            if (host.indexOf(':') < 0) {
                host = host.substring(0, 1) + ":" + host.substring(1);
            }
            int port = SeededCases.edgeBiasedInt(random, 1, 65535);
            NodeAddress a = NodeAddress.of(host, port);
            assertThat(a.toString()).startsWith("[");
            assertThat(NodeAddress.parse(a.toString())).as("[%s]:%d", host, port).isEqualTo(a);
        });
    }

    /** Generated: a host text with a character no host may hold, or a port out of range, is refused. */
    @Test
    void rejectsGeneratedMalformedAddresses() {
        SeededCases.check(300, random -> {
            String host = SeededCases.string(random, "abz09.-_", 1, 12);
            String text;
            switch (random.nextInt(4)) {
                case 0 -> text = host + ":" + SeededCases.oneOf(random, "0", "65536", "-1", "", "x", "1:2",
                        Integer.toString(65536 + random.nextInt(1_000_000)));
                case 1 -> {
                    // inside the host, so that trimming cannot remove a blank
                    int at = random.nextInt(host.length() + 1);
                    String bad = SeededCases.oneOf(random, " ", "\t", "/", "?", "@", "#", ",", "[", "]", "\u00e9");
                    text = "a" + host.substring(0, at) + bad + host.substring(at) + "a";
                }
                case 2 -> text = "[" + SeededCases.string(random, "01af:", 2, 12) + SeededCases.oneOf(random, "", "]x", "]:", "]:0");
                default -> text = SeededCases.string(random, "01af", 1, 4) + "::" + SeededCases.string(random, "01af", 1, 4);
            }
            String input = text;
            assertThatThrownBy(() -> NodeAddress.parse(input)).as("'%s'", input)
                    .isInstanceOf(IllegalArgumentException.class);
        });
    }
}
