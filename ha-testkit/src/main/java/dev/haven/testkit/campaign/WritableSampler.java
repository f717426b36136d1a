package dev.haven.testkit.campaign;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Asks every node {@code SELECT @@read_only} through its proxy, the application's network path, every 100 ms,
 * over a kept vendor connection with 300 ms timeouts (a partitioned or frozen node does not answer: nothing can
 * write to it either).
 */
final class WritableSampler {

    static final long SAMPLE_MILLIS = 100;

    private final LocalCluster cluster;
    private final CampaignClock clock;
    private final List<WritableSample> samples = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;

    WritableSampler(LocalCluster cluster, CampaignClock clock) {
        this.cluster = cluster;
        this.clock = clock;
        this.thread = new Thread(this::loop, "campaign-sampler");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }

    List<WritableSample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    private void loop() {
        List<LocalNode> nodes = cluster.nodes();
        Connection[] connections = new Connection[nodes.size()];
        try {
            while (running) {
                long at = clock.millis();
                List<String> writable = new ArrayList<>();
                List<String> unanswered = new ArrayList<>();
                for (int i = 0; i < nodes.size(); i++) {
                    LocalNode node = nodes.get(i);
                    try {
                        if (connections[i] == null) {
                            connections[i] = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + node.port() + "/?"
                                            + cluster.driverParameters("mariadb")
                                            + "connectTimeout=300&socketTimeout=300", cluster.adminUser(),
                                    cluster.adminPassword());
                        }
                        try (Statement s = connections[i].createStatement();
                             ResultSet rs = s.executeQuery("SELECT @@read_only")) {
                            rs.next();
                            if (rs.getInt(1) == 0) {
                                writable.add(node.name());
                            }
                        }
                    } catch (SQLException e) {
                        unanswered.add(node.name());
                        close(connections[i]);
                        connections[i] = null;
                    }
                }
                samples.add(new WritableSample(at, List.copyOf(writable), List.copyOf(unanswered)));
                clock.sleepUntil(at + SAMPLE_MILLIS);
            }
        } finally {
            for (Connection c : connections) {
                close(c);
            }
        }
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // gone anyway
            }
        }
    }
}
