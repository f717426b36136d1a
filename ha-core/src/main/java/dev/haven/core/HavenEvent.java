package dev.haven.core;

import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to the cluster: a node went up or down, a role changed, a replica fell
 * behind, a failover ran. Delivered to {@link HavenEventListener}s and logged by SLF4J under the
 * logger {@code dev.haven.events}. Never carries credentials. Immutable.
 */
public final class HavenEvent {

    /** What happened. */
    public enum Type {
        /** A node answers probes again (or was found answering); logged at INFO. */
        NODE_UP,
        /** A node missed probes or an application connection to it failed; it gets no new reads. INFO. */
        NODE_SUSPECT,
        /** A node has been silent for {@code ha.deadAfter}; it gets no traffic. WARN. */
        NODE_DOWN,
        /** A node's role changed, e.g. REPLICA to PRIMARY after a promotion. WARN. */
        ROLE_CHANGED,
        /** A replica stopped serving reads: lag over {@code ha.maxReplicaLag} or replication stopped. INFO. */
        LAG_OVER,
        /** A replica serves reads again: replicating, lag back under the threshold. INFO. */
        LAG_UNDER,
        /** Membership, a role, a health or the readable set changed; old and new values are epochs. DEBUG. */
        TOPOLOGY_CHANGED,
        /** Haven started promoting a replica. WARN. */
        FAILOVER_STARTED,
        /** A failover ended (see the message for its outcome). INFO. */
        FAILOVER_FINISHED,
        /** A node was made the primary. WARN. */
        PROMOTED,
        /**
         * An old primary was made read-only (new value {@code read_only=ON}), or isolated by the fencing agent of
         * {@code ha.failover.fencer} (new value {@code ISOLATED}). WARN.
         */
        FENCED,
        /** A failover was considered and refused (replicas disagree, too soon, too much data loss). WARN. */
        FAILOVER_REFUSED,
        /**
         * A node refused the login of Haven's monitor or of the application's user (SQLState {@code 28000}): a
         * wrong user or password for that node. It stays out of routing until the login works. WARN.
         */
        AUTHENTICATION_FAILED,
        /**
         * A setting cannot take effect as given: {@code ha.promotion} or {@code ha.zones} names a node that is not
         * in the topology once discovery settled. WARN, once per setting and node.
         */
        CONFIGURATION_WARNING,
        /**
         * A transaction interrupted by a failover (before its commit was sent) is being replayed on a new physical
         * connection; the message says how many statements. INFO.
         */
        REPLAY_STARTED,
        /** A replay matched every result the application had seen; the transaction goes on. INFO. */
        REPLAY_SUCCEEDED,
        /**
         * A replay saw a result different from the original (the message names the statement's index in the
         * transaction, never a value), or a statement failed on replay: rolled back, the application gets
         * {@code 40001}. WARN.
         */
        REPLAY_MISMATCH,
        /**
         * A commit interrupted in flight was resolved with its marker ({@code ha.commitOutcome=marker}); the new
         * value is {@code committed} or {@code not-committed}. INFO.
         */
        COMMIT_OUTCOME_RESOLVED
    }

    private final Type type;
    private final NodeAddress address;
    private final String oldValue;
    private final String newValue;
    private final Instant timestamp;
    private final String message;

    /**
     * @param address  the node concerned, {@code null} for cluster-wide events
     * @param oldValue the value before (health, role, lag, epoch), {@code null} if none
     * @param newValue the value after, {@code null} if none
     */
    public HavenEvent(Type type, NodeAddress address, String oldValue, String newValue, Instant timestamp, String message) {
        this.type = Objects.requireNonNull(type, "type");
        this.address = address;
        this.oldValue = oldValue;
        this.newValue = newValue;
        this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
        this.message = Objects.requireNonNull(message, "message");
    }

    /** What happened. */
    public Type type() {
        return type;
    }

    /** The node concerned, {@code null} for cluster-wide events such as {@link Type#TOPOLOGY_CHANGED}. */
    public NodeAddress address() {
        return address;
    }

    /** The value before the change, e.g. {@code UP}, {@code REPLICA} or an epoch; {@code null} if none. */
    public String oldValue() {
        return oldValue;
    }

    /** The value after the change; {@code null} if none. */
    public String newValue() {
        return newValue;
    }

    /** When the change was noticed. */
    public Instant timestamp() {
        return timestamp;
    }

    /** A sentence for humans, as logged. */
    public String message() {
        return message;
    }

    @Override
    public String toString() {
        return timestamp + " " + type + " " + message;
    }
}
