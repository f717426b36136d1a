package dev.haven.core.internal;

import dev.haven.core.HavenConfig;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import static dev.haven.core.internal.SettingType.addressList;
import static dev.haven.core.internal.SettingType.bool;
import static dev.haven.core.internal.SettingType.className;
import static dev.haven.core.internal.SettingType.duration;
import static dev.haven.core.internal.SettingType.enumeration;
import static dev.haven.core.internal.SettingType.number;
import static dev.haven.core.internal.SettingType.promotionMap;
import static dev.haven.core.internal.SettingType.text;
import static dev.haven.core.internal.SettingType.zoneMap;
import static dev.haven.core.internal.SettingType.zoneName;

/**
 * The table of Haven's settings. One row per key: canonical name (as written in a JDBC URL),
 * type with its bounds, default (text; {@code null} = none), unit, and one sentence for the docs.
 *
 * <p>To add a setting: add a row here, a typed getter to {@link HavenConfig} and a typed setter to
 * its builder; parsing, validation, {@code settings()}, {@code toString()} and the unknown-key
 * message follow from the row. Cross-field rules live in {@code HavenConfig.Builder.build()}.
 */
public enum ConfigKey {
    SEEDS("ha.seeds", addressList(), null, "",
            "Servers where discovery starts (the hosts of the JDBC URL); nodes found by discovery join the topology."),
    DISCOVERY("ha.discovery", enumeration(HavenConfig.Discovery.class), "auto", "",
            "How members and roles are found: replication status, Group Replication tables, only the listed hosts, or auto-detected."),
    PROBE_INTERVAL("ha.probeInterval", duration(ms(10), oneDay()), "1s", "duration",
            "Time between two health probes of a node (Heartbeat's keepalive)."),
    CONNECT_TIMEOUT("ha.connectTimeout", duration(ms(1), oneDay()), "1s", "duration",
            "Connect timeout of a probe's monitoring connection, so an unreachable host fails fast."),
    PROBE_TIMEOUT("ha.probeTimeout", duration(ms(1), oneDay()), "1s", "duration",
            "Socket and query timeout of a probe, so a hung server (frozen process, dropped packets) fails the probe."),
    SUSPECT_AFTER("ha.suspectAfter", duration(ms(1), oneDay()), "1s", "duration",
            "A node with no successful probe for this long is SUSPECT and gets no new reads (Heartbeat's warntime), if a probe of it failed or is unanswered for a quarter of ha.probeTimeout: a probe sent late by a busy machine never suspects a node."),
    DEAD_AFTER("ha.deadAfter", duration(ms(1), oneDay()), "2s", "duration",
            "A node with no successful probe for this long, with a failed or late probe, is DOWN; a primary in this state counts as missing (Heartbeat's deadtime)."),
    INITIAL_GRACE("ha.initialGrace", duration(ms(0), oneDay()), "10s", "duration",
            "After start-up, no node that was never seen UP is declared DOWN before this much time has passed (Heartbeat's initdead)."),
    RECOVER_AFTER("ha.recoverAfter", number("int", 1, 100), "2", "probes",
            "Consecutive successful probes a SUSPECT or DOWN node needs to be UP again, so a flapping node does not flap routing."),
    MAX_REPLICA_LAG("ha.maxReplicaLag", duration(ms(1), oneDay()), "5s", "duration",
            "A replica further behind than this gets no reads."),
    LAG_HYSTERESIS("ha.lagHysteresis", duration(ms(0), oneDay()), "1s", "duration",
            "A lagging replica gets reads again only once its lag is below maxReplicaLag minus this."),
    READ_STRATEGY("ha.readStrategy", enumeration(HavenConfig.ReadStrategy.class), "round-robin", "",
            "How a read picks among eligible replicas."),
    ZONE("ha.zone", zoneName(), null, "",
            "This application's zone; when set, reads prefer replicas in the same zone and fall back to others."),
    ZONES("ha.zones", zoneMap(), "", "",
            "The zone of each node, e.g. db1:3306=eu-1a,db2:3306=eu-1b; nodes not listed have no zone."),
    PROMOTION("ha.promotion", promotionMap(), "", "",
            "Promotion rule per node (prefer, neutral, never), e.g. db3:3306=never; nodes not listed are neutral."),
    READ_FALLBACK("ha.readFallback", enumeration(HavenConfig.ReadFallback.class), "primary", "",
            "What a read does when no replica is eligible: go to the primary, or fail."),
    ROUTING("ha.routing", enumeration(HavenConfig.Routing.class), "explicit", "",
            "explicit: only read-only connections read from replicas; auto: plain reads in autocommit go to replicas too."),
    CONSISTENCY("ha.consistency", enumeration(HavenConfig.Consistency.class), "eventual", "",
            "eventual: replicas may be behind; read-your-writes: a read after this application's write sees that write."),
    CONSISTENCY_TIMEOUT("ha.consistency.timeout", duration(ms(0), oneDay()), "1s", "duration",
            "How long a read-your-writes read waits for a replica to catch up before it goes to the primary."),
    FAILOVER("ha.failover", enumeration(HavenConfig.FailoverMode.class), "observe", "",
            "observe: follow promotions made by others; promote: Haven promotes a replica itself when the primary is dead."),
    FAILOVER_TIMEOUT("ha.failover.timeout", duration(ms(0), oneDay()), "10s", "duration",
            "How long a write waits for a primary to appear before it fails; 0s fails at once."),
    FAILOVER_MIN_INTERVAL("ha.failover.minInterval", duration(ms(0), oneDay()), "60s", "duration",
            "Minimum time between two promotions, against flapping."),
    FAILOVER_MAX_DATA_LOSS("ha.failover.maxDataLoss", number("long", 0, Long.MAX_VALUE), "0", "transactions",
            "Promote only a candidate missing at most this many of the old primary's transactions (by GTID)."),
    FAILOVER_REJOIN("ha.failover.rejoin", bool(), "false", "",
            "Whether a fenced old primary is re-pointed as a replica of the new one when it comes back."),
    FAILOVER_AUTO_FAILBACK("ha.failover.autoFailback", bool(), "false", "",
            "Whether the primary role moves back to a preferred node once it has recovered."),
    FAILOVER_FENCER("ha.failover.fencer", className(dev.haven.core.PrimaryFencer.class), null, "",
            "Class of a dev.haven.core.PrimaryFencer that isolates the old primary (power off, stop its VM, close its port) before a replica is promoted in its place; none by default. An instance can be given instead: HaDataSource.Builder.fencer, or a PrimaryFencer bean with the Spring Boot starter."),
    REPLAY("ha.replay", enumeration(HavenConfig.Replay.class), "off", "",
            "on: a transaction interrupted by a failover before its commit is replayed on the new primary and goes on if everything it read and wrote matches; off: it fails with 08007."),
    REPLAY_MAX_SIZE("ha.replay.maxSize", number("int", 0, Integer.MAX_VALUE), "65536", "bytes",
            "Largest record of one transaction kept for replay (SQL text, parameters, 64 per statement); a larger transaction is not replayed."),
    COMMIT_OUTCOME("ha.commitOutcome", enumeration(HavenConfig.CommitOutcome.class), "unknown", "",
            "unknown: a commit interrupted in flight fails with 08007; marker: each write transaction writes a marker row, looked up on the new primary to tell committed from not."),
    REPLICATION_USER("ha.replication.user", text(false), null, "",
            "Replication account a returning old primary uses to replicate from the new one (ha.failover.rejoin)."),
    REPLICATION_PASSWORD("ha.replication.password", text(true), null, "",
            "Password of ha.replication.user; never printed."),
    ADMIN_USER("ha.admin.user", text(false), null, "",
            "User for probes, discovery and promotion, if different from the application's user."),
    ADMIN_PASSWORD("ha.admin.password", text(true), null, "",
            "Password of ha.admin.user; never printed.");

