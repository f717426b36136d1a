package dev.haven.jdbc.internal;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a planned switchover hold new writes back and wait until the writes in progress are done.
 *
 * <p>Implementation notes: the leases are counted in a {@link LongAdder}, not one shared counter: once two
 * threads have met on it, each writer adds to a cell of its own (padded against false sharing), so writes on
 * different cores do not bounce one cache line between them (an {@code AtomicInteger} did, on every write). Only
 * the switchover sums the cells, and only while it drains. A lease may be left on another thread than the one
 * that took it (a connection handed over between threads): the sum is right whichever cells hold the two halves.
 *
 * <p>Order matters, Dekker-style: a writer counts itself first and then reads {@link #closed}; the switchover
 * sets {@link #closed} first and then sums. Both are volatile accesses, so either the switchover sees the lease
 * or the writer sees the gate closed (and takes its lease back before it waits): no write slips past a closing
 * gate unseen. The sum can only over-count (a writer that counted itself and is about to back off), never show
 * zero while a lease granted before the close is held.
 */
final class WriteGate implements dev.haven.core.internal.WriteBarrier {

    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final LongAdder active = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean closed;

    /** Counts a write lease, first waiting while the gate is closed (at most {@code timeoutNanos}). */
    void enter(long timeoutNanos) throws SQLException {
        active.increment();
        if (!closed) {
            return; // the common path: one cell update and one volatile read
        }
        leave(); // held back: give the lease up while waiting, so the switchover can drain
        long left = timeoutNanos;
        lock.lock();
        try {
            for (;;) {
                while (closed) {
                    if (left <= 0) {
                        throw new SQLTransientConnectionException("writes are held back by a switchover that"
                                + " did not finish within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                                + " ms (ha.failover.timeout); retry", "08001");
                    }
                    left = changed.awaitNanos(left);
                }
                active.increment();
                if (!closed) {
                    return;
                }
                active.decrement(); // closed again meanwhile: the switchover may be summing (no signal needed: we hold the lock)
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("interrupted while writes were held back", "08001", e);
        } finally {
            lock.unlock();
        }
    }

    void leave() {
        active.decrement();
        if (closed) {
            signal(); // a switchover may be waiting for the last lease
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public void open() {
        closed = false;
        signal();
    }

    /** Waits until no write lease is held; true if that happened within the time. */
    @Override
    public boolean awaitDrained(long timeoutNanos) throws InterruptedException {
        // The deadline is fixed once: each wait is a short slice (a safety net against a missed signal), and the
        // time left is what remains of the whole timeout, never what remains of the slice.
        long deadline = System.nanoTime() + timeoutNanos;
        lock.lock();
        try {
            while (active.sum() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(Math.min(left, SLICE_NANOS));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Leases held now (exact only when no writer is entering or leaving). */
    @Override
    public int active() {
        return (int) Math.max(0, active.sum());
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
