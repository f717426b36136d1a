package dev.haven.bench.stub;

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
