package dev.haven.testkit.campaign;

/**
 * The limits the checker holds a run to, derived by whoever configured the client (from its settings: e.g. a
 * failover timeout plus a socket timeout plus a margin), never from the client's internals.
 *
 * @param maxOperationMillis the longest an operation may take, from call to return
 * @param maxStalenessMillis a read may miss a write acknowledged at most this long before it began (the client's
 *                           allowed replica lag plus a margin)
 * @param readYourWrites     whether the client promises that a read after a write sees it
 */
public record Bounds(long maxOperationMillis, long maxStalenessMillis, boolean readYourWrites) {
    public Bounds {
        if (maxOperationMillis < 1 || maxStalenessMillis < 0) {
            throw new IllegalArgumentException("bounds out of range: " + maxOperationMillis + " ms per operation, "
                    + maxStalenessMillis + " ms staleness");
        }
    }
}