    private static final Map<String, ConfigKey> BY_LOWER_KEY = new HashMap<>();

    static {
        for (ConfigKey k : values()) {
            BY_LOWER_KEY.put(k.key.toLowerCase(Locale.ROOT), k);
        }
    }

    private final String key;
    private final SettingType<Object> type;
    private final String defaultText;
    private final Object defaultValue;
    private final String unit;
    private final String description;

    @SuppressWarnings("unchecked")
    ConfigKey(String key, SettingType<?> type, String defaultText, String unit, String description) {
        this.key = key;
        this.type = (SettingType<Object>) type;
        this.defaultText = defaultText;
        this.defaultValue = defaultText == null ? null : this.type.parse(key, defaultText);
        this.unit = unit;
        this.description = description;
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    private static Duration oneDay() {
        return Duration.ofHours(24);
    }

    /** The key for a name, ignoring case; {@code null} if there is none. */
    public static ConfigKey find(String key) {
        return key == null ? null : BY_LOWER_KEY.get(key.toLowerCase(Locale.ROOT));
    }

    /** All canonical keys, comma-separated, for "unknown key" messages. */
    public static String validKeys() {
        StringBuilder sb = new StringBuilder();
        for (ConfigKey k : values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(k.key);
        }
        return sb.toString();
    }

    /** The canonical name, e.g. {@code ha.maxReplicaLag}. */
    public String key() {
        return key;
    }

    public SettingType<Object> type() {
        return type;
    }

    /** The default as text, {@code null} when there is none. */
    public String defaultText() {
        return defaultText;
    }

    /** The parsed default, {@code null} when there is none. */
    public Object defaultValue() {
        return defaultValue;
    }

    public String unit() {
        return unit;
    }

    public String description() {
        return description;
    }

    /** Settings without a default must be given. */
    public boolean required() {
        return this == SEEDS;
    }
}
