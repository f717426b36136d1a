package dev.haven.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.Health;
import dev.haven.core.Node;
import org.junit.jupiter.api.Test;

/** How long the monitor waits between two probes of a node ({@code HealthMonitor.spacingNanos}). */
class ProbeSpacingTest {

    private static final long INTERVAL = 1_000_000_000L; // 1 s
    private static final long QUARTER = INTERVAL / 4;
    private static final long MAX_LAG = 2000;

    @Test
    void aHealthyNodeIsProbedOncePerInterval() {
        assertThat(HealthMonitor.spacingNanos(true, Health.UP, false, Node.LAG_UNKNOWN, MAX_LAG, false, INTERVAL))
                .isEqualTo(INTERVAL);
        assertThat(HealthMonitor.spacingNanos(true, Health.UP, true, 0, MAX_LAG, false, INTERVAL)).isEqualTo(INTERVAL);
        assertThat(HealthMonitor.spacingNanos(true, Health.SUSPECT, false, Node.LAG_UNKNOWN, MAX_LAG, false, INTERVAL))
                .as("answering again while in doubt: recoverAfter counts probes a whole interval apart")
                .isEqualTo(INTERVAL);
    }

    @Test
    void aNodeInDoubtIsProbedFourTimesAsOftenUntilItIsDown() {
        assertThat(HealthMonitor.spacingNanos(false, Health.SUSPECT, false, Node.LAG_UNKNOWN, MAX_LAG, false, INTERVAL))
                .isEqualTo(QUARTER);
        assertThat(HealthMonitor.spacingNanos(false, Health.UP, false, Node.LAG_UNKNOWN, MAX_LAG, false, INTERVAL))
                .isEqualTo(QUARTER);
        assertThat(HealthMonitor.spacingNanos(false, Health.DOWN, false, Node.LAG_UNKNOWN, MAX_LAG, false, INTERVAL))
                .isEqualTo(INTERVAL);
    }

    /**
     * A replica's lag is known only at probes, and may grow by up to one interval before the next one: within one
     * interval of {@code ha.maxReplicaLag} it is probed four times as often while it serves reads.
     */
    @Test
    void aReplicaServingReadsWithinOneIntervalOfTheLagBoundIsProbedFourTimesAsOften() {
        assertThat(HealthMonitor.spacingNanos(true, Health.UP, true, 1000, MAX_LAG, false, INTERVAL))
                .as("1 s behind, 2 s allowed: 2 s at the next probe at worst, still within").isEqualTo(INTERVAL);
        assertThat(HealthMonitor.spacingNanos(true, Health.UP, true, 1001, MAX_LAG, false, INTERVAL)).isEqualTo(QUARTER);
        assertThat(HealthMonitor.spacingNanos(true, Health.UP, true, 1999, MAX_LAG, false, INTERVAL))
                .as("Seconds_Behind_Master 1 (up to 1.999 s)").isEqualTo(QUARTER);
        assertThat(HealthMonitor.spacingNanos(true, Health.UP, false, 2500, MAX_LAG, false, INTERVAL))
                .as("lagging: it serves no reads, nothing to bound").isEqualTo(INTERVAL);
        assertThat(HealthMonitor.spacingNanos(true, Health.UP, true, Node.LAG_UNKNOWN, MAX_LAG, false, INTERVAL))
                .isEqualTo(INTERVAL);
    }

    /** While the primary is in doubt its replicas are probed four times as often: their links decide a failover. */
    @Test
    void aReplicaIsProbedFourTimesAsOftenWhileThePrimaryIsInDoubt() {
        assertThat(HealthMonitor.spacingNanos(true, Health.UP, true, 0, MAX_LAG, true, INTERVAL)).isEqualTo(QUARTER);
        assertThat(HealthMonitor.spacingNanos(true, Health.UP, false, Node.LAG_UNKNOWN, MAX_LAG, true, INTERVAL))
                .as("not serving reads (its link broke)").isEqualTo(QUARTER);
        assertThat(HealthMonitor.spacingNanos(false, Health.DOWN, false, Node.LAG_UNKNOWN, MAX_LAG, true, INTERVAL))
                .as("a replica that is down itself").isEqualTo(INTERVAL);
    }
}
