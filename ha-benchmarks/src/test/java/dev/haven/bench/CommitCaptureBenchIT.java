package dev.haven.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs {@link CommitCaptureBench}'s set-up and each benchmark's body once, without JMH, on a real MySQL cluster. */
class CommitCaptureBenchIT {

    @ParameterizedTest(name = "[mysql-8.0, {0} driver]")
    @ValueSource(strings = {"mysql", "mariadb"})
    void bothWritesUpdateOneRow(String driver) throws SQLException {
        CommitCaptureBench bench = new CommitCaptureBench();
        bench.server = "mysql-8.0";
        bench.driver = driver;
        bench.setUp();
        try {
            CommitCaptureBench.Key key = new CommitCaptureBench.Key();
            assertThat(bench.observeCommit(key)).isEqualTo(1);
            assertThat(bench.promoteCommit(key)).isEqualTo(1);
        } finally {
            bench.tearDown();
        }
    }
}
