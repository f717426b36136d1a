package dev.haven.spring.actuate;

import dev.haven.core.HavenCluster;
import dev.haven.core.HavenEvent;
import dev.haven.core.Node;
import dev.haven.core.Topology;
import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.internal.EventLog;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code haven} Actuator endpoint: the topology and the recent events (read), a planned switchover and a
 * topology refresh (write). Like every Actuator endpoint it is reachable over HTTP or JMX only when exposed
 * ({@code management.endpoints.web.exposure.include=haven}); expose the write operations only behind
 * authentication.
 *
 * <ul>
 *   <li>{@code GET /actuator/haven}: epoch, primary, readable replicas, every node (address, server id, role,
 *       health, replicating, lag, lagging, readable, zone, promotion rule, GTID position), the configuration
 *       (passwords masked) and the last {@value EventLog#CAPACITY} events, oldest first;</li>
 *   <li>{@code POST /actuator/haven/switchover} with {@code {"target": "db2:3306"}}: moves the primary role there
 *       ({@code HaDataSource.switchover}); answers how long writes were held back;</li>
 *   <li>{@code POST /actuator/haven/refresh}: probes every node now ({@code HavenCluster.refresh}).</li>
 * </ul>
 */
@Endpoint(id = "haven")
public class HavenEndpoint {

    private final HaDataSource dataSource;
    private final EventLog events;

    public HavenEndpoint(HaDataSource dataSource, EventLog events) throws SQLException {
        this.dataSource = dataSource;
        this.events = events;
        events.attachIfNeeded(dataSource);
    }

    /** The topology, the configuration and the recent events. */
    @ReadOperation
    public Map<String, Object> haven() throws SQLException {
        HavenCluster cluster = dataSource.cluster();
        Topology t = cluster.topology();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("epoch", t.epoch());
        out.put("primary", t.primary() == null ? null : t.primary().address().toString());
        List<String> readable = new ArrayList<>();
        for (Node n : t.readReplicas()) {
            readable.add(n.address().toString());
        }
        out.put("readableReplicas", readable);
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (Node n : t.nodes()) {
            nodes.add(node(n));
        }
        out.put("nodes", nodes);
        out.put("configuration", cluster.config().toString());
        List<Map<String, Object>> recent = new ArrayList<>();
        for (HavenEvent e : events.recent()) {
            recent.add(event(e));
        }
        out.put("events", recent);
        return out;
    }

    /**
     * {@code switchover} (with {@code target}, a node's {@code host:port}) or {@code refresh}.
     *
     * @throws InvalidEndpointRequestException for another operation or a switchover without a target (HTTP 400)
     */
    @WriteOperation
    public Map<String, Object> operation(@Selector String operation, @Nullable String target) throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("operation", operation);
        switch (operation) {
            case "switchover": {
                if (target == null || target.isBlank()) {
                    throw new InvalidEndpointRequestException("switchover needs a target: the host:port of a replica",
                            "missing target");
                }
                Duration pause = dataSource.switchover(target.trim());
                out.put("target", target.trim());
                out.put("writePauseMillis", pause.toMillis());
                Node primary = dataSource.topology().primary();
                out.put("primary", primary == null ? null : primary.address().toString());
                return out;
            }
            case "refresh": {
                HavenCluster cluster = dataSource.cluster();
                out.put("epoch", cluster.topology().epoch());
                cluster.refresh();
                return out;
            }
            default:
                throw new InvalidEndpointRequestException("unknown operation '" + operation
                        + "'; the haven endpoint offers switchover and refresh", "unknown operation");
        }
    }

    private static Map<String, Object> node(Node n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", n.address().toString());
        m.put("serverId", n.serverId());
        m.put("role", n.role().name());
        m.put("health", n.health().name());
        m.put("replicating", n.replicating());
        m.put("lagMillis", n.lagMillis());
        m.put("lagging", n.lagging());
        m.put("readable", n.eligibleForReads());
        m.put("zone", n.zone());
        m.put("promotionRule", n.promotionRule().name());
        m.put("position", n.position().toString());
        return m;
    }

    private static Map<String, Object> event(HavenEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timestamp", e.timestamp().toString());
        m.put("type", e.type().name());
        m.put("node", e.address() == null ? null : e.address().toString());
        m.put("from", e.oldValue());
        m.put("to", e.newValue());
        m.put("message", e.message());
        return m;
    }
}
