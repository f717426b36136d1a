/*
 * Copyright 2025 the Haven authors.
 * Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
 */
package dev.haven.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on 127.0.0.1 that sits in front of one database server and injects network
 * faults on demand: a blackhole ({@link #partition()}), added latency ({@link #latency(Duration)}),
 * abrupt resets ({@link #reset()}) and refused connections ({@link #refuse()}).
 *
 * <p>Clients connect to {@code 127.0.0.1:}{@link #port()}; each accepted connection is forwarded to
 * {@code upstreamHost:upstreamPort} over its own upstream connection. Faults apply to connections
 * that already exist as well as to new ones, until {@link #heal()}:
 *
 * <table>
 *   <caption>Faults</caption>
 *   <tr><th>call</th><th>existing connections</th><th>new connections</th></tr>
 *   <tr><td>{@link #partition()}</td>
 *       <td>kept open; every byte in both directions is read and dropped, so a client waits until
 *           its own socket timeout, as with a network that drops packets</td>
 *       <td>accepted, never connected upstream; bytes dropped the same way (the TCP handshake
 *           itself completes, so a client hits its connect/login timeout rather than a
 *           {@code connect()} timeout)</td></tr>
 *   <tr><td>{@link #latency(Duration)}</td>
 *       <td>every forwarded chunk is delayed by that much, in each direction</td>
 *       <td>same</td></tr>
 *   <tr><td>{@link #refuse()}</td>
 *       <td>untouched (add {@link #reset()} to kill them too)</td>
 *       <td>reset as soon as they are accepted, as by a closed port</td></tr>
 *   <tr><td>{@link #reset()}</td>
 *       <td>closed at once with a TCP RST on both sides</td>
 *       <td>not affected (one-shot)</td></tr>
 *   <tr><td>{@link #heal()}</td>
 *       <td>latency off; connections that lost bytes while blackholed are reset (their streams are
 *           corrupt); the others carry on</td>
 *       <td>forwarded normally</td></tr>
 * </table>
 *
 * <p>A server that is down or restarting shows through: if the upstream connect fails the client's
 * connection is reset. A restarted server that comes back on another port is reached through
 * {@link #retarget(int)}, which applies to new connections.
 *
 * <p>Typical use, with the proxy standing in for the database's address:
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start("db1", "127.0.0.1", dbPort)) {
 *     String url = "jdbc:mariadb://127.0.0.1:" + proxy.port() + "/app?socketTimeout=500";
 *     proxy.partition();   // queries now hang until socketTimeout
 *     proxy.heal();
 * }
 * }</pre>
 *
 * <p>All methods are thread-safe. {@link #close()} stops listening, closes every connection and
 * returns only once all of the proxy's threads have ended.
 *
 * <p><b>Implementation notes.</b> Plain blocking sockets and daemon platform threads, named
 * {@code haven-proxy-<name>-accept} and {@code haven-proxy-<name>-c<id>-c2s} / {@code -s2c}
 * ({@code -drain} for a connection accepted while partitioned). Each direction of a connection has
 * its own thread blocked in {@code read}; no thread polls. Fault state is a handful of volatile
 * fields read once per chunk. Latency is a sleep in the forwarding thread until the chunk's read
 * time plus the latency, so order is kept and throughput drops to about one buffer per latency
 * period, which is enough for a database protocol. "Lost bytes" is tracked per connection by a
 * volatile {@code tainted} flag; {@code partition}/{@code heal} races are closed by writing the flag
 * before re-reading {@code partitioned} (and {@code heal} writing {@code partitioned} before
 * reading the flags), so no connection that dropped a byte survives a heal. A half-close (FIN) is
 * forwarded as a half-close; an error on either side resets both.
 */
public final class FaultProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FaultProxy.class);

    /** The address the proxy listens on. */
    public static final String HOST = "127.0.0.1";

    private static final int BUFFER_SIZE = 32 * 1024;
    private static final int BACKLOG = 128;
    private static final int UPSTREAM_CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final long ACCEPT_RETRY_MILLIS = 50;
    private static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String name;
    private final String threadPrefix;
    private final String upstreamHost;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    private volatile int upstreamPort;
    private volatile boolean partitioned;
    private final java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean refusing;
    private volatile long latencyNanos;
    /** A connection to cut at a request ({@link #resetRequestAfter}, {@link #resetAtRequest}); taken once. */
    private final AtomicReference<Cut> cut = new AtomicReference<>();

    private FaultProxy(String name, String upstreamHost, int upstreamPort, ServerSocket server) {
        this.name = name;
        this.threadPrefix = "haven-proxy-" + name + "-";
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.server = server;
    }

    /**
     * Starts a proxy listening on an ephemeral port of 127.0.0.1 and forwarding to the given
     * upstream.
     *
     * @param name a short name for logs and thread names, e.g. {@code "db1"}
     * @param upstreamHost the server's host, e.g. {@code "127.0.0.1"}
     * @param upstreamPort the server's port, 1-65535; it need not be listening yet
     * @return the running proxy; close it when done
     * @throws IOException if the listening socket cannot be opened
     */
    public static FaultProxy start(String name, String upstreamHost, int upstreamPort)
            throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(upstreamHost, "upstreamHost");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        checkPort(upstreamPort);
        ServerSocket server = new ServerSocket();
        try {
            server.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0), BACKLOG);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        FaultProxy proxy = new FaultProxy(name, upstreamHost, upstreamPort, server);
        if (!proxy.spawn("accept", proxy::acceptLoop)) {
            throw new IllegalStateException("proxy closed while starting");
        }
        log.debug("proxy {} listening on {}:{} -> {}:{}", name, HOST, proxy.port(), upstreamHost,
                upstreamPort);
        return proxy;
    }

    /** The name given at start. */
    public String name() {
        return name;
    }

    /** The port this proxy listens on, on {@value #HOST}. */
    public int port() {
        return server.getLocalPort();
    }

    /** The upstream host connections are forwarded to. */
    public String upstreamHost() {
        return upstreamHost;
    }

    /** The upstream port new connections are forwarded to. */
    public int upstreamPort() {
        return upstreamPort;
    }

    /**
     * Forwards connections accepted from now on to {@code upstreamHost:port}; existing
     * connections keep their upstream.
     *
     * @param port the new upstream port, 1-65535
     */
    public void retarget(int port) {
        checkPort(port);
        upstreamPort = port;
        log.info("proxy {}: upstream now {}:{}", name, upstreamHost, port);
    }

    /**
     * Blackholes the link: existing and new connections stay open, but every byte in either
     * direction is read and dropped. New connections are accepted and never connected upstream.
     * Lasts until {@link #heal()}.
     */
    public void partition() {
        partitioned = true;
        log.info("proxy {}: partitioned", name);
    }

    /**
     * Delays every forwarded chunk, in each direction, on existing and new connections.
     *
     * @param latency the delay per direction; {@link Duration#ZERO} turns it off
     */
    public void latency(Duration latency) {
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must be >= 0, got " + latency);
        }
        latencyNanos = latency.toNanos();
        log.info("proxy {}: latency {} ms per direction", name, latency.toMillis());
    }

    /**
     * Same as {@link #latency(Duration)} in milliseconds.
     *
     * @param millis the delay per direction in milliseconds, 0 = off
     */
    public void latency(long millis) {
        latency(Duration.ofMillis(millis));
    }

    /**
     * Makes new connections fail as if the port were closed: each is reset as soon as it is
     * accepted. Existing connections are not touched. Lasts until {@link #heal()}.
     */
    public void refuse() {
        refusing = true;
        log.info("proxy {}: refusing new connections", name);
    }

    /**
     * Cuts one connection at an exact point of its conversation: the first client connection that sends
     * {@code text} (say, a statement with a unique value) has that request and its answer forwarded, and is reset
     * (TCP RST, both sides) as soon as it sends anything more, which is lost. So the client holds the answer to the
     * marked request, and its next request finds the connection dead, as when a server dies between the two. Once
     * only; {@link #heal()} disarms it if no connection sent the text yet. The text must arrive within one read, as
     * a short statement does.
     *
     * @param text what the client sends, in UTF-8; not empty
     */
    public void resetRequestAfter(String text) {
        arm(new Cut(text, true, () -> { }));
    }

    /**
     * Cuts the first client connection that sends {@code text}: that request is lost, {@code action} runs (on the
     * proxy's thread, before the reset: to kill the server there, say), and the connection is reset. Once only, as
     * {@link #resetRequestAfter}.
     *
     * @param text what the client sends, in UTF-8; not empty
     * @param action what happens at that moment
     */
    public void resetAtRequest(String text, Runnable action) {
        arm(new Cut(text, false, action));
    }

    private void arm(Cut c) {
        cut.set(c);
        log.info("proxy {}: resetting the connection {} its request containing '{}'", name,
                c.after ? "after" : "at", new String(c.text, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Where {@link #resetRequestAfter} or {@link #resetAtRequest} cuts. */
    private static final class Cut {
        final byte[] text;
        final boolean after;
        final Runnable action;

        Cut(String text, boolean after, Runnable action) {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(action, "action");
            if (text.isEmpty()) {
                throw new IllegalArgumentException("text must not be empty");
            }
            this.text = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            this.after = after;
            this.action = action;
        }
    }

    /**
     * Closes every current connection abruptly (TCP RST) on both the client and the upstream side.
     * Connections opened afterwards work as before.
     */
    public void reset() {
        int n = 0;
        for (Link link : links) {
            if (link.abort()) {
                n++;
            }
        }
        log.info("proxy {}: reset {} connection(s)", name, n);
    }

    /**
     * Ends every fault: no partition, no latency, no refusal. Connections that lost bytes while
     * partitioned (or were accepted while partitioned) are reset, since their streams are no longer
     * consistent; the others carry on.
     */
    public void heal() {
        boolean faulty = latencyNanos != 0 || refusing || partitioned || cut.getAndSet(null) != null;
        latencyNanos = 0;
        refusing = false;
        partitioned = false;
        int n = 0;
        for (Link link : links) {
            if (link.tainted && link.abort()) {
                n++;
            }
        }
        if (faulty || n > 0) {
            log.info("proxy {}: healed, reset {} broken connection(s)", name, n);
        }
    }

    /** The number of client connections the proxy currently holds. */
    public int connectionCount() {
        return links.size();
    }

    /**
     * The number of client connections accepted since the proxy started, whatever became of them: how often
     * clients tried to reach the server behind it, also while it is down (the proxy accepts, the upstream refuses).
     */
    public long acceptedCount() {
        return accepted.get();
    }

    /**
     * Stops listening, resets every connection and waits (up to 10 s) for all of the proxy's
     * threads to end. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(server);
        long deadline = System.nanoTime() + CLOSE_TIMEOUT_NANOS;
        boolean interrupted = false;
        while (!threads.isEmpty() || !links.isEmpty()) {
            for (Link link : links) {
                link.abort();
            }
            for (Thread t : threads) {
                t.interrupt();
            }
            for (Thread t : threads) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || interrupted) {
                    break;
                }
                try {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted || System.nanoTime() - deadline >= 0) {
                break;
            }
        }
        if (!threads.isEmpty()) {
            log.warn("proxy {}: {} thread(s) still running after close: {}", name, threads.size(),
                    threads);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        log.debug("proxy {} closed", name);
    }

    @Override
    public String toString() {
        return "FaultProxy[" + name + " " + HOST + ":" + port() + " -> " + upstreamHost + ":"
                + upstreamPort + (partitioned ? " partitioned" : "") + (refusing ? " refusing" : "")
                + (latencyNanos > 0 ? " latency=" + TimeUnit.NANOSECONDS.toMillis(latencyNanos)
                        + "ms" : "")
                + (closed.get() ? " closed" : "") + ", " + links.size() + " connection(s)]";
    }

    // ---------------------------------------------------------------------------------------------

    private void acceptLoop() {
        while (!closed.get()) {
            Socket client;
            try {
                client = server.accept();
                accepted.incrementAndGet();
            } catch (IOException e) {
                if (closed.get() || server.isClosed()) {
                    return;
                }
                log.warn("proxy {}: accept failed", name, e);
                try {
                    Thread.sleep(ACCEPT_RETRY_MILLIS); // e.g. out of file descriptors: do not spin
                } catch (InterruptedException interrupted) {
                    return;
                }
                continue;
            }
            long id = connectionIds.incrementAndGet();
            try {
                client.setTcpNoDelay(true);
            } catch (IOException e) {
                abortQuietly(client);
                continue;
            }
            if (refusing) {
                log.debug("proxy {}: refusing connection c{}", name, id);
                abortQuietly(client);
                continue;
            }
            Link link = new Link(id, client);
            links.add(link);
            if (closed.get()) {
                link.abort();
                return;
            }
            if (partitioned) {
                link.tainted = true;
                if (!partitioned) {
                    link.abort(); // healed meanwhile; heal() may not have seen this link
                    continue;
                }
                if (!spawn("c" + id + "-drain", link::drain)) {
                    link.abort();
                }
            } else if (!spawn("c" + id + "-c2s", link::connectAndForward)) {
                link.abort();
            }
        }
    }

    /** Starts a named daemon thread tracked for {@link #close()}; false if the proxy is closed. */
    private boolean spawn(String suffix, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (RuntimeException | Error e) {
                log.warn("proxy {}: thread {} failed", name, Thread.currentThread().getName(), e);
            } finally {
                threads.remove(Thread.currentThread());
            }
        }, threadPrefix + suffix);
        t.setDaemon(true);
        threads.add(t);
        if (closed.get()) {
            threads.remove(t);
            return false;
        }
        t.start();
        return true;
    }

    /** One client connection and its upstream connection. */
    private final class Link {
        final long id;
        final Socket client;
        volatile Socket upstream;
        /** True once a byte (or a FIN) of this connection has been dropped. */
        volatile boolean tainted;
        /** Set once this client sent the text of {@link #resetRequestAfter}: its next request resets it. */
        volatile Cut resetOnNextRequest;
        private final AtomicBoolean done = new AtomicBoolean();
        private final AtomicInteger openDirections = new AtomicInteger(2);

        Link(long id, Socket client) {
            this.id = id;
            this.client = client;
        }

        /** Runs in the c2s thread: connects upstream, starts s2c, then forwards client to server. */
        void connectAndForward() {
            Socket up = new Socket();
            upstream = up; // published first so that abort() can interrupt the connect
            if (done.get()) {
                closeQuietly(up);
                return;
            }
            int port = upstreamPort;
            try {
                up.setTcpNoDelay(true);
                up.connect(new InetSocketAddress(upstreamHost, port), UPSTREAM_CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                log.debug("proxy {}: c{} cannot reach {}:{}: {}", name, id, upstreamHost, port,
                        e.toString());
                abort();
                return;
            }
            if (done.get()) {
                abort();
                return;
            }
            if (!spawn("c" + id + "-s2c", () -> forward(up, client))) {
                abort();
                return;
            }
            forward(client, up);
        }

        /** Copies {@code from} to {@code to}, applying the proxy's faults chunk by chunk. */
        void forward(Socket from, Socket to) {
            byte[] buffer = new byte[BUFFER_SIZE];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (true) {
                    int n = in.read(buffer);
                    long readAt = System.nanoTime();
                    if (dropped()) {
                        if (n < 0) {
                            return; // the FIN is lost too; heal() or close() ends the connection
                        }
                        continue;
                    }
                    long latency = latencyNanos;
                    if (latency > 0) {
                        sleepUntil(readAt + latency);
                        if (dropped()) {
                            if (n < 0) {
                                return;
                            }
                            continue;
                        }
                    }
                    if (n < 0) {
                        to.shutdownOutput();
                        directionFinished();
                        return;
                    }
                    if (from == client && resetRequest(buffer, n)) {
                        abort();
                        return;
                    }
                    out.write(buffer, 0, n);
                }
            } catch (IOException | InterruptedException e) {
                abort();
            }
        }

        /** For a client chunk: true if it is to be lost with the connection (a {@link Cut}). */
        private boolean resetRequest(byte[] chunk, int length) {
            Cut pending = resetOnNextRequest;
            if (pending != null) {
                log.info("proxy {}: c{} reset at its request after the marked one", name, id);
                pending.action.run();
                return true;
            }
            Cut c = cut.get();
            if (c == null || !contains(chunk, length, c.text) || !cut.compareAndSet(c, null)) {
                return false;
            }
            if (c.after) {
                resetOnNextRequest = c;
                return false;
            }
            log.info("proxy {}: c{} reset at the marked request", name, id);
            c.action.run();
            return true;
        }

        /** Runs for a connection accepted while partitioned: reads and drops until the end. */
        void drain() {
            byte[] buffer = new byte[BUFFER_SIZE];
            try {
                InputStream in = client.getInputStream();
                while (in.read(buffer) >= 0) {
                    // dropped
                }
            } catch (IOException e) {
                abort();
            }
        }

        /** True if the proxy is partitioned, in which case this link is marked as having lost data. */
        private boolean dropped() {
            if (!partitioned) {
                return false;
            }
            tainted = true;
            if (!partitioned) {
                abort(); // heal() raced with us and may have missed the flag
            }
            return true;
        }

        private void directionFinished() {
            if (openDirections.decrementAndGet() == 0 && done.compareAndSet(false, true)) {
                closeQuietly(client);
                closeQuietly(upstream);
                links.remove(this);
                log.debug("proxy {}: c{} closed", name, id);
            }
        }

        /** Resets both sides; true if this call did it. */
        boolean abort() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            abortQuietly(client);
            Socket up = upstream;
            if (up != null) {
                abortQuietly(up);
            }
            links.remove(this);
            log.debug("proxy {}: c{} reset", name, id);
            return true;
        }
    }

    private static boolean contains(byte[] chunk, int length, byte[] text) {
        outer:
        for (int i = 0; i + text.length <= length; i++) {
            for (int j = 0; j < text.length; j++) {
                if (chunk[i + j] != text[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1-65535, got " + port);
        }
    }

    private static void abortQuietly(Socket socket) {
        try {
            if (!socket.isClosed()) {
                socket.setSoLinger(true, 0);
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // nothing useful to do
        }
    }
}
