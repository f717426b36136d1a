package dev.haven.core.internal;

import dev.haven.core.ReplicationPosition;
import java.util.function.Predicate;

/**
 * A lower bound on a replica's staleness from GTID positions alone, which {@code Seconds_Behind_Master} does not
 * give: that counter measures the applier against what the replica has <em>received</em>, and says 0 while a
 * replica that just reconnected is still fetching seconds of its source's binary log (found by the fault campaign:
 * a restarted replica served reads missing writes acknowledged 3 s before).
 *
 * <p>Every probe of the primary leaves a sample: its position, and the time its answer arrived, by which all of it
 * was committed. A replica whose position, read at time {@code t}, lacks a sample taken at {@code s < t} lacks a
 * transaction committed before {@code s}: it is at least {@code t - s} stale. Only samples that some other live node
 * holds count, so the last transactions of a primary that died with them (on no replica) hold nobody back.
 *
 * <p>Implementation notes: runs on the monitor's probe threads, once per probe, never on the data path; a small
 * ring of samples under a lock, each new sample only when the position moved (the first time a position was seen
 * is the tightest bound).
 */
final class PrimaryPositions {

    private static final int CAPACITY = 32;

    private final long[] at = new long[CAPACITY];
    private final ReplicationPosition[] positions = new ReplicationPosition[CAPACITY];
    private int next;
    private int size;

    /** A probe of the primary answered at {@code atNanos} with {@code position}. */
    synchronized void record(long atNanos, ReplicationPosition position) {
        if (position == null || position.isEmpty()) {
            return;
        }
        if (size > 0) {
            ReplicationPosition last = positions[(next - 1 + CAPACITY) % CAPACITY];
            if (last.covers(position)) {
                return; // nothing new committed since (or an older reading): the earlier sample is the tighter bound
            }
        }
        at[next] = atNanos;
        positions[next] = position;
        next = (next + 1) % CAPACITY;
        size = Math.min(size + 1, CAPACITY);
    }

    /**
     * How stale a replica at least is, in nanoseconds: its {@code position} was read no earlier than
     * {@code readNanos}; {@code heldElsewhere} tells whether some other live node has a position. 0 when it lacks
     * nothing that another node has.
     */
    synchronized long stalenessAtLeastNanos(ReplicationPosition position, long readNanos,
            Predicate<ReplicationPosition> heldElsewhere) {
        for (int i = 0; i < size; i++) { // oldest first: the first one that counts is the bound
            int k = (next - size + i + CAPACITY) % CAPACITY;
            long stale = readNanos - at[k];
            if (stale <= 0) {
                return 0; // this sample and the later ones are newer than the replica's reading
            }
            if (!position.covers(positions[k]) && heldElsewhere.test(positions[k])) {
                return stale;
            }
        }
        return 0;
    }
}
