package dev.haven.testkit.campaign;

import java.util.Locale;

/** An invariant the run broke, when (ms after the workload started; -1 when at the end) and how. */
public record Violation(Invariant invariant, long atMillis, String detail) {

    /** What the checker holds every run to. */
    public enum Invariant {
        /** An acknowledged write is missing from the final primary. */
        ACKED_WRITE_LOST("acked-write-lost"),
        /** A write is on some node more than once, or the counter went up more than was ever tried. */
        WRITE_APPLIED_TWICE("write-applied-twice"),
        /** A node holds a row no operation ever tried to write. */
        PHANTOM_ROW("phantom-row"),
        /** A transaction is half on the final primary: one of its rows is there, the other not. */
        PARTIAL_TRANSACTION("partial-transaction"),
        /** A transaction did not read what it had written, or two acknowledged increments read the same value. */
        TRANSACTION_ANOMALY("transaction-anomaly"),
        /** Not exactly one node is writable at the end, after the heal and the quiet period. */
        NO_SINGLE_FINAL_PRIMARY("no-single-final-primary"),
        /** Two or more nodes answered writable on the application's path in one sample. */
        TWO_WRITABLE("two-writable"),
        /** A read missed a write acknowledged longer ago than the allowed staleness. */
        STALE_READ("stale-read"),
        /** A read-your-write look-up did not find the write it followed. */
        READ_YOUR_WRITES("read-your-writes"),
        /** A failure with no documented SQLState: a raw vendor connection error, or no SQLState at all. */
        UNDOCUMENTED_ERROR("undocumented-error"),
        /** An operation took longer than the bound derived from the configuration, or never returned. */
        OPERATION_TOO_LONG("operation-too-long"),
        /** A thread of the client was alive after its close() returned. */
        THREAD_AFTER_CLOSE("thread-after-close"),
        /** The client delivered an event after its close() returned. */
        EVENT_AFTER_CLOSE("event-after-close");

        public final String id;

        Invariant(String id) {
            this.id = id;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s at %s: %s", invariant.id, atMillis < 0 ? "end" : atMillis + " ms",
                detail);
    }
}
