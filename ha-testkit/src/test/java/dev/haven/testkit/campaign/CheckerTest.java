package dev.haven.testkit.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.testkit.campaign.Operation.Kind;
import dev.haven.testkit.campaign.Violation.Invariant;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checker on hand-made histories: a clean one passes, and each kind of broken one is caught by the invariant
 * meant to catch it (and only by that one, so that a report names the right cause).
 */
class CheckerTest {

    private static final Bounds BOUNDS = new Bounds(20_000, 3000, true);

    private final List<Operation> ops = new ArrayList<>();
    private final List<WritableSample> samples = new ArrayList<>();
    private final Map<Long, Integer> primaryRows = new HashMap<>();
    private final Map<Integer, Long> primaryCounters = new HashMap<>();
    private final Map<Long, Integer> replicaRows = new HashMap<>();
    private boolean replicaReadOnly = true;
    private CloseReport close = new CloseReport(100, List.of(), List.of());

    /** A healthy run: inserts, a transaction, two increments, a fresh read, one documented failure. */
    private void cleanHistory() {
        ops.add(Operation.ok(0, Kind.INSERT, 100, 110, List.of(1L), -1, -1, -1));
        ops.add(Operation.ok(1, Kind.TRANSACTION, 120, 140, List.of(2L, 3L), -1, 2, -1));
        ops.add(Operation.ok(2, Kind.COUNTER, 150, 160, List.of(), 0, 1, -1));
        ops.add(Operation.ok(2, Kind.COUNTER, 170, 180, List.of(), 0, 2, -1));
        ops.add(Operation.ok(3, Kind.READ, 4000, 4010, List.of(), -1, 1, 1));
        ops.add(Operation.failed(0, Kind.INSERT, 200, 900, List.of(4L), -1, -1,
                new SQLException("the outcome is unknown", "08007")));
        ops.add(Operation.ok(0, Kind.READ_YOUR_WRITE, 1000, 1010, List.of(5L), -1, 1, 5));
        for (long id : new long[] {1, 2, 3, 5}) {
            primaryRows.put(id, 1);
            replicaRows.put(id, 1);
        }
        primaryRows.put(4L, 1); // the failed insert did commit: allowed, its outcome was unknown
        primaryCounters.put(0, 2L);
        for (long t = 0; t < 5000; t += 100) {
            samples.add(new WritableSample(t, List.of("node1"), List.of()));
        }
    }

    private Checker.Result check() {
        List<NodeSnapshot> nodes = List.of(new NodeSnapshot("node1", false, primaryRows, primaryCounters),
                new NodeSnapshot("node2", replicaReadOnly, replicaRows, Map.of(0, 2L)));
        return Checker.check(new Checker.Input(ops, samples, nodes, close, BOUNDS, 5000));
    }

    private static List<Invariant> invariants(Checker.Result r) {
        return r.violations().stream().map(Violation::invariant).distinct().toList();
    }

    @Test
    void aCleanHistoryPasses() {
        cleanHistory();
        Checker.Result r = check();
        assertThat(r.violations()).isEmpty();
        assertThat(r.figures().finalPrimary()).isEqualTo("node1");
        assertThat(r.figures().maxWritableNodes()).isEqualTo(1);
        assertThat(r.figures().failedWrites()).isEqualTo(1);
    }

    @Test
    void aLostAcknowledgedWriteIsCaught() {
        cleanHistory();
        primaryRows.remove(1L);
        Checker.Result r = check();
        assertThat(invariants(r)).containsExactly(Invariant.ACKED_WRITE_LOST);
        assertThat(r.figures().lostAckedWrites()).isEqualTo(1);
        assertThat(r.violations().get(0).detail()).contains("id 1").endsWith("; it is on node2");
        replicaRows.remove(1L);
        assertThat(check().violations().get(0).detail()).endsWith("; on no node read at the end");
    }

    @Test
    void aRowWrittenTwiceIsCaught() {
        cleanHistory();
        primaryRows.put(2L, 2);
        Checker.Result r = check();
        assertThat(invariants(r)).containsExactly(Invariant.WRITE_APPLIED_TWICE);
        assertThat(r.figures().duplicateAppliedWrites()).isEqualTo(1);
    }

    @Test
    void aCounterIncrementAppliedTwiceIsCaughtAndOneLostToo() {
        cleanHistory();
        primaryCounters.put(0, 3L); // two acknowledged increments, none with an unknown outcome
        assertThat(invariants(check())).containsExactly(Invariant.WRITE_APPLIED_TWICE);
        primaryCounters.put(0, 1L);
        assertThat(invariants(check())).containsExactly(Invariant.ACKED_WRITE_LOST);
    }

    @Test
    void aCounterAboveAckedIsAllowedOnlyUpToTheIncrementsWithAnUnknownOutcome() {
        cleanHistory();
        ops.add(Operation.failed(2, Kind.COUNTER, 190, 300, List.of(), 0, -1, new SQLException("unknown", "08007")));
        primaryCounters.put(0, 3L);
        assertThat(check().violations()).isEmpty();
        primaryCounters.put(0, 4L);
        assertThat(invariants(check())).containsExactly(Invariant.WRITE_APPLIED_TWICE);
    }

    @Test
    void twoAcknowledgedIncrementsReadingTheSameValueAreCaught() {
        cleanHistory();
        ops.add(Operation.ok(1, Kind.COUNTER, 175, 185, List.of(), 0, 2, -1)); // split brain: both saw 2
        primaryCounters.put(0, 3L);
        assertThat(invariants(check())).containsExactly(Invariant.TRANSACTION_ANOMALY);
    }

    @Test
    void aPhantomRowIsCaughtOnAnyNode() {
        cleanHistory();
        replicaRows.put(99L, 1);
        assertThat(invariants(check())).containsExactly(Invariant.PHANTOM_ROW);
    }

