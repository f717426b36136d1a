package dev.haven.bench;

import dev.haven.core.Node;
import dev.haven.core.Role;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks that the benchmarks measure what they claim (a replica for reads, the primary for writes,
 * a growing epoch when swapping) without running JMH; their speed is measured only by JMH.
 */
class BenchSmokeTest {

    @Test
    void routerBenchRoutesWhatItClaims() {
        RouterBench bench = new RouterBench();
        bench.setUp();
        assertThat(bench.routeWrite().role()).isEqualTo(Role.PRIMARY);
        Set<String> readHosts = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            Node n = bench.routeRead();
            assertThat(n.role()).isEqualTo(Role.REPLICA);
            readHosts.add(n.address().host());
        }
        assertThat(readHosts).containsExactlyInAnyOrder("db2", "db3", "db4");
        assertThat(bench.routeReadAfter().address().host()).isEqualTo("db3");
        assertThat(bench.baselineVolatileRead().epoch()).isEqualTo(1);
        long epoch = bench.swapTopology().epoch();
        assertThat(bench.swapTopology().epoch()).isEqualTo(epoch + 1);
        assertThat(bench.routeReadWhileSwapping().role()).isEqualTo(Role.REPLICA);
    }

    @Test
    void readStrategyBenchWorksForEveryStrategy() {
        for (String strategy : new String[] {"round-robin", "power-of-two", "least-outstanding", "latency-weighted"}) {
            for (boolean zone : new boolean[] {false, true}) {
                ReadStrategyBench bench = new ReadStrategyBench();
                bench.strategy = strategy;
                bench.zone = zone;
                bench.setUp();
                Node n = bench.routeRead();
                assertThat(n.role()).as(strategy).isEqualTo(Role.REPLICA);
                if (zone) {
                    assertThat(n.zone()).as(strategy).isEqualTo("a");
                }
            }
        }
    }
}
