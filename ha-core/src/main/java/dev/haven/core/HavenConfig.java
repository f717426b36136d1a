package dev.haven.core;

import dev.haven.core.internal.ConfigKey;
import dev.haven.core.internal.SettingType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Haven's configuration: one immutable, validated object, produced alike by the JDBC URL parser
 * ({@code ?ha.maxReplicaLag=2s}) and by the Spring Boot properties.
 *
 * <p>Build it with {@link #builder()}: typed setters for code, {@link Builder#set(String, String)}
 * for text. Every invalid value is refused at once with an {@link IllegalArgumentException} naming
 * the key, the value and what is allowed, and leaves the builder unchanged; rules that tie several
 * settings together are checked by {@link Builder#build()}. {@link #settings()} lists every key
 * with its type, default, unit and description, for {@code Driver.getPropertyInfo} and the docs.
 *
 * <p>Durations are written as a whole number with unit {@code ms}, {@code s}, {@code m} or
 * {@code h}; enumerated values in kebab-case ({@code round-robin}). {@code toString()} never shows
 * the password.
 *
 * <p>Defaults, bounds and descriptions are declared once, in Haven's table of settings, and are not
 * repeated here: see {@link #settings()} or {@code docs/configuration.md}, which a test keeps equal
 * to the table.
 */
public final class HavenConfig {

    /** How the cluster's members and roles are found ({@code ha.discovery}). Default {@code auto}. */
    public enum Discovery {
        /** Detect from the seed servers: Group Replication when its tables show members, else replication. */
        AUTO,
        /** Asynchronous or semi-synchronous MySQL/MariaDB replication: {@code @@read_only} and {@code SHOW REPLICA STATUS}. */
        REPLICATION,
        /** MySQL Group Replication / InnoDB Cluster: {@code performance_schema.replication_group_members}. */
        GROUP_REPLICATION,
        /** Only the seed servers, roles read from {@code @@read_only}; nothing else is discovered. */
        STATIC
    }

    /** How a read picks among eligible replicas ({@code ha.readStrategy}). Default {@code round-robin}. */
    public enum ReadStrategy {
        /** Each application thread cycles through the replicas; cheapest, even when requests cost alike. */
        ROUND_ROBIN,
        /** Two replicas at random, the one with fewer requests in flight wins; good under uneven load. */
        POWER_OF_TWO,
        /** The replica with the fewest requests in flight (ties broken at random). */
        LEAST_OUTSTANDING,
        /** At random, weighted by the inverse of each replica's latency average; for replicas of unequal speed. */
        LATENCY_WEIGHTED
    }

    /** What a read does when no replica is eligible ({@code ha.readFallback}). Default {@code primary}. */
    public enum ReadFallback {
        /** Read from the primary: always up to date, at the cost of primary load. */
        PRIMARY,
        /** Fail the read, to protect the primary from read load. */
        FAIL
    }

    /** Which statements may go to replicas ({@code ha.routing}). Default {@code explicit}. */
    public enum Routing {
        /** Only connections marked read-only (Spring's {@code readOnly} transactions) read from replicas. */
        EXPLICIT,
        /** Also plain reads in autocommit mode on read-write connections, as classified by the SQL classifier. */
        AUTO
    }

    /** Read consistency ({@code ha.consistency}). Default {@code eventual}. */
    public enum Consistency {
        /** Replicas may be up to {@code ha.maxReplicaLag} behind. */
        EVENTUAL,
        /** A read after this application's own write sees that write (GTID wait, else the primary). */
        READ_YOUR_WRITES
    }

    /** Who promotes a new primary ({@code ha.failover}). Default {@code observe}. */
    public enum FailoverMode {
        /** Someone else (Group Replication, an orchestrator, a person); Haven follows. */
        OBSERVE,
        /** Haven promotes a replica itself when the primary is dead and the replicas agree. */
        PROMOTE
    }

    /** Transaction replay ({@code ha.replay}). Default {@code off}. */
    public enum Replay {
        /** A transaction interrupted by a failover fails with {@code 08007}; nothing is recorded. */
        OFF,
        /**
         * A transaction interrupted before its commit was sent is replayed on the new primary and goes on if every
         * result the application saw matches; otherwise it fails with {@code 40001}.
         */
        ON
    }

    /** What a commit interrupted in flight reports ({@code ha.commitOutcome}). Default {@code unknown}. */
    public enum CommitOutcome {
        /** {@code 08007}: it may or may not have committed. */
        UNKNOWN,
        /**
         * Every write transaction also writes a random id to the table {@code haven_commit_marker}; after a failure
         * during the commit the id is looked up on the new primary: committed, or not (then replayed, or
         * {@code 40001}).
         */
        MARKER
    }

    /**
     * One configuration key's description: what {@link #settings()} returns, for
     * {@code Driver.getPropertyInfo}, the Spring metadata and the docs.
     */
    public static final class Setting {
        private final ConfigKey key;

        private Setting(ConfigKey key) {
            this.key = key;
        }

        /** The canonical name as written in a JDBC URL, e.g. {@code ha.maxReplicaLag}. */
        public String key() {
            return key.key();
        }

        /** Value type: duration, int, long, boolean, enum, string, password, host list or map. */
        public String type() {
            return key.type().name();
        }

        /**
         * The Java type of the value: {@link Duration}, {@link Long} (for {@code int} settings too),
         * {@link Boolean}, one of this class's enums, {@link String}, {@link List} or {@link Map}.
         */
        public Class<?> valueType() {
            return key.type().valueType();
        }

        /** The default as text (e.g. {@code 5s}); {@code null} when there is none. */
        public String defaultValue() {
            return key.defaultText();
        }

        /** The unit, e.g. {@code duration} or {@code probes}; empty when it has none. */
        public String unit() {
            return key.unit();
        }

        /** What is allowed, as a phrase. */
        public String allowedValues() {
            return key.type().allowed();
        }

        /** The allowed values of an enumerated or boolean setting, empty for others. */
        public List<String> choices() {
            return key.type().choices();
        }

        /** One sentence saying what the setting does. */
        public String description() {
            return key.description();
        }

        /** Whether the setting has no default and must be given. */
        public boolean required() {
            return key.required();
        }

        /** Whether values are secret and never printed. */
        public boolean secret() {
            return key.type().secret();
        }

        @Override
        public String toString() {
            return key() + " (" + type() + ", default " + defaultValue() + ")";
        }
    }

    private static final List<Setting> SETTINGS;

    static {
        List<Setting> list = new ArrayList<>();
        for (ConfigKey k : ConfigKey.values()) {
            list.add(new Setting(k));
        }
        SETTINGS = List.copyOf(list);
    }

    private final Object[] values;

    private HavenConfig(Object[] values) {
        this.values = values;
    }

    /** A builder with every setting at its default; {@code ha.seeds} must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration's values. */
    public Builder toBuilder() {
        return new Builder(values.clone());
    }

    /** Every setting, in documentation order. */
    public static List<Setting> settings() {
        return SETTINGS;
    }

    private Object get(ConfigKey key) {
        return values[key.ordinal()];
    }

    private Duration duration(ConfigKey key) {
        return (Duration) values[key.ordinal()];
    }

    /** {@code ha.seeds}: where discovery starts; never empty. */
    @SuppressWarnings("unchecked")
    public List<NodeAddress> seeds() {
        return (List<NodeAddress>) get(ConfigKey.SEEDS);
    }

    /** {@code ha.discovery}. */
    public Discovery discovery() {
        return (Discovery) get(ConfigKey.DISCOVERY);
    }

    /** {@code ha.probeInterval}: time between two probes of a node. */
    public Duration probeInterval() {
        return duration(ConfigKey.PROBE_INTERVAL);
    }

    /** {@code ha.connectTimeout}: connect timeout of monitoring connections. */
    public Duration connectTimeout() {
        return duration(ConfigKey.CONNECT_TIMEOUT);
    }

    /** {@code ha.probeTimeout}: socket and query timeout of a probe. */
    public Duration probeTimeout() {
        return duration(ConfigKey.PROBE_TIMEOUT);
    }

    /** {@code ha.suspectAfter}: silence after which a node is SUSPECT; at least probeInterval. */
    public Duration suspectAfter() {
        return duration(ConfigKey.SUSPECT_AFTER);
    }

    /** {@code ha.deadAfter}: silence after which a node is DOWN; more than suspectAfter. */
    public Duration deadAfter() {
        return duration(ConfigKey.DEAD_AFTER);
    }

    /** {@code ha.initialGrace}: no node never seen UP is DOWN before this long after start. */
    public Duration initialGrace() {
        return duration(ConfigKey.INITIAL_GRACE);
    }

    /** {@code ha.recoverAfter}: consecutive successful probes to be UP again. */
    public int recoverAfter() {
        return ((Long) get(ConfigKey.RECOVER_AFTER)).intValue();
    }

    /** {@code ha.maxReplicaLag}: replicas further behind get no reads. */
    public Duration maxReplicaLag() {
        return duration(ConfigKey.MAX_REPLICA_LAG);
    }

    /** {@code ha.lagHysteresis}: a lagging replica is fresh again below maxReplicaLag minus this. */
    public Duration lagHysteresis() {
        return duration(ConfigKey.LAG_HYSTERESIS);
    }

    /** {@code ha.readStrategy}. */
    public ReadStrategy readStrategy() {
        return (ReadStrategy) get(ConfigKey.READ_STRATEGY);
    }

    /** {@code ha.zone}: this application's zone, {@code null} when not set (no zone affinity). */
    public String zone() {
        return (String) get(ConfigKey.ZONE);
    }

    /** {@code ha.zones}: zone per node; empty by default. */
    @SuppressWarnings("unchecked")
    public Map<NodeAddress, String> zones() {
        return (Map<NodeAddress, String>) get(ConfigKey.ZONES);
    }

    /** The zone of a node from {@code ha.zones}, {@code null} if it is not listed. */
    public String zoneOf(NodeAddress address) {
        return zones().get(address);
    }

    /** {@code ha.promotion}: promotion rule per node; empty by default. */
    @SuppressWarnings("unchecked")
    public Map<NodeAddress, PromotionRule> promotion() {
        return (Map<NodeAddress, PromotionRule>) get(ConfigKey.PROMOTION);
    }

    /** The promotion rule of a node from {@code ha.promotion}, {@link PromotionRule#NEUTRAL} if not listed. */
    public PromotionRule promotionRuleOf(NodeAddress address) {
        return promotion().getOrDefault(address, PromotionRule.NEUTRAL);
    }

    /** {@code ha.readFallback}. */
    public ReadFallback readFallback() {
        return (ReadFallback) get(ConfigKey.READ_FALLBACK);
    }

    /** {@code ha.routing}. */
    public Routing routing() {
        return (Routing) get(ConfigKey.ROUTING);
    }

    /** {@code ha.consistency}. */
    public Consistency consistency() {
        return (Consistency) get(ConfigKey.CONSISTENCY);
    }

    /** {@code ha.consistency.timeout}: how long a read-your-writes read waits for a replica. */
    public Duration consistencyTimeout() {
        return duration(ConfigKey.CONSISTENCY_TIMEOUT);
    }

    /** {@code ha.failover}. */
    public FailoverMode failover() {
        return (FailoverMode) get(ConfigKey.FAILOVER);
    }

    /** {@code ha.failover.timeout}: how long a write waits for a primary. */
    public Duration failoverTimeout() {
        return duration(ConfigKey.FAILOVER_TIMEOUT);
    }

    /** {@code ha.failover.minInterval}: minimum time between two promotions. */
    public Duration failoverMinInterval() {
        return duration(ConfigKey.FAILOVER_MIN_INTERVAL);
    }

    /** {@code ha.failover.maxDataLoss}: transactions a promotion candidate may miss. */
    public long failoverMaxDataLoss() {
        return (Long) get(ConfigKey.FAILOVER_MAX_DATA_LOSS);
    }

    /** {@code ha.failover.rejoin}: re-point a fenced old primary as a replica. */
    public boolean failoverRejoin() {
        return (Boolean) get(ConfigKey.FAILOVER_REJOIN);
    }

    /** {@code ha.failover.autoFailback}: move the primary back to a preferred node. */
    public boolean failoverAutoFailback() {
        return (Boolean) get(ConfigKey.FAILOVER_AUTO_FAILBACK);
    }

    /**
     * {@code ha.failover.fencer}: the class name of the {@link PrimaryFencer} a promotion calls before it makes the
     * candidate writable; {@code null} if none.
     */
    public String failoverFencer() {
        return (String) get(ConfigKey.FAILOVER_FENCER);
    }

    /** {@code ha.replay}. */
    public Replay replay() {
        return (Replay) get(ConfigKey.REPLAY);
    }

    /** {@code ha.replay.maxSize}: the largest transaction record kept for replay, in bytes. */
    public int replayMaxSize() {
        return ((Long) get(ConfigKey.REPLAY_MAX_SIZE)).intValue();
    }

    /** {@code ha.commitOutcome}. */
    public CommitOutcome commitOutcome() {
        return (CommitOutcome) get(ConfigKey.COMMIT_OUTCOME);
    }

    /** {@code ha.replication.user}: the account a rejoining old primary replicates with; {@code null} if none. */
    public String replicationUser() {
        return (String) get(ConfigKey.REPLICATION_USER);
    }

    /** {@code ha.replication.password}: password of the replication account; never printed. */
    public String replicationPassword() {
        return (String) get(ConfigKey.REPLICATION_PASSWORD);
    }

    /** {@code ha.admin.user}: user for monitoring and promotion, {@code null} to use the application's. */
    public String adminUser() {
        return (String) get(ConfigKey.ADMIN_USER);
    }

    /** {@code ha.admin.password}: password of the admin user, {@code null} if none; never printed. */
    public String adminPassword() {
        return (String) get(ConfigKey.ADMIN_PASSWORD);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HavenConfig && Arrays.equals(values, ((HavenConfig) o).values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    /** Every setting as {@code key=value}; the password is shown as {@code ****}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("HavenConfig{");
        for (ConfigKey k : ConfigKey.values()) {
            Object v = values[k.ordinal()];
            if (v == null) {
                continue;
            }
            if (sb.length() > "HavenConfig{".length()) {
                sb.append(", ");
            }
            sb.append(k.key()).append('=').append(k.type().format(v));
        }
        return sb.append('}').toString();
    }

    /**
     * Builds a {@link HavenConfig}. Every setter validates its value at once and, when it throws,
     * leaves the builder as it was. Not thread-safe.
     */
    public static final class Builder {
        private final Object[] values;

        private Builder() {
            ConfigKey[] keys = ConfigKey.values();
            values = new Object[keys.length];
            for (ConfigKey k : keys) {
                values[k.ordinal()] = k.defaultValue();
            }
        }

        private Builder(Object[] values) {
            this.values = values;
        }

        /**
         * Sets a setting from text, as found in a JDBC URL or a properties file.
         *
         * @param key   canonical key such as {@code ha.maxReplicaLag} (case-insensitive)
         * @param value the text; {@code null} or empty resets optional text settings
         * @throws IllegalArgumentException if the key is unknown (the message lists the valid
         *                                  keys) or the value is not allowed (the message names
         *                                  key, value and what is allowed)
         */
        public Builder set(String key, String value) {
            ConfigKey k = ConfigKey.find(key);
            if (k == null) {
                throw new IllegalArgumentException("unknown setting '" + key + "'; valid settings: " + ConfigKey.validKeys());
            }
            Object parsed = k.type().parse(k.key(), value);
            values[k.ordinal()] = parsed;
            return this;
        }

        /**
         * Sets several settings from text, all or nothing: if one is invalid, none is applied.
         *
         * @throws IllegalArgumentException as {@link #set(String, String)}, for the first bad entry
         */
        public Builder setAll(Map<String, String> settings) {
            Object[] copy = values.clone();
            Builder trial = new Builder(copy);
            for (Map.Entry<String, String> e : settings.entrySet()) {
                trial.set(e.getKey(), e.getValue());
            }
            System.arraycopy(copy, 0, values, 0, values.length);
            return this;
        }

        private Builder put(ConfigKey key, Object value) {
            values[key.ordinal()] = key.type().check(key.key(), value);
            return this;
        }

        /** {@code ha.seeds}: where discovery starts (required, no duplicates). */
        public Builder seeds(List<NodeAddress> seeds) {
            return put(ConfigKey.SEEDS, seeds == null ? null : new ArrayList<>(seeds));
        }

        /** {@code ha.seeds} from addresses such as {@code db1:3306}, {@code db2}, {@code [::1]:3307}. */
        public Builder seeds(String... seeds) {
            Objects.requireNonNull(seeds, "seeds");
            return set(ConfigKey.SEEDS.key(), String.join(",", seeds));
        }

        /** {@code ha.discovery}. */
        public Builder discovery(Discovery discovery) {
            return put(ConfigKey.DISCOVERY, discovery);
        }

        /** {@code ha.probeInterval}. */
        public Builder probeInterval(Duration interval) {
            return put(ConfigKey.PROBE_INTERVAL, interval);
        }

        /** {@code ha.connectTimeout}. */
        public Builder connectTimeout(Duration timeout) {
            return put(ConfigKey.CONNECT_TIMEOUT, timeout);
        }

        /** {@code ha.probeTimeout}. */
        public Builder probeTimeout(Duration timeout) {
            return put(ConfigKey.PROBE_TIMEOUT, timeout);
        }

        /** {@code ha.suspectAfter}; must be at least probeInterval. */
        public Builder suspectAfter(Duration silence) {
            return put(ConfigKey.SUSPECT_AFTER, silence);
        }

        /** {@code ha.deadAfter}; must exceed suspectAfter. */
        public Builder deadAfter(Duration silence) {
            return put(ConfigKey.DEAD_AFTER, silence);
        }

        /** {@code ha.initialGrace}. */
        public Builder initialGrace(Duration grace) {
            return put(ConfigKey.INITIAL_GRACE, grace);
        }

        /** {@code ha.recoverAfter}. */
        public Builder recoverAfter(int probes) {
            return put(ConfigKey.RECOVER_AFTER, (long) probes);
        }

        /** {@code ha.maxReplicaLag}. */
        public Builder maxReplicaLag(Duration lag) {
            return put(ConfigKey.MAX_REPLICA_LAG, lag);
        }

        /** {@code ha.lagHysteresis}; must be below maxReplicaLag. */
        public Builder lagHysteresis(Duration hysteresis) {
            return put(ConfigKey.LAG_HYSTERESIS, hysteresis);
        }

        /** {@code ha.readStrategy}. */
        public Builder readStrategy(ReadStrategy strategy) {
            return put(ConfigKey.READ_STRATEGY, strategy);
        }

        /** {@code ha.zone}: this application's zone, {@code null} for none. */
        public Builder zone(String zone) {
            return put(ConfigKey.ZONE, zone);
        }

        /** {@code ha.zones}: zone per node. */
        public Builder zones(Map<NodeAddress, String> zones) {
            return put(ConfigKey.ZONES, zones);
        }

        /** {@code ha.promotion}: promotion rule per node. */
        public Builder promotion(Map<NodeAddress, PromotionRule> rules) {
            return put(ConfigKey.PROMOTION, rules);
        }

        /** {@code ha.readFallback}. */
        public Builder readFallback(ReadFallback fallback) {
            return put(ConfigKey.READ_FALLBACK, fallback);
        }

        /** {@code ha.routing}. */
        public Builder routing(Routing routing) {
            return put(ConfigKey.ROUTING, routing);
        }

        /** {@code ha.consistency}. */
        public Builder consistency(Consistency consistency) {
            return put(ConfigKey.CONSISTENCY, consistency);
        }

        /** {@code ha.consistency.timeout}. */
        public Builder consistencyTimeout(Duration timeout) {
            return put(ConfigKey.CONSISTENCY_TIMEOUT, timeout);
        }

        /** {@code ha.failover}. */
        public Builder failover(FailoverMode mode) {
            return put(ConfigKey.FAILOVER, mode);
        }

        /** {@code ha.failover.timeout}; 0 makes writes fail at once when there is no primary. */
        public Builder failoverTimeout(Duration timeout) {
            return put(ConfigKey.FAILOVER_TIMEOUT, timeout);
        }

        /** {@code ha.failover.minInterval}. */
        public Builder failoverMinInterval(Duration interval) {
            return put(ConfigKey.FAILOVER_MIN_INTERVAL, interval);
        }

        /** {@code ha.failover.maxDataLoss}. */
        public Builder failoverMaxDataLoss(long transactions) {
            return put(ConfigKey.FAILOVER_MAX_DATA_LOSS, transactions);
        }

        /** {@code ha.failover.rejoin}; needs {@code ha.failover=promote}. */
        public Builder failoverRejoin(boolean rejoin) {
            return put(ConfigKey.FAILOVER_REJOIN, rejoin);
        }

        /** {@code ha.failover.autoFailback}; needs {@code ha.failover=promote}. */
        public Builder failoverAutoFailback(boolean autoFailback) {
            return put(ConfigKey.FAILOVER_AUTO_FAILBACK, autoFailback);
        }

        /**
         * {@code ha.failover.fencer}: the name of a {@link PrimaryFencer} class ({@code MyFencer.class.getName()});
         * needs {@code ha.failover=promote}.
         */
        public Builder failoverFencer(String className) {
            return set(ConfigKey.FAILOVER_FENCER.key(), className);
        }

        /** {@code ha.replay}. */
        public Builder replay(Replay replay) {
            return put(ConfigKey.REPLAY, replay);
        }

        /** {@code ha.replay.maxSize}, in bytes. */
        public Builder replayMaxSize(int bytes) {
            return put(ConfigKey.REPLAY_MAX_SIZE, (long) bytes);
        }

        /** {@code ha.commitOutcome}. */
        public Builder commitOutcome(CommitOutcome outcome) {
            return put(ConfigKey.COMMIT_OUTCOME, outcome);
        }

        /** {@code ha.admin.user} and {@code ha.admin.password}; {@code null} user for the application's own. */
        public Builder admin(String user, String password) {
            Object[] before = values.clone();
            try {
                put(ConfigKey.ADMIN_USER, user);
                return put(ConfigKey.ADMIN_PASSWORD, password);
            } catch (IllegalArgumentException e) {
                System.arraycopy(before, 0, values, 0, values.length);
                throw e;
            }
        }

        /** {@code ha.replication.user} and {@code ha.replication.password}: what a rejoining old primary uses. */
        public Builder replication(String user, String password) {
            Object[] before = values.clone();
            try {
                put(ConfigKey.REPLICATION_USER, user);
                return put(ConfigKey.REPLICATION_PASSWORD, password);
            } catch (IllegalArgumentException e) {
                System.arraycopy(before, 0, values, 0, values.length);
                throw e;
            }
        }

        /**
         * Checks the rules that tie settings together and returns the configuration.
         *
         * @throws IllegalArgumentException naming the settings in conflict and how to fix them
         */
        public HavenConfig build() {
            HavenConfig c = new HavenConfig(values.clone());
            if (c.seeds() == null || c.seeds().isEmpty()) {
                throw new IllegalArgumentException("ha.seeds: required; give at least one host:port, e.g. db1:3306 (the JDBC URL's hosts)");
            }
            if (c.suspectAfter().compareTo(c.probeInterval()) < 0) {
                throw new IllegalArgumentException("ha.suspectAfter (" + fmt(c.suspectAfter()) + ") must be at least ha.probeInterval ("
                        + fmt(c.probeInterval()) + "), otherwise a node is suspected between two healthy probes");
            }
            if (c.deadAfter().compareTo(c.suspectAfter()) <= 0) {
                throw new IllegalArgumentException("ha.deadAfter (" + fmt(c.deadAfter()) + ") must be longer than ha.suspectAfter ("
                        + fmt(c.suspectAfter()) + ")");
            }
            if (c.lagHysteresis().compareTo(c.maxReplicaLag()) >= 0) {
                throw new IllegalArgumentException("ha.lagHysteresis (" + fmt(c.lagHysteresis()) + ") must be shorter than ha.maxReplicaLag ("
                        + fmt(c.maxReplicaLag()) + "), otherwise a lagging replica never becomes fresh again; lower ha.lagHysteresis too");
            }
            if (c.failover() != FailoverMode.PROMOTE && (c.failoverRejoin() || c.failoverAutoFailback())) {
                throw new IllegalArgumentException("ha.failover.rejoin and ha.failover.autoFailback need ha.failover=promote (is "
                        + SettingType.kebab(c.failover()) + ")");
            }
            if (c.failover() != FailoverMode.PROMOTE && c.failoverFencer() != null) {
                throw new IllegalArgumentException("ha.failover.fencer needs ha.failover=promote (is "
                        + SettingType.kebab(c.failover()) + "): only a promoting instance fences the old primary");
            }
            if (c.adminPassword() != null && c.adminUser() == null) {
                throw new IllegalArgumentException("ha.admin.password is set but ha.admin.user is not");
            }
            if (c.replicationPassword() != null && c.replicationUser() == null) {
                throw new IllegalArgumentException("ha.replication.password is set but ha.replication.user is not");
            }
            if (c.failoverAutoFailback() && !c.failoverRejoin()) {
                throw new IllegalArgumentException("ha.failover.autoFailback=true needs ha.failover.rejoin=true: the"
                        + " primary role moves back only to an old primary that rejoined as a replica");
            }
            if (c.failoverRejoin() && c.replicationUser() == null) {
                throw new IllegalArgumentException("ha.failover.rejoin=true needs ha.replication.user (and ha.replication.password):"
                        + " the account the old primary will replicate from the new one with");
            }
            if (c.discovery() == Discovery.STATIC) {
                // Static discovery's topology is the seeds: a node named anywhere else can never match.
                requireSeeds(c, "ha.promotion", c.promotion().keySet());
                requireSeeds(c, "ha.zones", c.zones().keySet());
            }
            return c;
        }

        private static void requireSeeds(HavenConfig c, String key, java.util.Set<NodeAddress> named) {
            for (NodeAddress node : named) {
                if (!c.seeds().contains(node)) {
                    throw new IllegalArgumentException(key + " names " + node + ", which is not a node of this cluster:"
                            + " with ha.discovery=static the nodes are the seeds " + c.seeds() + " and nothing else");
                }
            }
        }

        private static String fmt(Duration d) {
            return SettingType.formatDuration(d);
        }
    }
}
