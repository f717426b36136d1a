package dev.haven.core;

import dev.haven.core.internal.GtidSet;

/**
 * A replication position: the set of transactions a server has executed, by GTID, in MariaDB
 * ({@code 0-1-100,1-2-50}) or MySQL ({@code uuid:1-100,uuid2:1-5}) format.
 *
 * <p>Read-your-writes consistency records the primary's position after a write and asks the
 * {@link Router} for a replica whose position {@link #covers covers} it. Parse once, compare
 * often: {@link #covers} allocates nothing. Immutable.
 */
public final class ReplicationPosition {

    /** The empty position: covered by every position. */
    public static final ReplicationPosition EMPTY = new ReplicationPosition(GtidSet.EMPTY);

    private final GtidSet gtids;

    private ReplicationPosition(GtidSet gtids) {
        this.gtids = gtids;
    }

    /**
     * Parses a MariaDB {@code gtid_*_pos} or MySQL {@code gtid_executed} value; {@code null} or
     * blank gives {@link #EMPTY}.
     *
     * @throws IllegalArgumentException if the text is in neither format
     */
    public static ReplicationPosition parse(String text) {
        GtidSet set = GtidSet.parse(text);
        return set.isEmpty() ? EMPTY : new ReplicationPosition(set);
    }

    /**
     * Whether a server at this position has executed every transaction of {@code other}; for
     * MariaDB, every domain of {@code other} has a sequence number here at least as high. Positions
     * in different formats never cover each other, except that everything covers {@link #EMPTY}.
     */
    public boolean covers(ReplicationPosition other) {
        return gtids.covers(other.gtids);
    }

    /** Whether no transaction is known. */
    public boolean isEmpty() {
        return gtids.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplicationPosition && ((ReplicationPosition) o).gtids.equals(gtids);
    }

    @Override
    public int hashCode() {
        return gtids.hashCode();
    }

    /** The canonical text (sorted, merged, lower case), which {@link #parse} reads back. */
    @Override
    public String toString() {
        return gtids.toString();
    }
}
