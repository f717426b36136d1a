package dev.haven.spring;

import dev.haven.core.HavenCluster;
import dev.haven.core.Topology;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** What the integration tests share: the properties of a starter on a {@link LocalCluster}, and waiting. */
final class ClusterSupport {

    private ClusterSupport() {
    }

    /**
     * The starter's properties for the cluster, with probes fast enough for tests but tolerant of a loaded machine
     * (a probe that takes a second under load must not make a healthy replica suspect and send reads elsewhere).
     */
    static String[] properties(LocalCluster cluster, String... more) {
        List<String> p = new ArrayList<>(List.of(
                "spring.datasource.url=jdbc:ha:mariadb://" + cluster.hostList() + "/app",
                "spring.datasource.username=" + cluster.appUser(),
                "spring.datasource.password=" + cluster.appPassword(),
                "spring.datasource.hikari.maximum-pool-size=5",
                "haven.probe-interval=200ms", "haven.suspect-after=1500ms", "haven.dead-after=2500ms",
                "haven.connect-timeout=1s", "haven.probe-timeout=1s", "haven.initial-grace=500ms"));
        p.addAll(List.of(more));
        return p.toArray(new String[0]);
    }

    /** Server ids of the cluster's replicas. */
    static List<Long> replicaIds(LocalCluster cluster) {
        List<Long> ids = new ArrayList<>();
        for (LocalNode n : cluster.replicas()) {
            ids.add((long) n.serverId());
        }
        return ids;
    }

    /** Waits, woken by each published topology rather than polling, until the condition holds (20 s at most). */
    static Topology awaitTopology(HavenCluster haven, Predicate<Topology> condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Topology t = haven.topology();
        while (!condition.test(t)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out waiting for " + what + "; topology: " + t);
            }
            try {
                haven.state().awaitTopologyAfter(t.epoch(), left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            t = haven.topology();
        }
        return t;
    }

    /** Waits until the condition holds, checking every 50 ms, for 20 s at most. */
    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
