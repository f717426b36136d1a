package dev.haven.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Errant transactions of a returning MariaDB primary (by (domain, server) in the binary log state), and string literals for secrets. */
class ServerAdminTest {

    @ParameterizedTest(name = "{1} misses {2} of {0}")
    @CsvSource(delimiter = '|', value = {
            // the old primary's own last write, 0-1-8, never reached the new primary, which wrote 0-2-8 itself
            "0-1-8|0-1-7,0-2-8|1",
            "0-1-7|0-1-7,0-2-9|0",
            "0-1-9|0-1-7|2",
            "0-1-7,1-1-3|0-1-7|3",
            "''|0-1-7|0",
    })
    void binlogStatesAreComparedPerDomainAndServer(String old, String current, long missing) {
        assertThat(ServerAdmin.missingFromBinlogState(current, old)).isEqualTo(missing);
    }

    @org.junit.jupiter.api.Test
    void aMySqlRejoinCopiesTheOtherLinksTlsKeyRequestRetryAndHeartbeat() {
        java.util.Map<String, String> template = new java.util.LinkedHashMap<>();
        template.put("Source_SSL_Allowed", "No");
        template.put("Get_Source_public_key", "1");
        template.put("Connect_Retry", "1");
        template.put(ServerAdmin.HEARTBEAT_PERIOD, "1.000");
        assertThat(ServerAdmin.mysqlOptions(template)).isEqualTo(", SOURCE_SSL=0, GET_SOURCE_PUBLIC_KEY=1"
                + ", SOURCE_CONNECT_RETRY=1, SOURCE_HEARTBEAT_PERIOD=1.000");
        template.put("Get_Source_public_key", "1; DROP TABLE x");
        assertThat(ServerAdmin.mysqlOptions(template)).as("only a 0 or 1 is copied").doesNotContain("DROP")
                .doesNotContain("GET_SOURCE_PUBLIC_KEY");
        assertThat(ServerAdmin.mysqlOptions(null)).isEmpty();
    }

    @ParameterizedTest(name = "{0} has {1}")
    @CsvSource(delimiter = '|', value = {
            "''|0",
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5|5",
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9,4e11fa47-71ca-11e1-9e33-c80aa9429562:3|9",
    })
    void mysqlGtidSetsAreCounted(String set, long count) {
        assertThat(ServerAdmin.countTransactions(set)).isEqualTo(count);
    }

    static java.util.stream.Stream<String> hostilePasswords() {
        return java.util.stream.Stream.concat(ReplicationPasswordIT.HOSTILE.stream(),
                java.util.stream.Stream.of("", "\\", "'", "\\'", "x".repeat(10_000) + "\\'"));
    }

    @ParameterizedTest
    @MethodSource("hostilePasswords")
    void aLiteralIsReadBackAsTheValueAndEndsAtItsLastCharacter(String value) {
        for (boolean noBackslashEscapes : new boolean[] {false, true}) {
            String literal = ServerAdmin.literal(value, noBackslashEscapes);
            // The server's lexer, for single-quoted literals: the literal must end exactly where it was meant to,
            // or whatever follows in the password would be read as more of the statement.
            StringBuilder read = new StringBuilder();
            int i = 1;
            for (; i < literal.length(); i++) {
                char c = literal.charAt(i);
                if (c == '\\' && !noBackslashEscapes) {
                    char next = literal.charAt(++i);
                    // \% and \_ keep their backslash; others are escapes; \\ and \' are the ones Haven writes
                    read.append(next == '%' || next == '_' ? "\\" + next : String.valueOf(next));
                } else if (c == '\'') {
                    if (i + 1 < literal.length() && literal.charAt(i + 1) == '\'') {
                        read.append('\'');
                        i++;
                    } else {
                        break;
                    }
                } else {
                    read.append(c);
                }
            }
            assertThat(i).as("the literal's closing quote is its last character").isEqualTo(literal.length() - 1);
            assertThat(read.toString()).isEqualTo(value);
        }
    }

    @Test
    void aBackslashBeforeAQuoteCannotEndTheLiteral() {
        // replicateFrom used to double quotes only: a backslash before a quote then read as an escaped quote, the
        // doubled quote as the end of the literal, and the rest of the password as more of the statement.
        String value = "\\', MASTER_HOST='evil";
        assertThat(ServerAdmin.literal(value, false)).isEqualTo("'\\\\'', MASTER_HOST=''evil'");
        assertThat(ServerAdmin.literal(value, true)).isEqualTo("'\\'', MASTER_HOST=''evil'");
    }

    @Test
    void aNulCannotBeSent() {
        assertThatThrownBy(() -> ServerAdmin.literal("a\0b", false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("a\0b");
    }
}
