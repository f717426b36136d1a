package dev.haven.bench;

import dev.haven.core.internal.AcknowledgedWrites;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Haven's own share of the RPO guard's per-commit work: {@link AcknowledgedWrites#record} of the GTID text a driver
 * handed over ({@code uuid:N} from MySQL's OWN_GTID tracker, {@code D-S-N} from MariaDB's {@code last_gtid}), against
 * a baseline that only reads the text's length. The strings are made before measuring, as the driver makes them.
 * Shared by all threads, as one data source's table is.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class AcknowledgedWritesBench {

    static final int GTIDS = 1024;
    static final String UUID = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

    final AcknowledgedWrites acked = new AcknowledgedWrites();
    final String[] mysql = new String[GTIDS];
    final String[] mariadb = new String[GTIDS];

    /** A per-thread cursor over the prepared GTIDs, growing like commits do. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        int next() {
            next = (next + 1) & (GTIDS - 1);
            return next;
        }
    }

    @Setup
    public void setUp() {
        for (int i = 0; i < GTIDS; i++) {
            mysql[i] = UUID + ":" + (1_000_000 + i);
            mariadb[i] = "0-1-" + (1_000_000 + i);
        }
    }

    @Benchmark
    public int baselineLength(Cursor c) {
        return mysql[c.next()].length();
    }

    @Benchmark
    public void recordMySqlGtid(Cursor c) {
        acked.record(mysql[c.next()]);
    }

    @Benchmark
    public void recordMariaDbGtid(Cursor c) {
        acked.record(mariadb[c.next()]);
    }
}
