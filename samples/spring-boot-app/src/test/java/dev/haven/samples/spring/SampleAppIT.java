package dev.haven.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.haven.jdbc.HaDataSource;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.yaml.snakeyaml.Yaml;

/**
 * The sample application, started as it is ({@code application.yml}) against a real local cluster (1 primary, 2
 * replicas), over HTTP: read endpoints run on replicas and write endpoints on the primary, by {@code @@server_id};
 * after the primary is killed under load, Haven ({@code haven.failover.mode=promote}) promotes a replica, and no
 * request fails (replay, commit markers and the sample's retry of what did not commit): every acknowledged write is
 * on the new primary exactly once, reads go on, the health contributor and the metrics show it; the Grafana dashboard's metrics exist in the app's
 * Prometheus output. One cluster and one application context for the class; the methods run in order.
 */
@SpringBootTest(classes = SampleApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SampleAppIT {

    private static final Logger log = LoggerFactory.getLogger(SampleAppIT.class);
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Path MONITORING = Path.of(System.getProperty("haven.monitoring.dir", "../monitoring"));

    static LocalCluster cluster;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        cluster = LocalCluster.builder().replicas(2).start();
        String hosts = cluster.hostList();
        // what application.yml reads from the environment
        registry.add("db.hosts", () -> hosts);
        registry.add("db.user", cluster::appUser);
        registry.add("db.password", cluster::appPassword);
        registry.add("db.admin-user", cluster::adminUser);
        registry.add("db.admin-password", cluster::adminPassword);
        registry.add("db.socket-timeout", () -> "3000");
        // Frequent probes, but slow ones tolerated: on a loaded machine a probe can take seconds, and a healthy replica
        // made SUSPECT would send reads to the primary by read fallback. A crash is still seen at once (three refused
        // probes make a node DOWN before dead-after), so the primary is replaced within a second or so.
        registry.add("haven.probe-interval", () -> "200ms");
        registry.add("haven.suspect-after", () -> "3s");
        registry.add("haven.dead-after", () -> "6s");
        registry.add("haven.connect-timeout", () -> "1s");
        registry.add("haven.probe-timeout", () -> "2s");
        registry.add("haven.initial-grace", () -> "500ms");
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "5");
    }

    @LocalServerPort
    int port;

    @Autowired
    ConfigurableApplicationContext context;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LocalNode primaryBefore;
    private long noteOnTheOldPrimary;

    @AfterAll
    void stop() {
        try {
            // Haven stops probing before the servers go; the context itself is closed after this (@DirtiesContext)
            context.getBean(HaDataSource.class).close();
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    @Order(1)
    void flywayMigratedOnThePrimaryAndReadsRunOnReplicasWritesOnThePrimary() throws Exception {
        awaitHealth("both replicas readable", h -> "HEALTHY".equals(h.read("$.details.state"))
                && h.read("$.details.readableReplicas", Integer.class) == 2);
        primaryBefore = cluster.primary();
        long primary = primaryBefore.serverId();
        List<Long> replicas = serverIds(cluster.replicas());

        // Flyway through Boot's auto-configuration, on the Haven data source, with its MariaDB support
        assertThat(context.getBean(DataSource.class)).isInstanceOf(HaDataSource.class);
        Flyway flyway = context.getBean(Flyway.class);
        assertThat(flyway.getConfiguration().getDataSource()).isSameAs(context.getBean(DataSource.class));
        assertThat(flyway.info().current().getVersion().getVersion()).isEqualTo("1");
        try (Connection c = cluster.appConnection(primaryBefore); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, success FROM flyway_schema_history WHERE version = '1'")) {
            assertThat(rs.next()).as("the migration recorded on the primary").isTrue();
            assertThat(rs.getBoolean("success")).isTrue();
        }

        // writes: the primary
        List<Long> notes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            DocumentContext created = json(expect(post("/notes", "{\"text\":\"note " + i + "\"}"), 201));
            assertThat(created.read("$.serverId", Long.class)).as("POST /notes").isEqualTo(primary);
            notes.add(created.read("$.data.id", Long.class));
        }
        noteOnTheOldPrimary = notes.get(0);
        DocumentContext order = json(expect(post("/orders", "{\"item\":\"widget\",\"quantity\":3}"), 201));
        assertThat(order.read("$.serverId", Long.class)).as("POST /orders").isEqualTo(primary);
        long orderId = order.read("$.data.id", Long.class);
        DocumentContext shipped = json(expect(post("/orders/" + orderId + "/ship", ""), 200));
        assertThat(shipped.read("$.serverId", Long.class)).as("POST /orders/{id}/ship").isEqualTo(primary);
        assertThat(shipped.read("$.data.status", String.class)).isEqualTo("SHIPPED");

        // reads: the replicas, once they have the writes
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(20));
        Set<Long> readers = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            DocumentContext note = json(expect(get("/notes/" + notes.get(i)), 200));
            assertThat(note.read("$.data.text", String.class)).isEqualTo("note " + i);
            readers.add(note.read("$.serverId", Long.class));
            DocumentContext list = json(expect(get("/notes"), 200));
            assertThat(list.read("$.data[*].id", List.class)).hasSize(3);
            readers.add(list.read("$.serverId", Long.class));
        }
        DocumentContext readOrder = json(expect(get("/orders/" + orderId), 200));
        assertThat(readOrder.read("$.data.status", String.class)).isEqualTo("SHIPPED");
        readers.add(readOrder.read("$.serverId", Long.class));
        DocumentContext stats = json(expect(get("/orders/stats"), 200));
        assertThat(stats.read("$.data.SHIPPED", Integer.class)).isEqualTo(1);
        readers.add(stats.read("$.serverId", Long.class));
        readers.add(json(expect(get("/orders"), 200)).read("$.serverId", Long.class));

        assertThat(readers).as("GETs (read-only transactions) ran on replicas only").isSubsetOf(replicas);
        // not asserted: that both replicas served. Round robin keeps one cursor per thread, and Tomcat serves these
        // few requests on several pool threads, each starting at the same replica.
        log.info("GETs served by server_ids {} (replicas {})", readers, replicas);
        assertThat(json(expect(get("/notes/999999"), 404)).read("$.serverId", Long.class)).isIn(replicas);
    }

    @Test
    @Order(2)
    void afterThePrimaryIsKilledHavenPromotesAReplicaAndRequestsGoOn() throws Exception {
        LocalNode old = primaryBefore;
        String oldNode = old.hostAndPort();
        List<Long> replicas = serverIds(cluster.replicas());
        assertThat(old).isNotNull();

        // a reader reading all along, from before the kill until writes are back
        AtomicBoolean reading = new AtomicBoolean(true);
        List<String> failedReads = new CopyOnWriteArrayList<>();
        AtomicInteger reads = new AtomicInteger();
        AtomicLong slowestRead = new AtomicLong();
        Thread reader = new Thread(() -> {
            while (reading.get()) {
                long start = System.nanoTime();
                try {
                    HttpResponse<String> read = get("/notes/" + noteOnTheOldPrimary);
                    if (read.statusCode() != 200) {
                        failedReads.add(read.statusCode() + " " + read.body());
                    }
                } catch (Exception e) {
                    failedReads.add(e.toString());
                }
                reads.incrementAndGet();
                slowestRead.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
            }
        }, "reader");
        reader.start();
        await("the reader's first reads").atMost(DEADLINE).until(() -> reads.get() >= 3);

        // writers under load: three threads posting notes from before the kill until writes are back, none failing
        // (replay, commit markers and the retry of what certainly did not commit, application.yml)
        Map<String, Long> acknowledged = new java.util.concurrent.ConcurrentHashMap<>(); // note text -> server_id
        List<String> failedWrites = new CopyOnWriteArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            String prefix = "writer " + w + ", note ";
            Thread writer = new Thread(() -> {
                for (int n = 0; writing.get(); n++) {
                    String text = prefix + n;
                    try {
                        HttpResponse<String> write = post("/notes", "{\"text\":\"" + text + "\"}");
                        if (write.statusCode() == 201) {
                            acknowledged.put(text, json(write).read("$.serverId", Long.class));
                        } else {
                            failedWrites.add(text + ": " + write.statusCode() + " " + write.body());
                        }
                    } catch (Exception e) {
                        failedWrites.add(text + ": " + e);
                    }
                }
            }, "writer-" + w);
            writers.add(writer);
            writer.start();
        }
        long newPrimaryId;
        long killedAt;
        try {
            await("writes before the kill").atMost(DEADLINE).until(() -> acknowledged.size() >= 10);
            cluster.kill(old);
            killedAt = System.nanoTime();
            await("writes on a new primary").atMost(DEADLINE).until(() -> acknowledged.values().stream()
                    .filter(id -> id != old.serverId()).count() >= 20);
            int readsAtRecovery = reads.get();
            await("reads after the recovery").atMost(DEADLINE).until(() -> reads.get() >= readsAtRecovery + 3);
        } finally {
            writing.set(false);
            reading.set(false);
            for (Thread writer : writers) {
                writer.join();
            }
            reader.join();
        }
        Set<Long> writtenOn = new HashSet<>(acknowledged.values());
        writtenOn.remove((long) old.serverId());
        assertThat(writtenOn).as("the servers that took writes after the kill").hasSize(1);
        newPrimaryId = writtenOn.iterator().next();
        log.info("Writes back on server_id {} {} ms after the kill; {} writes acknowledged, {} failed; reads: {}, {}"
                        + " failed, the slowest {} ms", newPrimaryId, (System.nanoTime() - killedAt) / 1_000_000,
                acknowledged.size(), failedWrites.size(), reads.get(), failedReads.size(), slowestRead.get());
        assertThat(failedWrites).as("writes failed while the primary was replaced").isEmpty();
        assertThat(failedReads).as("reads went on while the primary was replaced").isEmpty();
        assertThat(newPrimaryId).as("the new primary was a replica").isIn(replicas);

        LocalNode promoted = cluster.adoptRoles();
        assertThat((long) promoted.serverId()).as("the servers agree: the one writable node").isEqualTo(newPrimaryId);
        assertThat(cluster.writableNodes()).isEqualTo(1);
        String newNode = promoted.hostAndPort();
        Map<String, Integer> copies = new java.util.HashMap<>();
        try (Connection c = cluster.adminConnection(promoted); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT text, COUNT(*) FROM app.notes GROUP BY text")) {
            while (rs.next()) {
                copies.put(rs.getString(1), rs.getInt(2));
            }
        }
        for (String text : acknowledged.keySet()) {
            assertThat(copies.get(text)).as("copies of the acknowledged note '%s' on the new primary", text)
                    .isEqualTo(1);
        }

        // more writes go there, and the remaining replica (re-pointed to the new primary) serves reads
        DocumentContext created = json(expect(post("/notes", "{\"text\":\"on the new primary\"}"), 201));
        assertThat(created.read("$.serverId", Long.class)).isEqualTo(newPrimaryId);
        long replicaLeft = cluster.replica(0).serverId();
        awaitHealth("the remaining replica readable", h -> h.read("$.details.readableReplicas", Integer.class) == 1);
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(20));
        DocumentContext read = json(expect(get("/notes/" + created.read("$.data.id", Long.class)), 200));
        assertThat(read.read("$.data.text", String.class)).isEqualTo("on the new primary");
        assertThat(read.read("$.serverId", Long.class)).as("reads on the replica left").isEqualTo(replicaLeft);

        // health: the new primary, the old one DOWN
        DocumentContext health = awaitHealth("the new primary in health", h -> newNode.equals(h.read("$.details.primary")));
        assertThat(health.read("$.status", String.class)).isEqualTo("UP");
        assertThat(health.read("$.details.state", String.class)).isEqualTo("HEALTHY");
        assertThat(health.read("$.details.nodes['" + oldNode + "'].health", String.class)).isEqualTo("DOWN");
        assertThat(health.read("$.details.nodes['" + newNode + "'].role", String.class)).isEqualTo("PRIMARY");
        assertThat(json(expect(get("/actuator/health"), 200)).read("$.components.haven.details.primary", String.class))
                .isEqualTo(newNode);

        // the haven endpoint: the promotion among the recent events
        DocumentContext haven = json(expect(get("/actuator/haven"), 200));
        assertThat(haven.read("$.primary", String.class)).isEqualTo(newNode);
        assertThat(haven.read("$.events[?(@.type == 'PROMOTED')].node", List.class)).contains(newNode);
        assertThat(haven.read("$.configuration", String.class)).doesNotContain(cluster.adminPassword());
        assertThat(post("/actuator/haven/refresh", "").statusCode()).as("write operations not exposed (read-only access)")
                .isIn(404, 405);

        // metrics, as Prometheus scrapes them
        Prometheus metrics = prometheus();
        assertThat(metrics.sum("haven_events_total", "type", "promoted", "node", newNode)).isEqualTo(1);
        assertThat(metrics.sum("haven_events_total", "type", "failover-started")).isGreaterThanOrEqualTo(1);
        assertThat(metrics.sum("haven_events_total", "type", "node-down", "node", oldNode)).isGreaterThanOrEqualTo(1);
        assertThat(metrics.sum("haven_failover_duration_seconds_count")).as("failovers timed").isGreaterThanOrEqualTo(1);
        assertThat(metrics.sum("haven_failover_duration_seconds_sum")).isPositive();
        assertThat(metrics.sum("haven_cluster_primary")).isEqualTo(1);
        assertThat(metrics.sum("haven_node_health", "node", oldNode, "state", "down")).isEqualTo(1);
        assertThat(metrics.sum("haven_node_role", "node", newNode, "role", "primary")).isEqualTo(1);
        assertThat(metrics.sum("haven_statements_total", "node", newNode, "intent", "write")).isGreaterThanOrEqualTo(2);
        assertThat(metrics.find("haven_cluster_primary", Map.of("application", "haven-sample")))
                .as("the common application tag").hasSize(1);
    }

    @Test
    @Order(3)
    void theGrafanaDashboardUsesOnlyMetricsTheAppPublishes() throws Exception {
        Dashboard dashboard = Dashboard.read(MONITORING.resolve("grafana-dashboard.json"));
        Set<String> used = dashboard.metricNames();
        assertThat(used).as("the dashboard's panels cover nodes, lag, routing, failovers and pools").contains(
                "haven_node_health", "haven_node_role", "haven_node_replication_lag_seconds", "haven_statements_total",
                "haven_failover_duration_seconds_count", "haven_events_total", "hikaricp_connections_active");

        Prometheus metrics = prometheus();
        assertThat(metrics.names()).as("every metric name the dashboard uses, in /actuator/prometheus")
                .containsAll(used);
        for (Dashboard.Selector selector : dashboard.exactSelectors()) {
            for (Map.Entry<String, String> label : selector.labels().entrySet()) {
                if (selector.metric().equals("haven_events_total") && label.getKey().equals("type")) {
                    // counted from the first event of a type on; this run saw no fencing, for one
                    assertThat(label.getValue()).as("an event type Haven counts").isIn(EVENT_TYPES);
                    continue;
                }
                assertThat(metrics.find(selector.metric(), Map.of(label.getKey(), label.getValue())))
                        .as("%s with %s=\"%s\" in /actuator/prometheus", selector.metric(), label.getKey(), label.getValue())
                        .isNotEmpty();
            }
        }
        log.info("Dashboard metrics, all published: {}", new TreeSet<>(used));

        // the scrape configuration points at that endpoint
        Map<String, Object> config;
        try (var in = Files.newInputStream(MONITORING.resolve("prometheus.yml"))) {
            config = new Yaml().load(in);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> job = ((List<Map<String, Object>>) config.get("scrape_configs")).get(0);
        assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
    }

    /** The event types of the README's metrics table. */
    private static final List<String> EVENT_TYPES = List.of("node-up", "node-suspect", "node-down", "role-changed",
            "lag-over", "lag-under", "failover-started", "failover-finished", "promoted", "fenced", "failover-refused");

    // ------------------------------------------------------------------------------------------ helpers

    private Prometheus prometheus() throws Exception {
        HttpResponse<String> scrape = expect(get("/actuator/prometheus"), 200);
        return Prometheus.parse(scrape.body());
    }

    private DocumentContext awaitHealth(String what, java.util.function.Predicate<DocumentContext> condition) {
        DocumentContext[] last = new DocumentContext[1];
        await(what).atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpResponse<String> r = get("/actuator/health/haven");
            last[0] = json(r);
            return (r.statusCode() == 200 || r.statusCode() == 503) && condition.test(last[0]);
        });
        return last[0];
    }

    private static List<Long> serverIds(List<LocalNode> nodes) {
        List<Long> ids = new ArrayList<>();
        for (LocalNode n : nodes) {
            ids.add((long) n.serverId());
        }
        return ids;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static HttpResponse<String> expect(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as("%s %s: %s", response.request().method(), response.uri().getPath(),
                response.body()).isEqualTo(status);
        return response;
    }

    private static DocumentContext json(HttpResponse<String> response) {
        return JsonPath.parse(response.body());
    }
}
