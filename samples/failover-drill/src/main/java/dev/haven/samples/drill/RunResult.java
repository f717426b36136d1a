package dev.haven.samples.drill;

import java.util.List;
import java.util.Map;

/**
 * One run's figures.
 *
 * @param writeRtoMillis        from the first write that failed after the fault to the first write begun after it
 *                              that succeeded; 0 when no write failed, null when writes never came back in the run
 * @param longestWriteGapMillis the longest time after the fault with no write acknowledged (to the end of the run
 *                              when writes never came back): a pause in writes that failed nothing shows here
 * @param lostAckedWrites       acknowledged writes missing on the final primary; null when no node was writable
 *                              at the end
 * @param maxWritableNodes      the most nodes answering {@code read_only=0} at once through the application's
 *                              network path (sampled every 100 ms); null when it could not be sampled
 * @param promotions            on a local cluster, nodes seen going from read-only to writable (sampled every
 *                              100 ms at the servers); with {@code --url}, changes of the primary seen by Haven
 * @param blockedAtEnd          worker threads still inside the client {@link DrillRun#WIND_DOWN_MILLIS} ms after
 *                              the end of the run (an operation blocked in the driver)
 * @param errors                what the application saw, by exception class, SQLState and message, most frequent first
 * @param duplicateAppliedWrites writes applied more than once: the counter's excess over its acknowledged
 *                              increments and those whose outcome is unknown (they failed); null when the run had
 *                              no counter
 * @param failedTransactions    multi-statement transactions (two inserts that read themselves, or a counter
 *                              increment) that failed
 * @param replayed              transactions Haven replayed (its replay events); null when this Haven has none
 * @param replayMismatches      replays Haven refused because a result differed; null when this Haven has none
 * @param commitOutcomesResolved in-flight commits whose outcome Haven resolved; null when this Haven has none
 * @param campaign              the random scenario's seed, schedule and invariant results; null otherwise
 */
record RunResult(Long writeRtoMillis, long longestWriteGapMillis, long failedWrites, long failedReads,
                 long staleReads, long ackedWrites, Long lostAckedWrites, Integer maxWritableNodes, int promotions,
                 int blockedAtEnd, long faultAtMillis, long endMillis, Timeline timeline, List<Mark> marks,
                 Map<String, Long> errors, Long duplicateAppliedWrites, long failedTransactions, Long replayed,
                 Long replayMismatches, Long commitOutcomesResolved, Campaign campaign) {

    /**
     * A random run's schedule and verdict.
     *
     * @param violations per invariant id, how many times it was violated (empty: every invariant held)
     * @param details    the first violations, as text
     * @param report     the full description: seed, schedule, timeline around each violation
     */
    record Campaign(long seed, String mix, String serverFamily, String schedule, Map<String, Integer> violations,
                    List<String> details, String report) {
    }

    /** Something the drill did or saw, at {@code millis} into the run: fault, orchestrator, promotion, heal, note. */
    record Mark(long millis, String kind, String label) {
    }

    /** Operations per {@link DrillRun#BUCKET_MILLIS} ms. */
    record Timeline(long[] okWrites, long[] failedWrites, long[] okReads, long[] failedReads, long[] staleReads) {
    }
}
