package dev.haven.testkit.campaign;

import java.util.EnumSet;
import java.util.Set;

/** A fault the campaign injects, on a node chosen by role when the fault begins. */
public enum FaultKind {
    /** SIGKILL, then a restart with the same data directory when the fault's duration is over. */
    KILL("kill", EnumSet.of(TargetRole.PRIMARY, TargetRole.REPLICA)),
    /** SIGSTOP, SIGCONT when the duration is over: connections hang instead of failing. */
    FREEZE("freeze", EnumSet.of(TargetRole.PRIMARY, TargetRole.REPLICA)),
    /** A clean shutdown and a start with the same data directory and port, at once (no duration). */
    RESTART("restart", EnumSet.of(TargetRole.PRIMARY, TargetRole.REPLICA)),
    /** {@code MASTER_DELAY}: the replica applies every event {@code param} seconds late. */
    LAG("lag", EnumSet.of(TargetRole.REPLICA)),
    /**
     * The node's proxy drops every byte. With {@code replicationThroughProxy} (chosen per schedule) this cuts a
     * primary off from everyone, its replicas included; without, from the application only.
     */
    PARTITION("partition", EnumSet.of(TargetRole.PRIMARY, TargetRole.REPLICA)),
    /**
     * {@code max_connections} lowered to the connections open now, and the application's connections through the
     * node's proxy reset: every reconnection is refused ("Too many connections") until the fault ends.
     */
    EXHAUST_CONNECTIONS("exhaust-connections", EnumSet.of(TargetRole.PRIMARY, TargetRole.REPLICA)),
    /** {@code param} ms of latency on every chunk through the node's proxy, both directions. */
    SLOW_NETWORK("slow-network", EnumSet.of(TargetRole.PRIMARY, TargetRole.REPLICA));

    public final String id;
    public final Set<TargetRole> roles;

    FaultKind(String id, Set<TargetRole> roles) {
        this.id = id;
        this.roles = roles;
    }

    /** The role a fault targets: resolved against the servers' own {@code read_only} when the fault begins. */
    public enum TargetRole {
        PRIMARY, REPLICA;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
