package dev.haven.core;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.Chars;
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

    @Property(tries = 300)
    void formatThenParseIsIdentityForHostNames(@ForAll @Chars({'a', 'b', 'z', '0', '9', '.', '-', '_'}) @StringLength(min = 1, max = 20) String host,
                                              @ForAll @IntRange(min = 1, max = 65535) int port) {
        NodeAddress a = NodeAddress.of(host, port);
        assertThat(NodeAddress.parse(a.toString())).isEqualTo(a);
    }

    @Property(tries = 300)
    void formatThenParseIsIdentityForIpv6(@ForAll @Chars({'0', '1', 'a', 'f', ':'}) @NumericChars @StringLength(min = 2, max = 39) String host,
                                         @ForAll @IntRange(min = 1, max = 65535) int port) {
        if (host.indexOf(':') < 0) {
            return;
        }
        NodeAddress a = NodeAddress.of(host, port);
        assertThat(a.toString()).startsWith("[");
        assertThat(NodeAddress.parse(a.toString())).isEqualTo(a);
    }
}
