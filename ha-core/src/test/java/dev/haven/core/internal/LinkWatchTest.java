package dev.haven.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.NodeAddress;
import dev.haven.core.Role;
import dev.haven.core.ServerState;
import dev.haven.core.ServerState.IoState;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How long a replica's link is seen quiet (heartbeat count and received position unchanged across probes), which
 * decides whether it counts as having lost its primary.
 */
class LinkWatchTest {

    private static final long MS = 1_000_000L;

    private static ServerState probe(ServerState.Replication link) {
        return new ServerState(NodeAddress.of("db2", 3306), 2, ServerState.Flavor.MARIADB, "11.4.5-MariaDB", true,
                Role.REPLICA, true, "0-1-5", link, List.of());
    }

    private static ServerState.Replication link(long heartbeats) {
        return new ServerState.Replication("db1", 3306, 1, IoState.RUNNING, true, 0, "0-1-5", heartbeats, -1, 500, "");
    }

    @Test
    void aLinkWhoseCountersStandStillAcrossProbesIsQuietForTheTimeBetweenThem() {
        Failover.LinkWatch watch = new Failover.LinkWatch();
        watch.sample(probe(link(10)), 0);
        watch.sample(probe(link(10)), 1000 * MS); // read again: unchanged
        assertThat(watch.quietNanos()).isEqualTo(1000 * MS);
        watch.sample(probe(link(11)), 2000 * MS); // a heartbeat arrived
        assertThat(watch.quietNanos()).isZero();
    }

    /**
     * A MariaDB replica's periodic check does not read the link again: its state keeps the replication status of
     * the probe before, the same object. That is no new sighting of an unchanged link; counted as one, the link
     * would look quiet for two probe intervals (past twice a short heartbeat period: lost) once a minute.
     */
    @Test
    void aProbeThatKeptThePreviousReplicationStatusDoesNotMakeTheLinkLookQuiet() {
        Failover.LinkWatch watch = new Failover.LinkWatch();
        ServerState.Replication read = link(10);
        watch.sample(probe(read), 0);
        watch.sample(probe(read), 1000 * MS); // the check turn: a new state, the same replication status
        assertThat(watch.quietNanos()).isZero();
        watch.sample(probe(link(10)), 2000 * MS); // read again, unchanged: quiet since the first reading
        assertThat(watch.quietNanos()).isEqualTo(2000 * MS);
    }
}
