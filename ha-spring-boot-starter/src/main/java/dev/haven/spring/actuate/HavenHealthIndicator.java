package dev.haven.spring.actuate;

import dev.haven.core.HavenConfig;
import dev.haven.core.Node;
import dev.haven.core.Role;
import dev.haven.core.Topology;
import dev.haven.jdbc.HaDataSource;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Haven's view of the cluster as an Actuator health contributor ({@code haven}), from the live topology (no query
 * runs):
 *
 * <ul>
 *   <li>{@code UP}, detail {@code state: HEALTHY}: a primary, and at least one replica eligible for reads;</li>
 *   <li>{@code UP}, detail {@code state: DEGRADED} and a {@code reason}: a primary but no eligible replica (all
 *       down, lagging or not replicating, or none at all), so reads go to the primary
 *       ({@code ha.readFallback=primary}) or fail ({@code fail}). Still {@code UP}, so that the application's
 *       overall status and readiness do not change while writes work;</li>
 *   <li>{@code DOWN}, detail {@code state: NO_PRIMARY}: writes wait up to {@code ha.failover.timeout} and then
 *       fail; reads may still work on replicas.</li>
 * </ul>
 *
 * Details name the primary, the number of readable replicas and, per node ({@code host:port}), its role, health,
 * replication lag in milliseconds (replicas; {@code -1} when unknown), whether it replicates and whether it serves
 * reads. Never credentials or settings.
 */
public class HavenHealthIndicator implements HealthIndicator {

    /** Detail {@code state} when there is a primary and a replica to read from. */
    public static final String HEALTHY = "HEALTHY";
    /** Detail {@code state} when there is a primary but no replica to read from; status {@code UP}. */
    public static final String DEGRADED = "DEGRADED";
    /** Detail {@code state} when there is no primary; status {@code DOWN}. */
    public static final String NO_PRIMARY = "NO_PRIMARY";

    private final HaDataSource dataSource;

    public HavenHealthIndicator(HaDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Health health() {
        Topology t;
        HavenConfig.ReadFallback fallback;
        try {
            t = dataSource.topology();
            fallback = dataSource.cluster().config().readFallback();
        } catch (Exception e) {
            return Health.down().withDetail("state", NO_PRIMARY)
                    .withDetail("reason", "Haven is not running: " + e.getMessage()).build();
        }
        Node primary = t.primary();
        int readable = t.readReplicas().size();
        Health.Builder health;
        if (primary == null) {
            health = Health.down().withDetail("state", NO_PRIMARY)
                    .withDetail("reason", "no primary: writes wait for one, then fail");
        } else if (readable == 0) {
            health = Health.up().withDetail("state", DEGRADED)
                    .withDetail("reason", "no replica is eligible for reads: reads "
                            + (fallback == HavenConfig.ReadFallback.PRIMARY ? "go to the primary" : "fail (ha.readFallback=fail)"));
        } else {
            health = Health.up().withDetail("state", HEALTHY);
        }
        if (primary != null) {
            health.withDetail("primary", primary.address().toString());
        }
        health.withDetail("readableReplicas", readable);
        Map<String, Object> nodes = new LinkedHashMap<>();
        for (Node n : t.nodes()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("role", n.role().name());
            node.put("health", n.health().name());
            if (n.role() == Role.REPLICA) {
                node.put("lagMillis", n.lagMillis());
                node.put("replicating", n.replicating());
            }
            node.put("readable", n.eligibleForReads());
            nodes.put(n.address().toString(), node);
        }
        return health.withDetail("nodes", nodes).build();
    }
}
