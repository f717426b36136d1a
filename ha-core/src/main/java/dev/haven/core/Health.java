package dev.haven.core;

/**
 * Reachability of a node as decided by the failure detector.
 *
 * <p>The rules follow Heartbeat's keepalive/deadtime/initdead: a node is {@code SUSPECT} when it
 * has not answered a probe for {@code ha.suspectAfter} (or an application connection to it just
 * failed), {@code DOWN} after {@code ha.deadAfter}, and {@code UP} again only after
 * {@code ha.recoverAfter} consecutive successful probes.
 */
public enum Health {
    /** Answering probes. Replicas must be {@code UP} to serve reads. */
    UP,
    /** Recently silent or failing; no new reads are routed to it, writes still are (there is nowhere else to send them yet). */
    SUSPECT,
    /** Silent for longer than {@code ha.deadAfter}: no traffic; a primary in this state counts as missing. */
    DOWN
}
