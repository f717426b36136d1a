package dev.haven.spring;

import dev.haven.core.HavenConfig;
import dev.haven.spring.internal.PropertyValues;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Haven's settings as Spring Boot properties: {@code haven.max-replica-lag=2s} is the URL's
 * {@code ha.maxReplicaLag=2s}, and wins over it. A property left unset ({@code null}) keeps the URL's value, or
 * Haven's default.
 *
 * <p>Each property has its setting's Java type, so Spring Boot converts it and IDEs check it: durations accept
 * Spring Boot's formats ({@code 2s}, {@code 500ms}, {@code PT2S}, or a bare number of milliseconds such as
 * {@code 2000}); enumerated values are written in kebab-case ({@code read-your-writes}). Haven then checks every
 * value (bounds, and the rules that tie settings together) when the data source starts; an invalid one stops
 * start-up with a failure analysis naming the property, the value and what is allowed.
 *
 * <p>Names: {@code ha.} becomes {@code haven.} and each camel-case word is kebab-cased
 * ({@code ha.failover.minInterval} is {@code haven.failover.min-interval}); a setting that also heads a group takes
 * {@code .mode} ({@code ha.failover} is {@code haven.failover.mode}). {@code ha.seeds} has no property: the URL's
 * host list is the list of seeds.
 *
 * <p>Haven's table of settings declares what each property means, its default and what it allows (see
 * {@code docs/configuration.md}); this class only gives each a typed field, and {@code ConfigurationSourceTest}
 * fails, naming the property and its type, when a setting has none.
 */
@ConfigurationProperties("haven")
public class HavenProperties {

    private HavenConfig.Discovery discovery;

    private Duration probeInterval;

    private Duration connectTimeout;

    private Duration probeTimeout;

    private Duration suspectAfter;

    private Duration deadAfter;

    private Duration initialGrace;

    private Integer recoverAfter;

    private Duration maxReplicaLag;

    private Duration lagHysteresis;

    private HavenConfig.ReadStrategy readStrategy;

    private String zone;

    private String zones;

    private String promotion;

    private HavenConfig.ReadFallback readFallback;

    private HavenConfig.Routing routing;

    private final Consistency consistency = new Consistency();

    private final Failover failover = new Failover();

    private final Replay replay = new Replay();

    private HavenConfig.CommitOutcome commitOutcome;

    private final Replication replication = new Replication();

    private final Admin admin = new Admin();

    /** Read consistency. */
    public static class Consistency {

        private HavenConfig.Consistency mode;

        private Duration timeout;

        public HavenConfig.Consistency getMode() {
            return mode;
        }

        public void setMode(HavenConfig.Consistency mode) {
            this.mode = mode;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** Transaction replay. */
    public static class Replay {

        private HavenConfig.Replay mode;

        private Integer maxSize;

        public HavenConfig.Replay getMode() {
            return mode;
        }

        public void setMode(HavenConfig.Replay mode) {
            this.mode = mode;
        }

        public Integer getMaxSize() {
            return maxSize;
        }

        public void setMaxSize(Integer maxSize) {
            this.maxSize = maxSize;
        }
    }

    /** Failover. */
    public static class Failover {

        private HavenConfig.FailoverMode mode;

        private Duration timeout;

        private Duration minInterval;

        private Long maxDataLoss;

        private Boolean rejoin;

        private Boolean autoFailback;

        private String fencer;

        public HavenConfig.FailoverMode getMode() {
            return mode;
        }

        public void setMode(HavenConfig.FailoverMode mode) {
            this.mode = mode;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public Duration getMinInterval() {
            return minInterval;
        }

        public void setMinInterval(Duration minInterval) {
            this.minInterval = minInterval;
        }

        public Long getMaxDataLoss() {
            return maxDataLoss;
        }

        public void setMaxDataLoss(Long maxDataLoss) {
            this.maxDataLoss = maxDataLoss;
        }

        public Boolean getRejoin() {
            return rejoin;
        }

        public void setRejoin(Boolean rejoin) {
            this.rejoin = rejoin;
        }

        public Boolean getAutoFailback() {
            return autoFailback;
        }

        public void setAutoFailback(Boolean autoFailback) {
            this.autoFailback = autoFailback;
        }

        public String getFencer() {
            return fencer;
        }

        public void setFencer(String fencer) {
            this.fencer = fencer;
        }
    }

    /** The replication account a fenced old primary rejoins with (haven.failover.rejoin). */
    public static class Replication {

        private String user;

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

        private String user;

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
     * The properties that are set, as Haven's keys and their values as text, in the order of Haven's table of
     * settings: what the data source receives with {@code HaDataSource.setSetting}. Unset properties are absent.
     */
    public Map<String, String> settings() {
        return PropertyValues.settings(this);
    }

    /** The settings that are set, the passwords shown as {@code ****}. */
    @Override
    public String toString() {
        return "HavenProperties" + PropertyValues.masked(settings());
    }

    // ------------------------------------------------------------------------------------------ accessors

    public HavenConfig.Discovery getDiscovery() {
        return discovery;
    }

    public void setDiscovery(HavenConfig.Discovery discovery) {
        this.discovery = discovery;
    }

    public Duration getProbeInterval() {
        return probeInterval;
    }

    public void setProbeInterval(Duration probeInterval) {
        this.probeInterval = probeInterval;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getProbeTimeout() {
        return probeTimeout;
    }

    public void setProbeTimeout(Duration probeTimeout) {
        this.probeTimeout = probeTimeout;
    }

    public Duration getSuspectAfter() {
        return suspectAfter;
    }

    public void setSuspectAfter(Duration suspectAfter) {
        this.suspectAfter = suspectAfter;
    }

    public Duration getDeadAfter() {
        return deadAfter;
    }

    public void setDeadAfter(Duration deadAfter) {
        this.deadAfter = deadAfter;
    }

    public Duration getInitialGrace() {
        return initialGrace;
    }

    public void setInitialGrace(Duration initialGrace) {
        this.initialGrace = initialGrace;
    }

    public Integer getRecoverAfter() {
        return recoverAfter;
    }

    public void setRecoverAfter(Integer recoverAfter) {
        this.recoverAfter = recoverAfter;
    }

    public Duration getMaxReplicaLag() {
        return maxReplicaLag;
    }

    public void setMaxReplicaLag(Duration maxReplicaLag) {
        this.maxReplicaLag = maxReplicaLag;
    }

    public Duration getLagHysteresis() {
        return lagHysteresis;
    }

    public void setLagHysteresis(Duration lagHysteresis) {
        this.lagHysteresis = lagHysteresis;
    }

    public HavenConfig.ReadStrategy getReadStrategy() {
        return readStrategy;
    }

    public void setReadStrategy(HavenConfig.ReadStrategy readStrategy) {
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

    public HavenConfig.ReadFallback getReadFallback() {
        return readFallback;
    }

    public void setReadFallback(HavenConfig.ReadFallback readFallback) {
        this.readFallback = readFallback;
    }

    public HavenConfig.Routing getRouting() {
        return routing;
    }

    public void setRouting(HavenConfig.Routing routing) {
        this.routing = routing;
    }

    public Consistency getConsistency() {
        return consistency;
    }

    public Failover getFailover() {
        return failover;
    }

    public Replay getReplay() {
        return replay;
    }

    public HavenConfig.CommitOutcome getCommitOutcome() {
        return commitOutcome;
    }

    public void setCommitOutcome(HavenConfig.CommitOutcome commitOutcome) {
        this.commitOutcome = commitOutcome;
    }

    public Replication getReplication() {
        return replication;
    }

    public Admin getAdmin() {
        return admin;
    }
}
