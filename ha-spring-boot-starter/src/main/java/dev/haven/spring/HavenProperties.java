package dev.haven.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Haven's settings as Spring Boot properties: {@code haven.max-replica-lag=2s} is the URL's
 * {@code ha.maxReplicaLag=2s}, and wins over it. Every value is kept as the text written and checked by Haven's one
 * configuration ({@code dev.haven.core.HavenConfig}) when the data source starts, never by Spring; an invalid one
 * stops start-up with a failure analysis naming the property, the value and what is allowed. A property left unset
 * keeps the URL's value, or Haven's default.
 *
 * <p>Names: {@code ha.} becomes {@code haven.} and each camel-case word is kebab-cased
 * ({@code ha.failover.minInterval} is {@code haven.failover.min-interval}); a setting that also heads a group takes
 * {@code .mode} ({@code ha.failover} is {@code haven.failover.mode}, {@code ha.consistency} is
 * {@code haven.consistency.mode}). {@code ha.seeds} has no property: the URL's host list is the list of seeds.
 * Durations are written {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}.
 */
@ConfigurationProperties("haven")
public class HavenProperties {

    /** How members and roles are found: auto, replication, group-replication or static (only the URL's hosts). */
    private String discovery;

    /** Time between two health probes of a node, e.g. 1s. */
    private String probeInterval;

    /** Connect timeout of probes, and of pool connections unless the URL sets connectTimeout, e.g. 1s. */
    private String connectTimeout;

    /** Socket and query timeout of a probe, so that a hung server fails the probe, e.g. 1s. */
    private String probeTimeout;

    /** A node with no successful probe for this long is SUSPECT and gets no new reads; at least probe-interval. */
    private String suspectAfter;

    /** A node with no successful probe for this long is DOWN; longer than suspect-after. */
    private String deadAfter;

    /** After start-up, no node never seen UP is declared DOWN before this much time has passed. */
    private String initialGrace;

    /** Consecutive successful probes a SUSPECT or DOWN node needs to be UP again (1 to 100). */
    private String recoverAfter;

    /** A replica further behind than this gets no reads, e.g. 2s. */
    private String maxReplicaLag;

    /** A lagging replica gets reads again only once its lag is below max-replica-lag minus this. */
    private String lagHysteresis;

    /** How a read picks among eligible replicas: round-robin, power-of-two, least-outstanding or latency-weighted. */
    private String readStrategy;

    /** This application's zone; when set, reads prefer replicas in the same zone and fall back to others. */
    private String zone;

    /** The zone of each node, e.g. db1:3306=eu-1a,db2:3306=eu-1b; nodes not listed have no zone. */
    private String zones;

    /** Promotion rule per node (prefer, neutral, never), e.g. db3:3306=never; nodes not listed are neutral. */
    private String promotion;

    /** What a read does when no replica is eligible: primary (read from the primary) or fail. */
    private String readFallback;

    /** explicit: only read-only connections read from replicas; auto: plain auto-commit reads go to replicas too. */
    private String routing;

    private final Consistency consistency = new Consistency();

    private final Failover failover = new Failover();

    private final Replication replication = new Replication();

    private final Admin admin = new Admin();

    /** Read consistency. */
    public static class Consistency {

        /** eventual: replicas may be behind; read-your-writes: a read after this application's write sees it. */
        private String mode;

        /** How long a read-your-writes read waits for a replica to catch up before it goes to the primary. */
        private String timeout;

        public String getMode() {
            return mode;
        }

        public void setMode(String mode) {
            this.mode = mode;
        }

        public String getTimeout() {
            return timeout;
        }

        public void setTimeout(String timeout) {
            this.timeout = timeout;
        }
    }

    /** Failover. */
    public static class Failover {

        /** observe: follow promotions made by others; promote: Haven promotes a replica itself when the primary is dead. */
        private String mode;

        /** How long a write waits for a primary to appear before it fails; 0s fails at once. */
        private String timeout;

        /** Minimum time between two promotions, against flapping. */
        private String minInterval;

        /** Promote only a candidate missing at most this many of the old primary's transactions (by GTID). */
        private String maxDataLoss;

        /** Whether a fenced old primary is re-pointed as a replica of the new one when it comes back (true or false). */
        private String rejoin;

        /** Whether the primary role moves back to a preferred node once it has recovered (true or false). */
        private String autoFailback;

        public String getMode() {
            return mode;
        }

        public void setMode(String mode) {
            this.mode = mode;
        }

        public String getTimeout() {
            return timeout;
        }

        public void setTimeout(String timeout) {
            this.timeout = timeout;
        }

        public String getMinInterval() {
            return minInterval;
        }

        public void setMinInterval(String minInterval) {
            this.minInterval = minInterval;
        }

        public String getMaxDataLoss() {
            return maxDataLoss;
        }

        public void setMaxDataLoss(String maxDataLoss) {
            this.maxDataLoss = maxDataLoss;
        }

        public String getRejoin() {
            return rejoin;
        }

        public void setRejoin(String rejoin) {
            this.rejoin = rejoin;
        }

        public String getAutoFailback() {
            return autoFailback;
        }

        public void setAutoFailback(String autoFailback) {
            this.autoFailback = autoFailback;
        }
    }

    /** The replication account a fenced old primary rejoins with (haven.failover.rejoin). */
    public static class Replication {

        /** Replication account a returning old primary uses to replicate from the new one. */
        private String user;

        /** Password of haven.replication.user; never printed. */
        private String password;

        public String getUser() {
            return user;
        }

