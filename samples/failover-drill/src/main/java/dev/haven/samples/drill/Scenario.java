package dev.haven.samples.drill;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What the drill does to the cluster, {@link DrillRun#FAULT_AT_MILLIS} into a run. */
enum Scenario {
    /** SIGKILL of the primary; an orchestrator (or Haven in promote mode) promotes a replica. */
    KILL_PRIMARY("kill-primary", true),
    /** SIGSTOP of the primary: connections hang instead of failing. */
    FREEZE_PRIMARY("freeze-primary", true),
    /**
     * The primary's proxy drops every byte, and replication goes through the proxies: the primary is cut off from
     * the application and from its replicas, alive and writable behind the partition.
     */
    PARTITION_PRIMARY("partition-primary", true),
    /**
     * The primary's proxy drops every byte but replication goes straight to the server: the application lost the
     * primary, its replicas did not. Nothing promotes (an orchestrator that sees the primary does not, and
     * Haven must not); the partition heals {@code --heal-after} ms later.
     */
    PARTITION_APP_ONLY("partition-app-only", false),
    /** SIGKILL of a replica: no failover at all. */
    KILL_REPLICA("kill-replica", false),
    /** One replica applies every event {@link DrillRun#LAG_SECONDS} s late, beyond the configured maximum lag. */
    LAG_REPLICA("lag-replica", false),
    /** {@code HaDataSource.switchover}: Haven's planned switchover (Haven only). */
    SWITCHOVER("switchover", false),
    /**
     * A randomized fault campaign schedule per run, seeded ({@code --seed}, {@code --mix}), Haven in promote mode,
     * checked by the test kit's independent checker (see docs/fault-campaign.md).
     */
    RANDOM("random", false),
    /**
     * With {@code --url}: the drill injects nothing, the operator does (kills the primary, say) while it runs. Not
     * a {@code --scenario} value.
     */
    MANUAL("manual", true);

    final String id;
    /** Whether the primary is lost for good, so an orchestrator (or Haven in promote mode) promotes a replica. */
    final boolean primaryLost;

    Scenario(String id, boolean primaryLost) {
        this.id = id;
        this.primaryLost = primaryLost;
    }

    /** Whether replicas replicate through the proxies, so that a partition cuts replication too. */
    boolean replicationThroughProxy() {
        return this == PARTITION_PRIMARY;
    }

    /** The {@code --scenario} values: every scenario the drill injects itself. */
    static List<String> ids() {
        return Arrays.stream(values()).filter(s -> s != MANUAL).map(s -> s.id).toList();
    }

    /** A comma-separated list of scenario names. */
    static List<Scenario> parseList(String text) {
        List<Scenario> scenarios = new ArrayList<>();
        for (String part : text.split(",")) {
            String name = part.trim();
            Scenario found = Arrays.stream(values()).filter(s -> s != MANUAL && s.id.equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--scenario: '" + name
                            + "' is not available; allowed: " + ids() + " (or a comma-separated list)"));
            if (!scenarios.contains(found)) {
                scenarios.add(found);
            }
        }
        return scenarios;
    }
}
