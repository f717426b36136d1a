package dev.haven.core;

/**
 * What a node does in the replication topology, as last seen by discovery.
 */
public enum Role {
    /** Accepts writes: {@code read_only=OFF}, or the Group Replication primary. */
    PRIMARY,
    /** Replicates from the primary and serves reads when eligible. */
    REPLICA,
    /** Not known yet (never reached) or neither of the above (for example a writable node that is not the primary). */
    UNKNOWN
}
