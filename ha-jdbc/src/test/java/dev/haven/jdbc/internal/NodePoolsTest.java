package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.ClusterState;
import dev.haven.core.HavenConfig;
import dev.haven.core.HavenEvent;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.Role;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A borrower waiting on a node in doubt is woken when the node is declared down, instead of waiting out HikariCP's
 * connection timeout. The "server" is a real socket that accepts connections and never answers, as a hung server.
 */
class NodePoolsTest {

    @Test
    void aBorrowerWaitingOnANodeInDoubtIsWokenWhenTheNodeGoesDown() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(hung.accept()); // and never send the greeting
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            NodeAddress address = NodeAddress.of("127.0.0.1", hung.getLocalPort());
            HaUrl url = HaUrl.parse("jdbc:ha:mariadb://" + address + "/app?ha.connectTimeout=500ms", new Properties());
            Properties pool = new Properties();
            pool.setProperty("connectionTimeout", "30000");
            NodePools pools = new NodePools(url, pool);
            ClusterState state = new ClusterState(HavenConfig.builder().seeds(address.toString()).build());
            Node suspect = Node.builder(state.statsFor(address)).role(Role.PRIMARY).health(Health.SUSPECT).build();
            try {
                // Without the event the borrower would wait HikariCP's 30 s connection timeout.
                CompletableFuture<Throwable> borrower = CompletableFuture.supplyAsync(() -> {
                    try {
                        pools.borrow(suspect).close();
                        return null;
                    } catch (SQLException e) {
                        return e;
                    }
                });
                awaitWaiting(pools, address);
                pools.onEvent(new HavenEvent(HavenEvent.Type.NODE_DOWN, address, "SUSPECT", "DOWN", Instant.now(), "down"));
                Throwable failure = borrower.get(5, TimeUnit.SECONDS);
                assertThat(failure).isInstanceOf(SQLTransientConnectionException.class)
                        .hasMessageContaining("went down while waiting for a connection");
                assertThat(((SQLException) failure).getSQLState()).isEqualTo("08001");
            } finally {
                pools.close();
            }
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    private static void awaitWaiting(NodePools pools, NodeAddress address) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pools.waiting(address) == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no borrower is waiting on " + address);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
