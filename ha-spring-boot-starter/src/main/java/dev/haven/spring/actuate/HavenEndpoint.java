package dev.haven.spring.actuate;

import dev.haven.core.HavenCluster;
import dev.haven.core.HavenEvent;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
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
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The {@code haven} Actuator endpoint: the topology and the recent events (read), a planned switchover and a
 * topology refresh (write). Like every Actuator endpoint it is reachable over HTTP or JMX only when exposed
 * ({@code management.endpoints.web.exposure.include=haven}), and its default access is read-only: the write
 * operations answer only once {@code management.endpoint.haven.access=unrestricted} grants them on purpose (and
 * then belong behind authentication; see {@code docs/spring-boot.md}, "Securing the endpoint").
 *
 * <ul>
 *   <li>{@code GET /actuator/haven}: for one Haven data source, its view (below) with its bean name as
 *       {@code dataSource}; for several, {@code {"dataSources": {"<bean name>": view, ...}}};</li>
 *   <li>{@code GET /actuator/haven/<bean name>}: one data source's view: epoch, primary, readable replicas, every
 *       node (address, server id, role, health, replicating, lag, lagging, readable, zone, promotion rule, GTID
 *       position), the configuration (passwords masked) and the last {@value EventLog#CAPACITY} events, oldest
 *       first;</li>
 *   <li>{@code POST /actuator/haven/switchover} with {@code {"target": "db2:3306"}} (and {@code "dataSource"} when
 *       there are several): moves the primary role there ({@code HaDataSource.switchover}); answers how long
 *       writes were held back. A target that is not a {@code host:port} of the topology answers 400, a switchover
 *       Haven refuses (no primary, target not a healthy replica, writes that do not drain) 409, each with the
 *       reason in {@code error};</li>
 *   <li>{@code POST /actuator/haven/refresh}: probes every node now ({@code HavenCluster.refresh}).</li>
 * </ul>
 */
@Endpoint(id = "haven", defaultAccess = Access.READ_ONLY)
public class HavenEndpoint {

    private final Map<String, HaDataSource> dataSources;
    private final EventLog events;

    /** @param dataSources Haven's data sources by bean name, at least one */
    public HavenEndpoint(Map<String, HaDataSource> dataSources, EventLog events) throws SQLException {
        this.dataSources = new LinkedHashMap<>(dataSources);
        this.events = events;
        for (HaDataSource ds : this.dataSources.values()) {
            events.attachIfNeeded(ds);
        }
    }

    /** One data source's view (with its name), or every data source's by name. */
    @ReadOperation
    public Map<String, Object> haven() throws SQLException {
        if (dataSources.size() == 1) {
            Map.Entry<String, HaDataSource> only = dataSources.entrySet().iterator().next();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("dataSource", only.getKey());
            out.putAll(view(only.getValue()));
            return out;
        }
        Map<String, Object> all = new LinkedHashMap<>();
        for (Map.Entry<String, HaDataSource> e : dataSources.entrySet()) {
            all.put(e.getKey(), view(e.getValue()));
        }
        return Map.of("dataSources", all);
    }

    /** One data source's view; {@code null} (HTTP 404) for a name that is not a Haven data source. */
    @ReadOperation
    public @Nullable Map<String, Object> dataSource(@Selector String dataSource) throws SQLException {
        HaDataSource ds = dataSources.get(dataSource);
        return ds == null ? null : view(ds);
    }

    private Map<String, Object> view(HaDataSource dataSource) throws SQLException {
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
        for (HavenEvent e : events.recent(dataSource)) {
            recent.add(event(e));
        }
        out.put("events", recent);
        return out;
    }

    /**
     * {@code switchover} (with {@code target}, a node's {@code host:port}) or {@code refresh}; {@code dataSource}
     * names the data source when there are several.
     *
     * @return the result (200), or {@code {"error": reason}} with 400 for a bad request (unknown operation or
     *         data source, missing or unknown target) or 409 for a switchover Haven refused
     */
    @WriteOperation
    public WebEndpointResponse<Map<String, Object>> operation(@Selector String operation, @Nullable String target,
            @Nullable String dataSource) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("operation", operation);
        HaDataSource ds;
        if (dataSource != null && !dataSource.isBlank()) {
            ds = dataSources.get(dataSource.trim());
            if (ds == null) {
                return error(out, WebEndpointResponse.STATUS_BAD_REQUEST, "'" + dataSource.trim()
                        + "' is not a Haven data source; there are: " + String.join(", ", dataSources.keySet()));
            }
            out.put("dataSource", dataSource.trim());
        } else if (dataSources.size() == 1) {
            ds = dataSources.values().iterator().next();
        } else {
            return error(out, WebEndpointResponse.STATUS_BAD_REQUEST, "there are several Haven data sources; name one"
                    + " in dataSource: " + String.join(", ", dataSources.keySet()));
        }
        try {
            switch (operation) {
                case "switchover":
                    return switchover(ds, target, out);
                case "refresh": {
                    HavenCluster cluster = ds.cluster();
                    out.put("epoch", cluster.topology().epoch());
                    cluster.refresh();
                    return new WebEndpointResponse<>(out);
                }
                default:
                    return error(out, WebEndpointResponse.STATUS_BAD_REQUEST, "unknown operation '" + operation
                            + "'; the haven endpoint offers switchover and refresh");
            }
        } catch (SQLException e) {
            // Haven's messages name nodes, states and timeouts, never credentials
            return error(out, STATUS_CONFLICT, e.getMessage());
        }
    }

    private static WebEndpointResponse<Map<String, Object>> switchover(HaDataSource ds, @Nullable String target,
            Map<String, Object> out) throws SQLException {
        if (target == null || target.isBlank()) {
            return error(out, WebEndpointResponse.STATUS_BAD_REQUEST,
                    "switchover needs a target: the host:port of a replica");
        }
        NodeAddress address;
        try {
            address = NodeAddress.parse(target.trim());
        } catch (IllegalArgumentException e) {
            return error(out, WebEndpointResponse.STATUS_BAD_REQUEST, "target '" + target.trim()
                    + "' is not a host:port (" + e.getMessage() + ")");
        }
        out.put("target", address.toString());
        Topology t = ds.topology();
        if (t.node(address) == null) {
            List<String> members = new ArrayList<>();
            for (Node n : t.nodes()) {
                members.add(n.address().toString());
            }
            return error(out, WebEndpointResponse.STATUS_BAD_REQUEST, "target " + address
                    + " is not a node of the cluster; its nodes are: " + String.join(", ", members));
        }
        Duration pause = ds.switchover(address.toString());
        out.put("writePauseMillis", pause.toMillis());
        Node primary = ds.topology().primary();
        out.put("primary", primary == null ? null : primary.address().toString());
        return new WebEndpointResponse<>(out);
    }

    /** HTTP 409 Conflict: the cluster's state does not allow the operation now. */
    static final int STATUS_CONFLICT = 409;

    private static WebEndpointResponse<Map<String, Object>> error(Map<String, Object> out, int status, String reason) {
        out.put("error", reason);
        return new WebEndpointResponse<>(out, status);
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
