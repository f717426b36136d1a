package dev.haven.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Errant transactions of a returning MariaDB primary, told apart by (domain, server) in the binary log state. */
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
}
