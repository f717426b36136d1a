package dev.haven.testkit.campaign;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * One operation of the workload as the application saw it: when it began and ended (ms after the workload
 * started), how it ended, and what it wrote or read. Only what a client can observe, nothing from inside the
 * client library.
 *
 * @param worker    the worker thread that ran it
 * @param kind      what it did
 * @param outcome   ok, failed (with the exception), or blocked (had not returned when the run ended)
 * @param endMillis when it returned; -1 when blocked
 * @param ids       the row ids it inserted (or tried to): one for an insert, two for a transaction
 * @param key       the counter row a {@link Kind#COUNTER} incremented; -1 otherwise
 * @param value     what it read: the counter after its increment, the rows of its own a transaction saw, or the
 *                  rows a read found; -1 when it read nothing
 * @param lookedFor the id a read looked up (acknowledged earlier); -1 otherwise
 * @param errorClass the exception's class (simple name), null when ok
 * @param sqlState   the exception's SQLState (null when it had none or was no SQLException)
 * @param errorCode  the exception's vendor code, 0 when none
 * @param message    the exception's message, shortened; null when ok
 */
public record Operation(int worker, Kind kind, Outcome outcome, long startMillis, long endMillis, List<Long> ids,
                        int key, long value, long lookedFor, String errorClass, String sqlState, int errorCode,
                        String message) {

    public enum Kind {
        /** An auto-commit {@code INSERT} of one unique id. */
        INSERT,
        /** A transaction of two {@code INSERT}s and a {@code SELECT} of them (it must see both), then commit. */
        TRANSACTION,
        /** A transaction {@code UPDATE counter SET n = n + 1}, then {@code SELECT n}, then commit. */
        COUNTER,
        /** A read-only look-up ({@code setReadOnly(true)}) of an id acknowledged a while before. */
        READ,
        /** An insert, then on a new read-only connection a look-up of it: it must be found. */
        READ_YOUR_WRITE;

        /** Whether it writes (the look-up of a read-your-write comes after its write). */
        public boolean writes() {
            return this != READ;
        }
    }

    public enum Outcome { OK, FAILED, BLOCKED }

    public boolean ok() {
        return outcome == Outcome.OK;
    }

    public long durationMillis(long endOfRun) {
        return (endMillis < 0 ? endOfRun : endMillis) - startMillis;
    }

    static Operation ok(int worker, Kind kind, long start, long end, List<Long> ids, int key, long value,
                        long lookedFor) {
        return new Operation(worker, kind, Outcome.OK, start, end, ids, key, value, lookedFor, null, null, 0, null);
    }

    static Operation failed(int worker, Kind kind, long start, long end, List<Long> ids, int key, long lookedFor,
                            Throwable error) {
        String state = error instanceof SQLException sql ? sql.getSQLState() : null;
        int code = error instanceof SQLException sql ? sql.getErrorCode() : 0;
        String message = String.valueOf(error.getMessage()).replaceAll("\\s+", " ");
        message = message.substring(0, Math.min(message.length(), 200)) + thrownBy(error);
        return new Operation(worker, kind, Outcome.FAILED, start, end, ids, key, -1, lookedFor,
                error.getClass().getSimpleName(), state, code, message);
    }

    /**
     * Which call of the client the error came out of, and the deepest frame of a {@code dev.haven} library class
     * below it (which line handed a driver's error on): diagnostics for a report, not used by any check.
     */
    private static String thrownBy(Throwable error) {
        StackTraceElement[] frames = error.getStackTrace();
        String deepest = null;
        for (int i = 0; i < frames.length; i++) {
            String cls = frames[i].getClassName();
            if (cls.startsWith(Workload.class.getName())) {
                if (i == 0) {
                    return "";
                }
                String entry = frame(frames[i - 1]);
                return " (from " + entry + (deepest == null || deepest.equals(entry) ? "" : " via " + deepest) + ")";
            }
            if (deepest == null && cls.startsWith("dev.haven.") && !cls.startsWith("dev.haven.testkit.")) {
                deepest = frame(frames[i]);
            }
        }
        return "";
    }

    private static String frame(StackTraceElement f) {
        String cls = f.getClassName();
        return cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethodName() + ":" + f.getLineNumber();
    }

    static Operation blocked(int worker, Kind kind, long start, List<Long> ids, int key, long lookedFor) {
        return new Operation(worker, kind, Outcome.BLOCKED, start, -1, ids, key, -1, lookedFor, null, null, 0, null);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%6d..%-6s w%-2d %-15s %-7s", startMillis,
                endMillis < 0 ? "-" : Long.toString(endMillis), worker, kind, outcome));
        if (!ids.isEmpty()) {
            b.append(" ids=").append(ids);
        }
        if (key >= 0) {
            b.append(" key=").append(key);
        }
        if (lookedFor >= 0) {
            b.append(" lookedFor=").append(lookedFor);
        }
        if (value >= 0) {
            b.append(" read=").append(value);
        }
        if (errorClass != null) {
            b.append(' ').append(errorClass).append(" [").append(sqlState).append(", ").append(errorCode)
                    .append("] ").append(message);
        }
        return b.toString();
    }
}