        public void setUser(String user) {
            this.user = user;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        @Override
        public String toString() {
            return "Replication[user=" + user + ", password=" + (password == null ? "none" : "****") + "]";
        }
    }

    /** Credentials for monitoring, discovery, switchover and promotion. */
    public static class Admin {

        /** User for probes, discovery and promotion, if different from spring.datasource.username. */
        private String user;

        /** Password of haven.admin.user; never printed. */
        private String password;

        public String getUser() {
            return user;
        }

        public void setUser(String user) {
            this.user = user;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        @Override
        public String toString() {
            return "Admin[user=" + user + ", password=" + (password == null ? "none" : "****") + "]";
        }
    }

    /**
     * The properties that are set, as Haven's keys and the text written, in Haven's documentation order: what the
     * data source receives with {@code HaDataSource.setSetting}. Unset properties are absent.
     */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        put(s, "ha.discovery", discovery);
        put(s, "ha.probeInterval", probeInterval);
        put(s, "ha.connectTimeout", connectTimeout);
        put(s, "ha.probeTimeout", probeTimeout);
        put(s, "ha.suspectAfter", suspectAfter);
        put(s, "ha.deadAfter", deadAfter);
        put(s, "ha.initialGrace", initialGrace);
        put(s, "ha.recoverAfter", recoverAfter);
        put(s, "ha.maxReplicaLag", maxReplicaLag);
        put(s, "ha.lagHysteresis", lagHysteresis);
        put(s, "ha.readStrategy", readStrategy);
        put(s, "ha.zone", zone);
        put(s, "ha.zones", zones);
        put(s, "ha.promotion", promotion);
        put(s, "ha.readFallback", readFallback);
        put(s, "ha.routing", routing);
        put(s, "ha.consistency", consistency.mode);
        put(s, "ha.consistency.timeout", consistency.timeout);
        put(s, "ha.failover", failover.mode);
        put(s, "ha.failover.timeout", failover.timeout);
        put(s, "ha.failover.minInterval", failover.minInterval);
        put(s, "ha.failover.maxDataLoss", failover.maxDataLoss);
        put(s, "ha.failover.rejoin", failover.rejoin);
        put(s, "ha.failover.autoFailback", failover.autoFailback);
        put(s, "ha.replication.user", replication.user);
        put(s, "ha.replication.password", replication.password);
        put(s, "ha.admin.user", admin.user);
        put(s, "ha.admin.password", admin.password);
        return s;
    }

    private static void put(Map<String, String> settings, String key, String value) {
        if (value != null) {
            settings.put(key, value);
        }
    }

    /** The settings that are set, the passwords shown as {@code ****}. */
    @Override
    public String toString() {
        Map<String, String> shown = settings();
        shown.computeIfPresent("ha.replication.password", (k, v) -> "****");
        shown.computeIfPresent("ha.admin.password", (k, v) -> "****");
        return "HavenProperties" + shown;
    }

    // ------------------------------------------------------------------------------------------ accessors

    public String getDiscovery() {
        return discovery;
    }

    public void setDiscovery(String discovery) {
        this.discovery = discovery;
    }

    public String getProbeInterval() {
        return probeInterval;
    }

    public void setProbeInterval(String probeInterval) {
        this.probeInterval = probeInterval;
    }

    public String getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(String connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public String getProbeTimeout() {
        return probeTimeout;
    }

    public void setProbeTimeout(String probeTimeout) {
        this.probeTimeout = probeTimeout;
    }

    public String getSuspectAfter() {
        return suspectAfter;
    }

    public void setSuspectAfter(String suspectAfter) {
        this.suspectAfter = suspectAfter;
    }

    public String getDeadAfter() {
        return deadAfter;
    }

    public void setDeadAfter(String deadAfter) {
        this.deadAfter = deadAfter;
    }

    public String getInitialGrace() {
        return initialGrace;
    }

    public void setInitialGrace(String initialGrace) {
        this.initialGrace = initialGrace;
    }

    public String getRecoverAfter() {
        return recoverAfter;
    }

    public void setRecoverAfter(String recoverAfter) {
        this.recoverAfter = recoverAfter;
    }

    public String getMaxReplicaLag() {
        return maxReplicaLag;
    }

    public void setMaxReplicaLag(String maxReplicaLag) {
        this.maxReplicaLag = maxReplicaLag;
    }

    public String getLagHysteresis() {
        return lagHysteresis;
    }

    public void setLagHysteresis(String lagHysteresis) {
        this.lagHysteresis = lagHysteresis;
    }

    public String getReadStrategy() {
        return readStrategy;
    }

    public void setReadStrategy(String readStrategy) {
        this.readStrategy = readStrategy;
    }

    public String getZone() {
        return zone;
    }

    public void setZone(String zone) {
        this.zone = zone;
    }

    public String getZones() {
        return zones;
    }

    public void setZones(String zones) {
        this.zones = zones;
    }

    public String getPromotion() {
        return promotion;
    }

    public void setPromotion(String promotion) {
        this.promotion = promotion;
    }

    public String getReadFallback() {
        return readFallback;
    }

    public void setReadFallback(String readFallback) {
        this.readFallback = readFallback;
    }

    public String getRouting() {
        return routing;
    }

    public void setRouting(String routing) {
        this.routing = routing;
    }

    public Consistency getConsistency() {
        return consistency;
    }

    public Failover getFailover() {
        return failover;
    }

    public Replication getReplication() {
        return replication;
    }

    public Admin getAdmin() {
        return admin;
    }
}
