package dev.haven.core;

import java.util.Locale;

/**
 * Whether a replica may become the primary when Haven promotes one ({@code ha.failover=promote}).
 * Set per node with {@code ha.promotion}, e.g. {@code db3:3306=never,db1:3306=prefer}.
 */
public enum PromotionRule {
    /** Chosen before {@code NEUTRAL} replicas that are equally advanced. */
    PREFER,
    /** The default: a candidate like any other. */
    NEUTRAL,
    /** Never promoted, for example a delayed replica, a backup host or a node in a far zone. */
    NEVER;

    /** The name as written in configuration: {@code prefer}, {@code neutral} or {@code never}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
