package dev.haven.testkit.stub;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One stub server: its identity, its fixed answers by exact SQL text, and a count of the connections open to it
 * (so a benchmark can wait until its pools are full).
 *
 * <p>Implementation notes: immutable but for the counter; {@link #answer} is one {@code HashMap} lookup of a
 * {@code String} whose hash is cached after its first use, and allocates nothing.
 */
public final class StubNode {

    private final String hostAndPort;
    private final long serverId;
    private final Map<String, StubTable> answers;
    private final StubTable otherwise;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger rollbacks = new AtomicInteger();
    /** Bumped by {@link #breakOpenConnections()}; a connection opened before the bump is broken. */
    private volatile int breaks;
    private volatile boolean breakAfterCommit;

    StubNode(String hostAndPort, long serverId, Map<String, StubTable> answers, StubTable otherwise) {
        this.hostAndPort = hostAndPort;
        this.serverId = serverId;
        this.answers = Map.copyOf(answers);
        this.otherwise = otherwise;
    }

    /** The rows this server returns for {@code sql}: a fixed answer for the SQL it knows, else the constant one. */
    public StubTable answer(String sql) {
        StubTable known = answers.get(sql);
        return known != null ? known : otherwise;
    }

    /** {@code host:port}, as in the URLs that reach this server. */
    public String hostAndPort() {
        return hostAndPort;
    }

    public long serverId() {
        return serverId;
    }

    /** Connections opened to this server and not yet closed. */
    public int openConnections() {
        return open.get();
    }

    /**
     * Breaks every connection open to this server now, as a server crash or restart does to a warm pool: their
     * next round trip (a statement, a commit, a rollback, a session setting sent to the server) fails with
     * SQLState {@code 08S01}. Connections opened afterwards work. {@code isValid} still answers true on a broken
     * connection: it models one that died after the pool last checked it, the race a pool cannot close.
     */
    public void breakOpenConnections() {
        breaks++;
    }

    /**
     * Makes the next commit on this server succeed and then break every open connection, as a server that dies
     * right after acknowledging a commit: whatever the client sends next on it (a pool's reset) fails.
     */
    public void breakAfterNextCommit() {
        breakAfterCommit = true;
    }

    void committed() {
        if (breakAfterCommit) {
            breakAfterCommit = false;
            breakOpenConnections();
        }
    }

    int breaks() {
        return breaks;
    }

    /** Rollbacks (whole transactions, not to a savepoint) sent to this server so far. */
    public int rollbacks() {
        return rollbacks.get();
    }

    void rolledBack() {
        rollbacks.incrementAndGet();
    }

    void opened() {
        open.incrementAndGet();
    }

    void closed() {
        open.decrementAndGet();
    }

    @Override
    public String toString() {
        return hostAndPort + " (server_id " + serverId + ")";
    }
}
