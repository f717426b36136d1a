package dev.haven.bench;

import dev.haven.core.ClusterState;
import dev.haven.core.HavenConfig;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import dev.haven.core.ReplicationPosition;
import dev.haven.core.Role;
import dev.haven.core.Router;
import dev.haven.core.Topology;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The routing decision on a 1-primary, 3-replica topology: what every statement pays.
 *
 * <ul>
 *   <li>{@code baselineVolatileRead}: reading the live topology and nothing else, the floor
 *       every other figure should be read against;</li>
 *   <li>{@code routeWrite}, {@code routeRead} (round robin, the default) and
 *       {@code routeReadAfter} (read-your-writes, one of three replicas covers the position);</li>
 *   <li>group {@code swapping}: one thread publishes a new topology in a loop while another
 *       routes reads, to show the cost of a topology that keeps changing under the readers.</li>
 * </ul>
 * Run: {@code java -jar ha-benchmarks/target/benchmarks.jar RouterBench -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class RouterBench {

    private ClusterState state;
    private Router router;
    private ReplicationPosition written;
    private List<Node> allReadable;
    private List<Node> oneLagging;

    @Setup(Level.Trial)
    public void setUp() {
        HavenConfig config = HavenConfig.builder().seeds("db1:3306", "db2:3306", "db3:3306", "db4:3306").build();
        state = new ClusterState(config);
        Node primary = node("db1:3306", Role.PRIMARY, "0-1-1000").build();
        Node r1 = node("db2:3306", Role.REPLICA, "0-1-990").replicating(true).lagMillis(0).build();
        Node r2 = node("db3:3306", Role.REPLICA, "0-1-1000").replicating(true).lagMillis(0).build();
        Node r3 = node("db4:3306", Role.REPLICA, "0-1-995").replicating(true).lagMillis(0).build();
        allReadable = List.of(primary, r1, r2, r3);
        oneLagging = List.of(primary, r1, r2, r3.toBuilder().lagging(true).lagMillis(9000).build());
        state.publish(allReadable);
        router = new Router(config, state);
        written = ReplicationPosition.parse("0-1-1000");
    }

    private Node.Builder node(String address, Role role, String gtid) {
        return Node.builder(state.statsFor(NodeAddress.parse(address)))
                .role(role).health(Health.UP).position(ReplicationPosition.parse(gtid));
    }

    @Benchmark
    public Topology baselineVolatileRead() {
        return state.current();
    }

    @Benchmark
    public Node routeWrite() {
        return router.routeWrite();
    }

    @Benchmark
    public Node routeRead() {
        return router.routeRead();
    }

    @Benchmark
    public Node routeReadAfter() {
        return router.routeReadAfter(written);
    }

    /** Publishes the next topology, alternating the readable set between three and two replicas. */
    @Benchmark
    @Group("swapping")
    @GroupThreads(1)
    public Topology swapTopology() {
        Topology current = state.current();
        Topology next = current.successor((current.epoch() & 1) == 0 ? allReadable : oneLagging);
        state.publish(next);
        return next;
    }

    @Benchmark
    @Group("swapping")
    @GroupThreads(1)
    public Node routeReadWhileSwapping() {
        return router.routeRead();
    }
}
