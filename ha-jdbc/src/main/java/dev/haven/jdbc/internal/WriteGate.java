package dev.haven.jdbc.internal;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a planned switchover hold new writes back and wait until the writes in progress are done. Open, it costs a
 * write one volatile read and an atomic increment and decrement (reads pass it by); closed, writers wait on a
 * condition, woken when it opens.
 */
final class WriteGate {

    private final AtomicInteger active = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean closed;

    /** Waits while the gate is closed (at most {@code timeoutNanos}), then counts a write lease. */
    void enter(long timeoutNanos) throws SQLException {
        if (closed) {
            long left = timeoutNanos;
            lock.lock();
            try {
                while (closed) {
                    if (left <= 0) {
                        throw new SQLTransientConnectionException("writes are held back by a switchover that"
                                + " did not finish within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                                + " ms (ha.failover.timeout); retry", "08001");
                    }
                    left = changed.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLTransientConnectionException("interrupted while writes were held back", "08001", e);
            } finally {
                lock.unlock();
            }
        }
        active.incrementAndGet();
    }

    void leave() {
        if (active.decrementAndGet() == 0 && closed) {
            signal();
        }
    }

    void close() {
        closed = true;
    }

    void open() {
        closed = false;
        signal();
    }

    /** Waits until no write lease is held; true if that happened within the time. */
    boolean awaitDrained(long timeoutNanos) throws InterruptedException {
        long left = timeoutNanos;
        lock.lock();
        try {
            while (active.get() > 0) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    int active() {
        return active.get();
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
