package dev.haven.core;

/**
 * Isolates a primary that Haven is about to replace, before the replica promoted in its place becomes writable:
 * the "shoot the other node in the head" step (STONITH) of cluster managers, for {@code ha.failover=promote}.
 *
 * <p>Why: a primary that hangs (a paused VM, a stalled disk, a process stopped by a signal) or that a partition cut
 * off from everyone is replaced while it still believes it is the primary. Haven cuts off its own connections to
 * it and fences it ({@code read_only=ON}) the moment it answers again, but no client can be the first to reach a
 * server the instant it comes back: another client's statement already waiting there runs first and finds it
 * writable. Only something outside the database closes that window, by making sure the old server cannot come back
 * on its own: power it off, stop its VM or container, or close its port at the network.
 *
 * <p>Configured by class name, {@code ha.failover.fencer=com.example.MyFencer} (the class needs a public
 * no-argument constructor; one instance per data source), or given as an instance built by the application
 * ({@code HaDataSource.Builder.fencer}, or a bean of this type with the Spring Boot starter), not both. Called by the instance that promotes, on a thread of
 * its own, under the failover lock, once the candidate is final and before anything is changed on any server.
 * The promotion goes on only when {@link #fence} returns; when it throws, or has not returned within
 * {@code ha.failover.timeout} (then it is interrupted), the promotion is abandoned with {@code FAILOVER_FINISHED},
 * nothing was changed on the replicas, and the next failover tick decides again. Without a fencer (the default) a
 * promotion does not wait for one.
 *
 * <p>An implementation must be idempotent and must succeed for a server that is already down (a crashed primary,
 * or one a racing instance fenced first); it must not return before the server can no longer accept a write.
 */
@FunctionalInterface
public interface PrimaryFencer {

    /**
     * Makes sure the server at {@code primary} accepts no write from any client until somebody brings it back.
     *
     * @param primary  the address Haven used for the primary being replaced
     * @param serverId its {@code @@server_id}
     * @throws Exception when it could not be isolated: the promotion is abandoned
     */
    void fence(NodeAddress primary, long serverId) throws Exception;
}
