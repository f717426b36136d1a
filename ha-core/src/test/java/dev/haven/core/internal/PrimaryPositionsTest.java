package dev.haven.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.ReplicationPosition;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrimaryPositionsTest {

    private static final long S = TimeUnit.SECONDS.toNanos(1);

    private static ReplicationPosition pos(long seq) {
        return ReplicationPosition.parse("0-1-" + seq);
    }

    @Test
    void aReplicaHoldingEverySampleIsNotStale() {
        PrimaryPositions p = new PrimaryPositions();
        p.record(1 * S, pos(10));
        p.record(2 * S, pos(20));
        assertThat(p.stalenessAtLeastNanos(pos(20), 5 * S, x -> true)).isZero();
        assertThat(p.stalenessAtLeastNanos(pos(25), 5 * S, x -> true)).isZero();
    }

    @Test
    void aReplicaLackingASampleIsAtLeastAsStaleAsThatSampleIsOld() {
        PrimaryPositions p = new PrimaryPositions();
        p.record(1 * S, pos(10));
        p.record(2 * S, pos(20));
        p.record(3 * S, pos(30));
        // Seconds_Behind_Master may say 0 here: it has applied all it received, which ends at 15
        assertThat(p.stalenessAtLeastNanos(pos(15), 5 * S, x -> true)).isEqualTo(3 * S);
        assertThat(p.stalenessAtLeastNanos(pos(5), 5 * S, x -> true)).isEqualTo(4 * S);
    }

    @Test
    void samplesNoOtherNodeHoldsHoldNobodyBack() {
        PrimaryPositions p = new PrimaryPositions();
        p.record(1 * S, pos(10));
        p.record(2 * S, pos(20)); // the dead primary's last transactions, on no replica
        assertThat(p.stalenessAtLeastNanos(pos(10), 9 * S, x -> pos(10).covers(x))).isZero();
        // once a new primary holds newer transactions, lacking them counts again
        p.record(10 * S, ReplicationPosition.parse("0-2-30"));
        assertThat(p.stalenessAtLeastNanos(pos(10), 12 * S, x -> x.equals(ReplicationPosition.parse("0-2-30"))))
                .isEqualTo(2 * S);
    }

    @Test
    void samplesNewerThanTheReplicasReadingDoNotCount() {
        PrimaryPositions p = new PrimaryPositions();
        p.record(1 * S, pos(10));
        p.record(4 * S, pos(40));
        assertThat(p.stalenessAtLeastNanos(pos(10), 3 * S, x -> true)).isZero();
    }

    @Test
    void anUnchangedPositionKeepsTheTimeItWasFirstSeen() {
        PrimaryPositions p = new PrimaryPositions();
        p.record(1 * S, pos(10));
        p.record(2 * S, pos(10));
        p.record(3 * S, pos(10));
        assertThat(p.stalenessAtLeastNanos(pos(9), 4 * S, x -> true)).isEqualTo(3 * S);
    }

    @Test
    void theOldestSamplesMakeRoomForNewOnes() {
        PrimaryPositions p = new PrimaryPositions();
        for (int i = 1; i <= 40; i++) {
            p.record(i * S, pos(i));
        }
        // samples 1-8 are gone: a replica at 0 lacks sample 9 at the oldest
        assertThat(p.stalenessAtLeastNanos(pos(0), 41 * S, x -> true)).isEqualTo(32 * S);
        assertThat(p.stalenessAtLeastNanos(pos(39), 41 * S, x -> true)).isEqualTo(1 * S);
    }

    @Test
    void nothingRecordedMeansNothingKnown() {
        PrimaryPositions p = new PrimaryPositions();
        p.record(1 * S, ReplicationPosition.EMPTY);
        assertThat(p.stalenessAtLeastNanos(pos(0), 5 * S, x -> true)).isZero();
    }
}
