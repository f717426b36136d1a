package dev.haven.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalClusterExtension;
import dev.haven.testkit.LocalNode;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The public face of ha-core on a real cluster: routing, passive signals, waiting for a primary, close. */
class HavenClusterIT {

    @RegisterExtension
    static final LocalClusterExtension CLUSTER = new LocalClusterExtension();

    private static NodeAddress address(LocalNode node) {
        return NodeAddress.of(node.host(), node.port());
    }

    private static NodeConnector connector(LocalCluster cluster) {
        return (node, connectTimeout, socketTimeout) -> DriverManager.getConnection(
                "jdbc:mariadb://" + node.host() + ":" + node.port() + "/?" + cluster.driverParameters("mariadb") + "connectTimeout=" + connectTimeout.toMillis()
                        + "&socketTimeout=" + socketTimeout.toMillis(), cluster.appUser(), cluster.appPassword());
    }

    private static HavenConfig.Builder config(LocalCluster cluster) {
        List<NodeAddress> seeds = new ArrayList<>();
        for (LocalNode node : cluster.nodes()) {
            seeds.add(address(node));
        }
        return HavenConfig.builder().seeds(seeds)
                .probeInterval(Duration.ofMillis(200)).connectTimeout(Duration.ofMillis(500))
                .probeTimeout(Duration.ofMillis(500)).suspectAfter(Duration.ofMillis(400))
                .deadAfter(Duration.ofMillis(1500)).initialGrace(Duration.ofMillis(500));
    }

    @Test
    void theFirstTopologyIsWholeWhenStartReturns() {
        LocalCluster cluster = CLUSTER.cluster();
        try (HavenCluster haven = HavenCluster.start(config(cluster).build(), connector(cluster))) {
            Topology t = haven.topology();
            assertThat(t.primary().address()).isEqualTo(address(cluster.primary()));
            assertThat(t.readReplicas()).hasSize(2);
            assertThat(haven.router().routeWrite().address()).isEqualTo(address(cluster.primary()));
            assertThat(haven.router().routeRead().role()).isEqualTo(Role.REPLICA);
            assertThat(haven.serverStates()).hasSize(3);
        }
    }

    @Test
    void aPassiveSignalTakesTheNodeOutOfRoutingBeforeTheNextProbe() throws Exception {
        LocalCluster cluster = CLUSTER.cluster();
        // Probes are 10 s apart: only the passive signal can explain a quick reaction.
        HavenConfig config = config(cluster).probeInterval(Duration.ofSeconds(10)).suspectAfter(Duration.ofSeconds(10))
                .deadAfter(Duration.ofSeconds(30)).initialGrace(Duration.ofSeconds(30)).build();
        try (HavenCluster haven = HavenCluster.start(config, connector(cluster))) {
            LocalNode replica = cluster.replica(0);
            NodeAddress node = address(replica);
            assertThat(haven.topology().readReplicas()).extracting(Node::address).contains(node);

            cluster.kill(replica);
            haven.nodeFailed(node);

            assertThat(haven.topology().node(node).health()).isEqualTo(Health.SUSPECT);
            assertThat(haven.topology().readReplicas()).extracting(Node::address).doesNotContain(node);
            for (int i = 0; i < 100; i++) {
                assertThat(haven.router().routeRead().address()).isNotEqualTo(node);
            }
        }
    }

    @Test
    void aWriteWaitsForAPrimaryAndIsWokenWhenOneAppears() throws Exception {
        LocalCluster cluster = CLUSTER.cluster();
        HavenConfig config = config(cluster).failoverTimeout(Duration.ofSeconds(20)).build();
        try (HavenCluster haven = HavenCluster.start(config, connector(cluster))) {
            LocalNode primary = cluster.primary();
            cluster.freeze(primary);
            haven.nodeFailed(address(primary));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (haven.router().routeWrite() != null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(haven.router().routeWrite()).as("no primary while it is frozen").isNull();

            CompletableFuture<Node> write = CompletableFuture.supplyAsync(() -> {
                try {
                    return haven.router().awaitWrite();
                } catch (NoPrimaryException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            assertThat(write).isNotDone();

            cluster.thaw(primary);
            Node chosen = write.get(10, TimeUnit.SECONDS);
            assertThat(chosen.address()).isEqualTo(address(primary));
        }
    }

    @Test
    void withoutAPrimaryAWriteFailsClearlyAfterTheFailoverTimeout() throws Exception {
        LocalCluster cluster = CLUSTER.cluster();
        HavenConfig config = config(cluster).failoverTimeout(Duration.ofMillis(300)).build();
        try (HavenCluster haven = HavenCluster.start(config, connector(cluster))) {
            cluster.kill(cluster.primary());
            haven.nodeFailed(address(cluster.primary()));
            // A SUSPECT primary still takes writes; a DOWN one does not.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (haven.router().routeWrite() != null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThatThrownBy(() -> haven.router().awaitWrite())
                    .isInstanceOf(NoPrimaryException.class)
                    .hasMessageContaining("300");
        }
    }

    @Test
    void closeStopsEveryThreadItStarted() {
        LocalCluster cluster = CLUSTER.cluster();
        HavenCluster haven = HavenCluster.start(config(cluster).build(), connector(cluster));
        assertThat(monitorThreads()).isNotEmpty();
        haven.close();
        assertThat(monitorThreads()).isEmpty();
    }

    private static List<String> monitorThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && (t.getName().startsWith("haven-probe-") || t.getName().startsWith("haven-monitor"))) {
                names.add(t.getName());
            }
        }
        return names;
    }
}
