package dev.haven.testkit;

import java.nio.file.Path;

/**
 * One server of a {@link LocalCluster}: where clients reach it and what the cluster believes it is.
 *
 * <p>{@link #port()} is the port of the node's fault-injection proxy: every client URL goes through it, so that
 * {@link LocalCluster#partition(LocalNode)} and friends affect applications. Replication between servers uses
 * {@link #serverPort()} directly unless the cluster was built with
 * {@link LocalCluster.Builder#replicationThroughProxy(boolean)}.
 */
public final class LocalNode {

    /** What the cluster made of a node. */
    public enum Role {
        /** Writable and replicated from. */
        PRIMARY,
        /** Read-only, replicating from the primary. */
        REPLICA,
        /**
         * A primary that {@link LocalCluster#promote(LocalNode)} replaced. If it comes back it replicates from
         * nobody: thawed or healed it is as it was (writable); restarted it boots read-only, as every node does
         * ({@link LocalCluster#restartWritable} brings it back writable). Nothing makes it rejoin by itself.
         */
        FORMER_PRIMARY
    }

    private static final String HOST = "127.0.0.1";

    private final String name;
    private final int serverId;
    private final int serverPort;
    private final Path dataDir;
    final FaultProxy proxy;

    volatile ServerProcess process;
    volatile Role role;
    volatile boolean frozen;
    volatile boolean replicationStopped;
    volatile int delaySeconds;
    private final ServerFlavor server;

    LocalNode(String name, int serverId, int serverPort, Path dataDir, FaultProxy proxy, Role role,
              ServerFlavor server) {
        this.server = server;
        this.name = name;
        this.serverId = serverId;
        this.serverPort = serverPort;
        this.dataDir = dataDir;
        this.proxy = proxy;
        this.role = role;
    }

    /** A short name, {@code node1} for the first primary, {@code node2}... for the replicas. */
    public String name() {
        return name;
    }

    /** Always {@code 127.0.0.1}: test servers listen on loopback only. */
    public String host() {
        return HOST;
    }

    /** The port clients use: the node's proxy, where network faults are injected. */
    public int port() {
        return proxy.port();
    }

    /**
     * How many client connections the node's proxy accepted since the cluster started, also while the server was
     * down: how often clients tried to reach it.
     */
    public long connectionsAccepted() {
        return proxy.acceptedCount();
    }

    /** The port the server ({@code mariadbd}, {@code mysqld}) itself listens on, bypassing the proxy. */
    public int serverPort() {
        return serverPort;
    }

    /** The unique {@code @@server_id}. */
    public int serverId() {
        return serverId;
    }

    /** The role the cluster gave this node; {@link LocalCluster#promote(LocalNode)} changes it. */
    public Role role() {
        return role;
    }

    public boolean isPrimary() {
        return role == Role.PRIMARY;
    }

    /** Whether the server process is running (a frozen server is running). */
    public boolean isRunning() {
        ServerProcess p = process;
        return p != null && p.isAlive();
    }

    /** Whether the process is stopped by {@link LocalCluster#freeze(LocalNode)}. */
    public boolean isFrozen() {
        return frozen;
    }

    /** The pid of the current server process, or -1 when none was started. */
    public long pid() {
        ServerProcess p = process;
        return p == null ? -1 : p.pid();
    }

    public Path dataDirectory() {
        return dataDir;
    }

    /** host:port through the proxy, as a JDBC URL host list entry. */
    public String hostAndPort() {
        return HOST + ":" + port();
    }

    /** A mysql-connector-j URL for this node, through its proxy, without credentials. */
    public String mysqlUrl() {
        return mysqlUrl(hostAndPort());
    }

    /**
     * A MariaDB Connector/J URL for this node, through its proxy, without credentials (on MySQL with
     * {@code allowPublicKeyRetrieval=true}, which {@code caching_sha2_password} needs without TLS).
     */
    public String mariadbUrl() {
        return mariadbUrl(hostAndPort(), server);
    }

    /** The server this node runs. */
    public ServerFlavor server() {
        return server;
    }

    static String mysqlUrl(String hosts) {
        return "jdbc:mysql://" + hosts + "/" + TestUsers.DATABASE + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
    }

    static String mariadbUrl(String hosts, ServerFlavor server) {
        return "jdbc:mariadb://" + hosts + "/" + TestUsers.DATABASE
                + (server.isMySql() ? "?allowPublicKeyRetrieval=true" : "");
    }

    @Override
    public String toString() {
        return name + "[" + role + ", server_id=" + serverId + ", " + hostAndPort() + " -> " + serverPort + "]";
    }
}
