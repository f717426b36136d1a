package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WriteGateTest {

    @Test
    void drainingWaitsForALeaseHeldLongerThanOneWaitSlice() throws Exception {
        WriteGate gate = new WriteGate();
        gate.enter(TimeUnit.SECONDS.toNanos(1));
        gate.close();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try {
                waiting.await();
                Thread.sleep(200); // far longer than the gate's 10 ms wait slice
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            gate.leave();
        });
        holder.start();
        waiting.countDown();
        assertThat(gate.awaitDrained(TimeUnit.SECONDS.toNanos(30))).as("drained within the timeout").isTrue();
        assertThat(gate.active()).isZero();
        holder.join();
    }

    @Test
    void drainingGivesUpAtTheTimeoutNotBefore() throws Exception {
        WriteGate gate = new WriteGate();
        gate.enter(TimeUnit.SECONDS.toNanos(1));
        gate.close();
        long start = System.nanoTime();
        assertThat(gate.awaitDrained(TimeUnit.MILLISECONDS.toNanos(150))).isFalse();
        assertThat(System.nanoTime() - start).as("waited the whole timeout")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
        gate.leave();
    }

    @Test
    void aLeaseLeftOnAnotherThreadThanTheOneThatTookItStillDrains() throws Exception {
        WriteGate gate = new WriteGate();
        gate.enter(TimeUnit.SECONDS.toNanos(1)); // taken here
        Thread other = new Thread(gate::leave); // given back there, as a connection handed between threads
        gate.close();
        other.start();
        assertThat(gate.awaitDrained(TimeUnit.SECONDS.toNanos(30))).isTrue();
        assertThat(gate.active()).isZero();
        other.join();
    }

    @Test
    void aWriterArrivingAtAClosedGateWaitsWithoutHoldingALeaseAndEntersWhenItOpens() throws Exception {
        WriteGate gate = new WriteGate();
        gate.close();
        CountDownLatch entered = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                gate.enter(TimeUnit.SECONDS.toNanos(30));
                entered.countDown();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (writer.getState() != Thread.State.WAITING && writer.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime()).as("the writer waiting at the closed gate").isLessThan(deadline);
            Thread.onSpinWait();
        }
        // the waiting writer holds no lease: the switchover drains at once
        assertThat(gate.awaitDrained(TimeUnit.SECONDS.toNanos(5))).isTrue();
        assertThat(entered.getCount()).as("held back while closed").isEqualTo(1);
        gate.open();
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(gate.active()).isEqualTo(1);
        writer.join();
    }
}