    @Test
    void halfATransactionIsCaughtEvenWhenItFailed() {
        cleanHistory();
        ops.add(Operation.failed(1, Kind.TRANSACTION, 300, 400, List.of(10L, 11L), -1, -1,
                new SQLException("unknown", "08007")));
        primaryRows.put(10L, 1);
        assertThat(invariants(check())).containsExactly(Invariant.PARTIAL_TRANSACTION);
    }

    @Test
    void aTransactionNotSeeingItsOwnRowsIsCaught() {
        cleanHistory();
        ops.set(1, Operation.ok(1, Kind.TRANSACTION, 120, 140, List.of(2L, 3L), -1, 1, -1));
        assertThat(invariants(check())).containsExactly(Invariant.TRANSACTION_ANOMALY);
    }

    @Test
    void aRawVendorConnectionErrorIsCaught() {
        cleanHistory();
        ops.add(Operation.failed(0, Kind.INSERT, 300, 310, List.of(20L), -1, -1,
                new SQLTransientConnectionException("(conn=12) Connection reset", "08000")));
        ops.add(Operation.failed(0, Kind.COUNTER, 320, 330, List.of(), 1, -1,
                new SQLException("Communications link failure", "08S01")));
        ops.add(Operation.failed(0, Kind.INSERT, 340, 350, List.of(21L), -1, -1,
                new SQLException("The MariaDB server is running with the --read-only option", "HY000", 1290)));
        ops.add(Operation.failed(0, Kind.INSERT, 360, 370, List.of(22L), -1, -1,
                new IllegalStateException("no SQLState at all")));
        ops.add(Operation.failed(0, Kind.INSERT, 380, 390, List.of(23L), -1, -1,
                new SQLException("read failed", "08006")));
        Checker.Result r = check();
        assertThat(invariants(r)).containsExactly(Invariant.UNDOCUMENTED_ERROR);
        assertThat(r.violations()).hasSize(5);
    }

    @Test
    void documentedFailuresAndBusinessErrorsPass() {
        cleanHistory();
        ops.add(Operation.failed(3, Kind.READ, 300, 310, List.of(), -1, 1, new SQLException("no node", "08006")));
        ops.add(Operation.failed(0, Kind.COUNTER, 320, 330, List.of(), 1, -1, new SQLException("retry", "40001")));
        ops.add(Operation.failed(0, Kind.INSERT, 340, 350, List.of(30L), -1, -1,
                new SQLException("No primary available", "08001")));
        ops.add(Operation.failed(0, Kind.INSERT, 360, 370, List.of(31L), -1, -1,
                new SQLException("Lock wait timeout exceeded", "HY000", 1205)));
        ops.add(Operation.failed(0, Kind.INSERT, 380, 390, List.of(32L), -1, -1,
                new SQLException("Duplicate entry", "23000", 1062)));
        assertThat(check().violations()).isEmpty();
    }

    @Test
    void aStaleReadIsCaughtButAReadWithinTheBoundIsNot() {
        cleanHistory();
        ops.add(Operation.ok(3, Kind.READ, 2000, 2010, List.of(), -1, 0, 1)); // acknowledged 1890 ms before
        assertThat(check().violations()).isEmpty();
        ops.add(Operation.ok(3, Kind.READ, 4500, 4510, List.of(), -1, 0, 1)); // 4390 ms before, bound 3000
        Checker.Result r = check();
        assertThat(invariants(r)).containsExactly(Invariant.STALE_READ);
        assertThat(r.figures().staleReads()).isEqualTo(1);
    }

    @Test
    void aReadYourWriteThatMissesItsWriteIsCaught() {
        cleanHistory();
        ops.add(Operation.ok(0, Kind.READ_YOUR_WRITE, 1100, 1110, List.of(6L), -1, 0, 6));
        primaryRows.put(6L, 1);
        assertThat(invariants(check())).containsExactly(Invariant.READ_YOUR_WRITES);
    }

    @Test
    void twoWritableSamplesAreCaughtAsOneEpisode() {
        cleanHistory();
        samples.set(10, new WritableSample(1000, List.of("node1", "node2"), List.of()));
        samples.set(11, new WritableSample(1100, List.of("node1", "node2"), List.of()));
        Checker.Result r = check();
        assertThat(invariants(r)).containsExactly(Invariant.TWO_WRITABLE);
        assertThat(r.violations()).hasSize(1);
        assertThat(r.figures().maxWritableNodes()).isEqualTo(2);
    }

    @Test
    void twoWritableNodesAtTheEndAreCaught() {
        cleanHistory();
        replicaReadOnly = false;
        assertThat(invariants(check())).contains(Invariant.NO_SINGLE_FINAL_PRIMARY);
    }

    @Test
    void aLongOrBlockedOperationIsCaught() {
        cleanHistory();
        ops.add(Operation.failed(0, Kind.INSERT, 300, 25_000, List.of(40L), -1, -1,
                new SQLException("unknown", "08007")));
        ops.add(Operation.blocked(1, Kind.COUNTER, 4000, List.of(), 2, -1));
        Checker.Result r = check();
        assertThat(invariants(r)).containsExactly(Invariant.OPERATION_TOO_LONG);
        assertThat(r.violations()).hasSize(2);
    }

    @Test
    void threadsAndEventsAfterCloseAreCaught() {
        cleanHistory();
        close = new CloseReport(600, List.of("haven-failover-settle"), List.of("FAILOVER_FINISHED node2"));
        assertThat(invariants(check())).containsExactly(Invariant.THREAD_AFTER_CLOSE, Invariant.EVENT_AFTER_CLOSE);
    }
}
