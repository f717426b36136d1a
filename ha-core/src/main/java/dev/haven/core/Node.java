package dev.haven.core;

import java.util.Objects;

/**
 * An immutable snapshot of one server as the health monitor last saw it: address, role, health,
 * replication state and lag, GTID position, probe latency, zone and promotion rule.
 *
 * <p>{@link #eligibleForReads()} is decided once, when the snapshot is built: a replica is
 * eligible if it is {@link Health#UP}, replicating, and not lagging (lag above
 * {@code ha.maxReplicaLag}, with {@code ha.lagHysteresis} applied by the failure detector).
 * Routing then only reads the flag.
 *
 * <p>{@link #stats()} is the exception to immutability: the live load figures of this address,
 * shared by every snapshot of the same node.
 */
public final class Node {

    /** {@link #lagMillis()} when the lag is unknown (replication stopped, or never measured); distinct from 0. */
    public static final long LAG_UNKNOWN = -1;

    /** {@link #probeLatencyNanos()} before the first successful probe. */
    public static final long LATENCY_UNKNOWN = -1;

    private final NodeAddress address;
    private final NodeStats stats;
    private final long serverId;
    private final Role role;
    private final Health health;
    private final boolean replicating;
    private final boolean lagging;
    private final long lagMillis;
    private final ReplicationPosition position;
    private final long probeLatencyNanos;
    private final String zone;
    private final PromotionRule promotionRule;
    private final boolean eligibleForReads;

    private Node(Builder b) {
        this.address = b.stats.address();
        this.stats = b.stats;
        this.serverId = b.serverId;
        this.role = b.role;
        this.health = b.health;
        this.replicating = b.replicating;
        this.lagging = b.lagging;
        this.lagMillis = b.lagMillis;
        this.position = b.position;
        this.probeLatencyNanos = b.probeLatencyNanos;
        this.zone = b.zone;
        this.promotionRule = b.promotionRule;
        this.eligibleForReads = role == Role.REPLICA && health == Health.UP && replicating && !lagging;
    }

    /**
     * A builder for a node whose live figures are {@code stats} (get them from
     * {@link ClusterState#statsFor(NodeAddress)} so they carry over between snapshots). Defaults:
     * role {@code UNKNOWN}, health {@code SUSPECT}, not replicating, lag unknown, empty position,
     * no zone, promotion {@code NEUTRAL}.
     */
    public static Builder builder(NodeStats stats) {
        return new Builder(Objects.requireNonNull(stats, "stats"));
    }

    /** A builder holding this node's values, to derive the next snapshot. */
    public Builder toBuilder() {
        Builder b = new Builder(stats);
        b.serverId = serverId;
        b.role = role;
        b.health = health;
        b.replicating = replicating;
        b.lagging = lagging;
        b.lagMillis = lagMillis;
        b.position = position;
        b.probeLatencyNanos = probeLatencyNanos;
        b.zone = zone;
        b.promotionRule = promotionRule;
        return b;
    }

    /** Host and port. */
    public NodeAddress address() {
        return address;
    }

    /** Live load figures of this address, shared across snapshots. */
    public NodeStats stats() {
        return stats;
    }

    /** {@code @@server_id}, 0 when not known. */
    public long serverId() {
        return serverId;
    }

    /** Role as last discovered. */
    public Role role() {
        return role;
    }

    /** Health as decided by the failure detector. */
    public Health health() {
        return health;
    }

    /** Whether the replication threads run (IO and SQL); always false for a primary. */
    public boolean replicating() {
        return replicating;
    }

    /** Whether the replica is over {@code ha.maxReplicaLag} (with hysteresis). */
    public boolean lagging() {
        return lagging;
    }

    /** Replication lag in milliseconds, or {@link #LAG_UNKNOWN}; 0 means caught up. */
    public long lagMillis() {
        return lagMillis;
    }

    /** Executed GTID position as last seen, {@link ReplicationPosition#EMPTY} if not known. */
    public ReplicationPosition position() {
        return position;
    }

