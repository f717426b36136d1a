package dev.haven.jdbc.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread factory that remembers the threads it made while they run, so that {@code close()} can wait for them:
 * HikariCP's {@code shutdown()} stops its housekeeper without waiting and gives up on a connection adder blocked
 * in a connect, so a data source closed right after a failover left pool threads running (found by
 * {@code CloseDuringFailoverIT}). Daemon threads, named {@code prefix-N}.
 */
final class TrackedThreads implements ThreadFactory {

    private static final Logger log = LoggerFactory.getLogger(TrackedThreads.class);

    private final String prefix;
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private int count;

    TrackedThreads(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable task) {
        String name;
        synchronized (this) {
            name = prefix + "-" + (++count);
        }
        Thread t = new Thread(() -> {
            try {
                task.run();
            } finally {
                running.remove(Thread.currentThread());
            }
        }, name);
        t.setDaemon(true);
        running.add(t);
        return t;
    }

    /**
     * Waits until every thread made here has ended, interrupting them at half the bound; logs the ones still
     * running at the end of it.
     */
    void awaitEnd(long boundMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMillis);
        long interruptAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMillis / 2);
        boolean interrupted = false;
        while (!running.isEmpty()) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                log.warn("{} thread(s) still running {} ms after close: {}", running.size(), boundMillis, running);
                return;
            }
            if (!interrupted && now - interruptAt >= 0) {
                for (Thread t : running) {
                    t.interrupt();
                }
                interrupted = true;
            }
            for (Thread t : running) {
                try {
                    t.join(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(deadline - now), 20)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                break;
            }
        }
    }
}
