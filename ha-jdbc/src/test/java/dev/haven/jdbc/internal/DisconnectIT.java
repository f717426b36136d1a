package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.internal.Disconnect;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cutting a connection off ends a write waiting on a frozen server at once, with both vendor drivers; and, for
 * the record, how long each driver's own {@code Connection.abort} call blocks its caller there.
 */
class DisconnectIT {

    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "mysql"})
    void aWriterWaitingOnAFrozenServerFailsAtOnceWhenItsConnectionIsCutOff(String vendor) throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(1).start()) {
            LocalNode primary = cluster.primary();
            try (Connection c = cluster.appConnection(primary); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
            }
            Connection cut = open(cluster, primary, vendor);
            Connection aborted = open(cluster, primary, vendor);
            cluster.freeze(primary);
            try {
                AtomicLong cutFailedAt = new AtomicLong();
                AtomicLong abortFailedAt = new AtomicLong();
                CompletableFuture<SQLException> first = blockedInsert(cut, 1, cutFailedAt);
                CompletableFuture<SQLException> second = blockedInsert(aborted, 2, abortFailedAt);
                TimeUnit.MILLISECONDS.sleep(500); // both are waiting on the frozen server now
                assertThat(first).isNotDone();

                long began = System.nanoTime();
                Disconnect.cutOff(cut, Disconnect.threads("test-abort"));
                long cutCallMillis = millisSince(began);
                SQLException failure = first.get(10, TimeUnit.SECONDS);
                long cutUnblockMillis = TimeUnit.NANOSECONDS.toMillis(cutFailedAt.get() - began);

                // The vendor's own abort, called on a thread of its own: MariaDB Connector/J 3.5's never returned
                // here (its closeSocket waits for the socket lock the blocked writer holds; no socketTimeout).
                long abortBegan = System.nanoTime();
                CompletableFuture<Long> abortCall = CompletableFuture.supplyAsync(() -> {
                    try {
                        aborted.abort(Disconnect.threads("test-abort"));
                    } catch (SQLException e) {
                        // measured below either way
                    }
                    return millisSince(abortBegan);
                }, Disconnect.threads("test-vendor-abort"));
                String abortCallMillis;
                try {
                    abortCallMillis = abortCall.get(5, TimeUnit.SECONDS) + " ms";
                } catch (java.util.concurrent.TimeoutException e) {
                    abortCallMillis = "not within 5000 ms";
                }
                String abortUnblock = second.isDone() ? TimeUnit.NANOSECONDS.toMillis(abortFailedAt.get() - abortBegan)
                        + " ms after it" : "still blocked";

                System.out.printf("%s: Disconnect.cutOff returned in %d ms, the writer failed %d ms after it (%s);"
                                + " the vendor's Connection.abort returned %s, its writer %s%n", vendor,
                        cutCallMillis, cutUnblockMillis, failure == null ? "no error" : failure.getSQLState(),
                        abortCallMillis, abortUnblock);
                assertThat((Object) failure).as("the writer's outcome").isNotNull();
                assertThat(cutCallMillis).as("ms Disconnect.cutOff blocked its caller").isLessThan(500);
                // Well under the connect timeout a KILL on a new connection would wait on the frozen server.
                assertThat(cutUnblockMillis).as("ms until the writer failed").isLessThan(CONNECT_TIMEOUT_MILLIS / 2);
            } finally {
                cluster.thaw(primary);
                cut.close();
                aborted.close();
            }
        }
    }

    private static Connection open(LocalCluster cluster, LocalNode node, String vendor) throws SQLException {
        String params = vendor.equals("mysql") ? "sslMode=DISABLED&allowPublicKeyRetrieval=true&" : "";
        return DriverManager.getConnection("jdbc:" + vendor + "://127.0.0.1:" + node.serverPort() + "/app?" + params
                // A socket timeout well past the test's own waits: the writers and the vendor's abort are measured
                // against a frozen server, and nothing may block past the test if a driver never gives up (a run
                // without it once hung for minutes in MariaDB Connector/J's abort).
                + "connectTimeout=" + CONNECT_TIMEOUT_MILLIS + "&socketTimeout=30000", cluster.appUser(),
                cluster.appPassword());
    }

    private static CompletableFuture<SQLException> blockedInsert(Connection c, long id, AtomicLong failedAt) {
        CompletableFuture<SQLException> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (" + id + ")");
                failedAt.set(System.nanoTime());
                outcome.complete(null);
            } catch (SQLException e) {
                failedAt.set(System.nanoTime());
                outcome.complete(e);
            }
        }, "test-blocked-writer-" + id);
        t.setDaemon(true);
        t.start();
        return outcome;
    }

    private static long millisSince(long began) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    }
}
