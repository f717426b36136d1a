package dev.haven.samples.spring;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts a local MariaDB cluster (1 primary, 2 replicas, from the test kit), then the sample application on it, and
 * reads commands from the console: {@code kill} kills the primary (Haven promotes a replica), {@code status} prints
 * the servers' roles, {@code quit} stops everything. Test code, so that the application itself does not depend on
 * the test kit: {@code ./mvnw -pl samples/spring-boot-app -am test-compile exec:java@app}.
 */
public final class LocalClusterLauncher {

    private LocalClusterLauncher() {
    }

    public static void main(String[] args) throws Exception {
        LocalCluster cluster = LocalCluster.builder().replicas(2).start();
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "local-cluster-stop"));
        // application.yml reads these as ${db.hosts}, ${db.password}, ...
        System.setProperty("db.hosts", cluster.hostList());
        System.setProperty("db.user", cluster.appUser());
        System.setProperty("db.password", cluster.appPassword());
        System.setProperty("db.admin-user", cluster.adminUser());
        System.setProperty("db.admin-password", cluster.adminPassword());
        System.setProperty("db.socket-timeout", "3000");
        ConfigurableApplicationContext app = SpringApplication.run(SampleApplication.class, args);
        String port = app.getEnvironment().getProperty("local.server.port", "8080");

        System.out.println();
        System.out.println("Cluster: " + describe(cluster));
        System.out.println("Try:  curl -s -XPOST -H 'Content-Type: application/json' -d '{\"text\":\"hello\"}' "
                + "localhost:" + port + "/notes");
        System.out.println("      curl -s localhost:" + port + "/notes        curl -s localhost:" + port
                + "/actuator/health/haven");
        System.out.println("Commands: kill (SIGKILL the primary), status, quit");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            switch (line.trim()) {
                case "kill" -> {
                    LocalNode primary = cluster.primary();
                    cluster.kill(primary);
                    System.out.println("Killed the primary " + primary.hostAndPort() + " (server_id "
                            + primary.serverId() + "); Haven promotes a replica within seconds.");
                }
                case "status" -> {
                    try {
                        cluster.adoptRoles();
                    } catch (IllegalStateException e) {
                        System.out.println("(" + e.getMessage() + ")");
                    }
                    System.out.println(describe(cluster));
                }
                case "quit", "exit" -> {
                    app.close();
                    cluster.close();
                    return;
                }
                case "" -> {
                }
                default -> System.out.println("Commands: kill, status, quit");
            }
        }
        // no console (stdin closed): run until Ctrl-C
        Thread.currentThread().join();
    }

    private static String describe(LocalCluster cluster) {
        StringBuilder sb = new StringBuilder();
        for (LocalNode n : cluster.nodes()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(n.hostAndPort()).append(" server_id ").append(n.serverId())
                    .append(' ').append(n.isRunning() ? n.role() : "STOPPED");
        }
        return sb.toString();
    }
}
