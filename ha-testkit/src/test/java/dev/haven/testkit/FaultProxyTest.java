/*
 * Copyright 2025 the Haven authors.
 * Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
 */
package dev.haven.testkit;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

class FaultProxyTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private EchoServer echo;
    private FaultProxy proxy;
    private String proxyName;

    @BeforeEach
    void setUp(TestInfo info) throws IOException {
        echo = new EchoServer();
        proxyName = info.getTestMethod().orElseThrow().getName();
        proxy = FaultProxy.start(proxyName, "127.0.0.1", echo.port());
    }

    @AfterEach
    void tearDown() throws IOException {
        proxy.close();
        echo.close();
        assertThat(proxyThreads(proxyName)).as("proxy threads after close").isEmpty();
    }

    @Test
    void forwardsBytesInBothDirections() throws Exception {
        byte[] payload = new byte[1 << 20];
        new Random(42).nextBytes(payload);
        try (Socket a = connect(); Socket b = connect()) {
            // write and read concurrently so that neither side's buffers fill up
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    a.getOutputStream().write(payload);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(roundTrip(b, "second connection")).isEqualTo("second connection");
            byte[] echoed = readFully(a.getInputStream(), payload.length);
            writer.get(10, TimeUnit.SECONDS);
            assertThat(echoed).isEqualTo(payload);
            assertThat(proxy.connectionCount()).isEqualTo(2);
            assertThat(echo.accepted()).isEqualTo(2);
        }
    }

    @Test
    void halfCloseIsForwardedAndClosedConnectionsAreReleased() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("bye".getBytes(US_ASCII));
            s.shutdownOutput();
            assertThat(new String(readFully(s.getInputStream(), 3), US_ASCII)).isEqualTo("bye");
            assertThat(s.getInputStream().read()).as("EOF after the server closed").isEqualTo(-1);
        }
        await(() -> proxy.connectionCount() == 0, "proxy releases the connection");
        await(() -> proxyThreads(proxyName).size() == 1, "only the accept thread is left");
        assertThat(echo.openConnections()).isZero();
    }

    @Test
    void partitionBlackholesExistingAndNewConnectionsUntilHeal() throws Exception {
        try (Socket existing = connect(); Socket idle = connect()) {
            assertThat(roundTrip(existing, "before")).isEqualTo("before");
            assertThat(roundTrip(idle, "idle")).isEqualTo("idle");
            long received = echo.bytesReceived();

            proxy.partition();

            existing.setSoTimeout(300);
            existing.getOutputStream().write("lost".getBytes(US_ASCII));
            assertThatThrownBy(() -> existing.getInputStream().read())
                    .isInstanceOf(SocketTimeoutException.class);
            // still open: it can write and it times out again rather than seeing EOF or a reset
            existing.getOutputStream().write("lost again".getBytes(US_ASCII));
            assertThatThrownBy(() -> existing.getInputStream().read())
                    .isInstanceOf(SocketTimeoutException.class);

            int acceptedBefore = echo.accepted();
            try (Socket during = connect()) {
                during.setSoTimeout(300);
                during.getOutputStream().write("hello?".getBytes(US_ASCII));
                assertThatThrownBy(() -> during.getInputStream().read())
                        .isInstanceOf(SocketTimeoutException.class);
                assertThat(proxy.connectionCount()).isEqualTo(3);
                assertThat(echo.accepted()).as("never connected upstream").isEqualTo(acceptedBefore);
                assertThat(echo.bytesReceived()).as("nothing got through").isEqualTo(received);

                proxy.heal();

                assertResetPromptly(existing);
                assertResetPromptly(during);
            }
            assertThat(roundTrip(idle, "idle connection lost nothing"))
                    .isEqualTo("idle connection lost nothing");
            try (Socket after = connect()) {
                assertThat(roundTrip(after, "after heal")).isEqualTo("after heal");
            }
        }
    }

    @Test
    void partitionDropsBytesFromTheServerToo() throws Exception {
        try (Socket s = connect()) {
            roundTrip(s, "x");
            s.setSoTimeout(300);
            InputStream in = s.getInputStream();

            echo.pushToAll("pushed".getBytes(US_ASCII));
            assertThat(new String(readFully(in, 6), US_ASCII)).as("control: a push gets through")
                    .isEqualTo("pushed");

            proxy.partition();
            echo.pushToAll("lost".getBytes(US_ASCII));

            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void resetClosesEveryConnectionOnBothSidesPromptly() throws Exception {
        try (Socket a = connect(); Socket b = connect()) {
            roundTrip(a, "a");
            roundTrip(b, "b");
            assertThat(echo.openConnections()).isEqualTo(2);

            proxy.reset();

            assertResetPromptly(a);
            assertResetPromptly(b);
            await(() -> echo.openConnections() == 0, "the server side is closed too");
            assertThat(proxy.connectionCount()).isZero();
        }
        try (Socket c = connect()) {
            assertThat(roundTrip(c, "new connection")).isEqualTo("new connection");
        }
    }

    @Test
    void resetRequestAfterAnswersTheMarkedRequestThenResetsThatConnectionOnly() throws Exception {
        try (Socket other = connect(); Socket marked = connect()) {
            roundTrip(other, "before");
            proxy.resetRequestAfter("COMMIT 42");

            assertThat(roundTrip(marked, "COMMIT 42")).as("the marked request is answered").isEqualTo("COMMIT 42");
            assertThat(roundTrip(other, "not marked")).isEqualTo("not marked");
            marked.getOutputStream().write("SELECT 1".getBytes(US_ASCII));
            assertResetPromptly(marked);
            assertThat(roundTrip(other, "the other goes on")).isEqualTo("the other goes on");
        }
        try (Socket again = connect()) {
            assertThat(roundTrip(again, "COMMIT 42")).as("once only").isEqualTo("COMMIT 42");
            assertThat(roundTrip(again, "SELECT 1")).isEqualTo("SELECT 1");
        }
    }

    @Test
    void resetAtRequestLosesTheMarkedRequestAfterItsActionRan() throws Exception {
        java.util.concurrent.atomic.AtomicInteger actions = new java.util.concurrent.atomic.AtomicInteger();
        try (Socket marked = connect()) {
            roundTrip(marked, "before");
            long received = echo.bytesReceived();
            proxy.resetAtRequest("SELECT @@last_gtid", actions::incrementAndGet);
            marked.getOutputStream().write("SELECT @@last_gtid".getBytes(US_ASCII));
            assertResetPromptly(marked);
            assertThat(actions.get()).as("the action ran once").isEqualTo(1);
            assertThat(echo.bytesReceived()).as("bytes of the marked request that reached the server")
                    .isEqualTo(received);
        }
        try (Socket again = connect()) {
            assertThat(roundTrip(again, "SELECT @@last_gtid")).as("once only").isEqualTo("SELECT @@last_gtid");
            assertThat(actions.get()).isEqualTo(1);
        }
    }

    @Test
    void latencyDelaysEveryChunkInBothDirections() throws Exception {
        try (Socket existing = connect()) {
            roundTrip(existing, "warm-up");
            proxy.latency(Duration.ofMillis(200));

            long start = System.nanoTime();
            roundTrip(existing, "slow");
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // 200 ms on the way in and 200 ms on the way back; lower bound only
            assertThat(elapsedMillis).isGreaterThanOrEqualTo(400);

            try (Socket fresh = connect()) {
                start = System.nanoTime();
                roundTrip(fresh, "slow too");
                elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(elapsedMillis).isGreaterThanOrEqualTo(400);
            }

            proxy.latency(0);
            assertThat(roundTrip(existing, "fast again")).isEqualTo("fast again");
        }
    }

    @Test
    void refuseResetsNewConnectionsButNotExistingOnesUntilHeal() throws Exception {
        try (Socket existing = connect()) {
            roundTrip(existing, "before");
            int accepted = echo.accepted();

            proxy.refuse();

            try (Socket refused = connect()) {
                assertResetPromptly(refused);
            }
            assertThat(echo.accepted()).isEqualTo(accepted);
            assertThat(roundTrip(existing, "still fine")).isEqualTo("still fine");

            proxy.heal();

            try (Socket after = connect()) {
                assertThat(roundTrip(after, "accepted again")).isEqualTo("accepted again");
            }
        }
    }

    @Test
    void retargetAppliesToNewConnections() throws Exception {
        try (EchoServer other = new EchoServer(); Socket old = connect()) {
            roundTrip(old, "first server");

            proxy.retarget(other.port());

            assertThat(proxy.upstreamPort()).isEqualTo(other.port());
            try (Socket fresh = connect()) {
                assertThat(roundTrip(fresh, "second server")).isEqualTo("second server");
            }
            assertThat(other.accepted()).isEqualTo(1);
            long before = echo.bytesReceived();
            roundTrip(old, "still the first");
            assertThat(echo.bytesReceived()).isGreaterThan(before);
        }
    }

    @Test
    void unreachableUpstreamResetsTheClient() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        proxy.retarget(deadPort);
        try (Socket s = connect()) {
            assertResetPromptly(s);
        }
        await(() -> proxy.connectionCount() == 0, "the failed connection is released");
    }

    @Test
    void closeStopsListeningClosesConnectionsAndEndsEveryThread() throws Exception {
        try (Socket healthy = connect(); Socket delayed = connect()) {
            roundTrip(healthy, "healthy");
            roundTrip(delayed, "delayed");
            // a chunk held back by a long latency: its thread sleeps, close() must interrupt it
            proxy.latency(Duration.ofMinutes(1));
            delayed.getOutputStream().write("z".getBytes(US_ASCII));
            String sleeper = "haven-proxy-" + proxyName + "-c2-c2s";
            await(() -> proxyThreads(proxyName).stream().anyMatch(
                    t -> t.getName().equals(sleeper) && t.getState() == Thread.State.TIMED_WAITING),
                    "the delayed chunk is held");
            // and a connection accepted while partitioned, served by a drain thread
            proxy.partition();
            try (Socket blackholed = connect()) {
                // accept + 2 per forwarded connection + 1 drain
                await(() -> proxyThreads(proxyName).size() == 6, "the drain thread runs");
                assertThat(proxy.connectionCount()).isEqualTo(3);

                proxy.close();

                assertThat(proxyThreads(proxyName)).as("threads right after close").isEmpty();
                assertThat(proxy.connectionCount()).isZero();
                assertClosedPromptly(healthy);
                assertClosedPromptly(blackholed);
                assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
                proxy.close(); // idempotent
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> FaultProxy.start("x", "127.0.0.1", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> FaultProxy.start(" ", "127.0.0.1", 3306))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> proxy.latency(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latency");
        assertThatThrownBy(() -> proxy.retarget(70_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
        assertThat(proxy.toString()).contains(proxyName, "127.0.0.1:" + proxy.port());
    }

    // ---------------------------------------------------------------------------------------------

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setTcpNoDelay(true);
        s.setSoTimeout(5_000);
        return s;
    }

    private static String roundTrip(Socket s, String message) throws IOException {
        byte[] bytes = message.getBytes(US_ASCII);
        s.getOutputStream().write(bytes);
        return new String(readFully(s.getInputStream(), bytes.length), US_ASCII);
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] result = in.readNBytes(length);
        assertThat(result).as("bytes read before EOF").hasSize(length);
        return result;
    }

    /** The socket reads EOF or fails with a reset well before its 5 s read timeout. */
    private static void assertClosedPromptly(Socket s) throws IOException {
        s.setSoTimeout(5_000);
        try {
            int b = s.getInputStream().read();
            assertThat(b).as("read after the proxy closed the connection").isEqualTo(-1);
        } catch (SocketTimeoutException e) {
            fail("connection still open 5 s after it should have been closed");
        } catch (IOException expected) {
            assertThat(expected).hasMessageContaining("reset");
        }
    }

    /** The socket fails with a TCP reset (not EOF) well before its 5 s read timeout. */
    private static void assertResetPromptly(Socket s) throws IOException {
        s.setSoTimeout(5_000);
        assertThatThrownBy(() -> s.getInputStream().read())
                .as("read after the proxy reset the connection")
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("reset");
    }

    private static List<Thread> proxyThreads(String name) {
        String prefix = "haven-proxy-" + name + "-";
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive())
                .collect(Collectors.toList());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + WAIT.toSeconds() + " s waiting until " + what);
            }
            Thread.sleep(10);
        }
    }
}
