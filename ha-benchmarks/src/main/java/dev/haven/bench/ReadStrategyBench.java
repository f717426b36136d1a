package dev.haven.bench;

import dev.haven.core.ClusterState;
import dev.haven.core.HavenConfig;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.Role;
import dev.haven.core.Router;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code routeRead} under each read strategy and with zone affinity, on 1 primary and 3 replicas
 * (2 of them in the local zone when {@code zone} is true). Replicas carry some in-flight load and
 * latency figures so the load-aware strategies have something to compare.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class ReadStrategyBench {

    @Param({"round-robin", "power-of-two", "least-outstanding", "latency-weighted"})
    public String strategy;

    @Param({"false", "true"})
    public boolean zone;

    private Router router;

    @Setup(Level.Trial)
    public void setUp() {
        HavenConfig.Builder b = HavenConfig.builder().seeds("db1:3306").set("ha.readStrategy", strategy);
        if (zone) {
            b.zone("a");
        }
        HavenConfig config = b.build();
        ClusterState state = new ClusterState(config);
        List<Node> nodes = new ArrayList<>();
        nodes.add(Node.builder(state.statsFor(NodeAddress.parse("db1"))).role(Role.PRIMARY).health(Health.UP).build());
        String[] zones = {"a", "b", "a"};
        for (int i = 0; i < 3; i++) {
            NodeAddress address = NodeAddress.parse("db" + (i + 2));
            state.statsFor(address).recordLatency(1_000_000L * (i + 1));
            for (int k = 0; k < i; k++) {
                state.statsFor(address).requestStarted();
            }
            nodes.add(Node.builder(state.statsFor(address)).role(Role.REPLICA).health(Health.UP)
                    .replicating(true).lagMillis(0).zone(zones[i]).build());
        }
        state.publish(nodes);
        router = new Router(config, state);
    }

    @Benchmark
    public Node routeRead() {
        return router.routeRead();
    }
}
