package dev.haven.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.ClusterState;
import dev.haven.core.HavenConfig;
import dev.haven.core.HavenEvent;
import dev.haven.core.NodeAddress;
import dev.haven.core.NodeConnector;
import dev.haven.core.Topology;
import dev.haven.core.internal.discovery.ReplicationDiscovery;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Healthy nodes on a loaded machine are not suspected: a 3-node cluster monitored with the default settings for
 * 20 s while CPU burners (twice as many threads as cores) compete with the prober threads and the servers. Before
 * the detector blamed only failed or late probes, this showed 10-16 NODE_SUSPECT per 30 s with no failed probe,
 * and reads fell to the primary while both replicas were suspect.
 */
class FalseSuspicionIT {

    static final Duration RUN = Duration.ofSeconds(20);

    @Test
    void healthyNodesUnderCpuLoadAreNotSuspected() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            List<NodeAddress> seeds = new ArrayList<>();
            for (LocalNode node : cluster.nodes()) {
                seeds.add(NodeAddress.of(node.host(), node.port()));
            }
            HavenConfig config = HavenConfig.builder().seeds(seeds).build(); // the defaults
            AtomicInteger connects = new AtomicInteger();
            NodeConnector connector = (node, connectTimeout, socketTimeout) -> {
                connects.incrementAndGet();
                return DriverManager.getConnection("jdbc:mariadb://" + node.host() + ":" + node.port()
                        + "/?connectTimeout=" + connectTimeout.toMillis() + "&socketTimeout=" + socketTimeout.toMillis(),
                        cluster.appUser(), cluster.appPassword());
            };
            ClusterState state = new ClusterState(config);
            AtomicInteger suspects = new AtomicInteger();
            state.addListener(e -> {
                if (e.type() == HavenEvent.Type.NODE_SUSPECT) {
                    suspects.incrementAndGet();
                }
            });
            List<Thread> burners = new ArrayList<>();
            AtomicLong sink = new AtomicLong();
            try (HealthMonitor monitor = new HealthMonitor(config, new ReplicationDiscovery(), connector, state,
                    System::nanoTime)) {
                monitor.start();
                long settle = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (state.current().readReplicas().size() < 2 && System.nanoTime() < settle) {
                    Thread.sleep(20);
                }
                assertThat(state.current().readReplicas()).hasSize(2);
                int before = suspects.get();
                int connectsBefore = connects.get();
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++) {
                    Thread burner = new Thread(() -> {
                        long x = 0;
                        while (!stop.get()) {
                            x += System.nanoTime() % 7;
                        }
                        sink.addAndGet(x);
                    }, "cpu-burner-" + i);
                    burner.setDaemon(true);
                    burner.start();
                    burners.add(burner);
                }
                long samples = 0;
                long noReplica = 0;
                long end = System.nanoTime() + RUN.toNanos();
                try {
                    while (System.nanoTime() < end) {
                        Topology t = state.current();
                        samples++;
                        if (t.readReplicas().isEmpty()) {
                            noReplica++;
                        }
                        Thread.sleep(10);
                    }
                } finally {
                    stop.set(true);
                    for (Thread burner : burners) {
                        burner.join(5_000);
                    }
                }
                int suspected = suspects.get() - before;
                int reconnects = connects.get() - connectsBefore;
                System.out.printf("FalseSuspicionIT: %d NODE_SUSPECT in %d s under %d CPU burners, %d failed probes"
                                + " (reconnects), no readable replica in %.1f %% of %d samples%n", suspected,
                        RUN.toSeconds(), burners.size(), reconnects, 100.0 * noReplica / samples, samples);
                // A probe answered more than a quarter of the probe timeout late is a real doubt; on this machine under
                // this load that is rare. Before the fix: 10-16 in 30 s.
                assertThat(suspected).as("NODE_SUSPECT events beyond failed probes").isLessThanOrEqualTo(reconnects + 2);
            }
        }
    }
}