    /** Average probe round trip in nanoseconds, or {@link #LATENCY_UNKNOWN}. */
    public long probeLatencyNanos() {
        return probeLatencyNanos;
    }

    /** Zone from {@code ha.zones}, {@code null} if none. */
    public String zone() {
        return zone;
    }

    /** Promotion rule from {@code ha.promotion}. */
    public PromotionRule promotionRule() {
        return promotionRule;
    }

    /** Whether reads may be routed here: a replica, UP, replicating and not lagging. */
    public boolean eligibleForReads() {
        return eligibleForReads;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(address).append('{').append(role).append(' ').append(health);
        if (role == Role.REPLICA) {
            sb.append(replicating ? ", replicating" : ", not replicating");
            sb.append(", lag=").append(lagMillis == LAG_UNKNOWN ? "unknown" : lagMillis + "ms");
            if (lagging) {
                sb.append(" (lagging)");
            }
        }
        if (zone != null) {
            sb.append(", zone=").append(zone);
        }
        if (eligibleForReads) {
            sb.append(", readable");
        }
        return sb.append('}').toString();
    }

    /** Builds a {@link Node}. Not thread-safe. */
    public static final class Builder {
        private final NodeStats stats;
        private long serverId;
        private Role role = Role.UNKNOWN;
        private Health health = Health.SUSPECT;
        private boolean replicating;
        private boolean lagging;
        private long lagMillis = LAG_UNKNOWN;
        private ReplicationPosition position = ReplicationPosition.EMPTY;
        private long probeLatencyNanos = LATENCY_UNKNOWN;
        private String zone;
        private PromotionRule promotionRule = PromotionRule.NEUTRAL;

        private Builder(NodeStats stats) {
            this.stats = stats;
        }

        /** {@code @@server_id}; 0 when unknown. */
        public Builder serverId(long serverId) {
            this.serverId = serverId;
            return this;
        }

        /** Role as discovered; default {@code UNKNOWN}. */
        public Builder role(Role role) {
            this.role = Objects.requireNonNull(role, "role");
            return this;
        }

        /** Health as decided by the failure detector; default {@code SUSPECT} (not probed yet). */
        public Builder health(Health health) {
            this.health = Objects.requireNonNull(health, "health");
            return this;
        }

        /** Whether both replication threads run; false for a primary. */
        public Builder replicating(boolean replicating) {
            this.replicating = replicating;
            return this;
        }

        /** Whether the failure detector judges the replica lagging. */
        public Builder lagging(boolean lagging) {
            this.lagging = lagging;
            return this;
        }

        /** Lag in milliseconds (at least 0) or {@link Node#LAG_UNKNOWN}. */
        public Builder lagMillis(long lagMillis) {
            if (lagMillis < LAG_UNKNOWN) {
                throw new IllegalArgumentException("lagMillis " + lagMillis + " is negative; use Node.LAG_UNKNOWN for unknown");
            }
            this.lagMillis = lagMillis;
            return this;
        }

        /** Executed GTID position; default {@link ReplicationPosition#EMPTY}. */
        public Builder position(ReplicationPosition position) {
            this.position = Objects.requireNonNull(position, "position");
            return this;
        }

        /** Average probe latency in nanoseconds or {@link Node#LATENCY_UNKNOWN}. */
        public Builder probeLatencyNanos(long nanos) {
            this.probeLatencyNanos = nanos;
            return this;
        }

        /** Zone, {@code null} for none. */
        public Builder zone(String zone) {
            this.zone = zone;
            return this;
        }

        /** Promotion rule from {@code ha.promotion}; default {@code NEUTRAL}. */
        public Builder promotionRule(PromotionRule rule) {
            this.promotionRule = Objects.requireNonNull(rule, "rule");
            return this;
        }

        /** The snapshot, with its read eligibility computed from role, health, replication and lag. */
        public Node build() {
            return new Node(this);
        }
    }
}
