package dev.haven.core.internal;

import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.PromotionRule;
import dev.haven.core.ServerState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The rules of {@code ha.failover=promote}, as pure functions of what the monitor knows, so that every guard can be
 * tested without servers. {@link Failover} applies them and carries out the promotion.
 *
 * <p>A promotion is allowed only when all hold:
 * <ol>
 *   <li>the primary is {@code DOWN} by the detector's rules;</li>
 *   <li>the replicas agree: a majority of the reachable replicas of the primary have lost their link to it (receiver
 *       thread not running, or no heartbeat nor transaction received for two heartbeat periods). A primary the
 *       application cannot reach but its replicas can is not dead, and is never replaced;</li>
 *   <li>no promotion happened within {@code ha.failover.minInterval};</li>
 *   <li>the candidate lacks at most {@code ha.failover.maxDataLoss} transactions of the most advanced position any
 *       replica is known to have received.</li>
 * </ol>
 * The candidate is chosen among reachable replicas not marked {@code never}, within the data-loss bound: fewest
 * errant transactions (ones neither the old primary nor any replica received from it) first, then one that can
 * apply what it received now before one held back by a configured delay ({@code MASTER_DELAY}) with transactions
 * still to apply (promoting it would stop writes for up to the delay), then {@code prefer} before {@code neutral},
 * then the old primary's zone, then the most advanced, then the one with least received and not yet applied, then
 * the lowest {@code server_id}, so that every application instance that sees the same cluster picks the same
 * node.
 */
public final class FailoverRules {

    private FailoverRules() {
    }

    /**
     * One replica as the failover sees it.
     *
     * @param node     the node in the topology
     * @param state    its last probe, {@code null} if it never answered
     * @param linkLost whether its link to the old primary is down by its own view
     * @param delaySeconds its configured apply delay ({@code SQL_Delay}, {@code MASTER_DELAY}); 0 for none, -1
     *                     when not known (the monitor's probes do not read it; the final choice does)
     */
    public record Replica(Node node, ServerState state, boolean linkLost, long delaySeconds) {
        public Replica {
            Objects.requireNonNull(node, "node");
        }

        public Replica(Node node, ServerState state, boolean linkLost) {
            this(node, state, linkLost, -1);
        }

        /** What it has applied. */
        GtidSet applied() {
            return state == null ? GtidSet.EMPTY : parse(state.gtidPosition());
        }

        /**
         * Received and not yet applied, in transactions: what its applier must do before it can be promoted.
         */
        long backlog() {
            long pending = applied().missing(position());
            return pending == Long.MAX_VALUE ? Long.MAX_VALUE / 2 : pending;
        }

        /** It applies late on purpose and still has something to apply: promoting it waits for the delay. */
        boolean heldBack() {
            return delaySeconds > 0 && backlog() > 0;
        }

        /** What it received from its source, or what it applied when it received nothing since it started. */
        GtidSet received() {
            if (state == null) {
                return GtidSet.EMPTY;
            }
            ServerState.Replication r = state.replication();
            GtidSet received = r == null ? GtidSet.EMPTY : parse(r.receivedGtid());
            return received.isEmpty() ? parse(state.gtidPosition()) : received;
        }

        /** Everything it has: received from the source (relay log) or applied. */
        GtidSet position() {
            if (state == null) {
                return GtidSet.EMPTY;
            }
            GtidSet executed = parse(state.gtidPosition());
            ServerState.Replication r = state.replication();
            return r == null ? executed : safeUnion(executed, parse(r.receivedGtid()));
        }

        boolean reachable() {
            return node.health() == Health.UP && state != null && state.replication() != null;
        }
    }

    /** What to do now. */
    public record Decision(boolean promote, Replica candidate, List<Replica> ranked, long dataLoss, String reason) {
        static Decision refuse(String reason) {
            return new Decision(false, null, List.of(), 0, reason);
        }
    }

    /**
     * Applies the guards to a primary that is {@code DOWN}.
     *
     * @param oldPrimary        the primary that is down
     * @param oldPrimaryState   its last probe, {@code null} if none
     * @param replicas          the replicas of the old primary (any health)
     * @param sincePromotionNanos time since this cluster's last promotion, {@code Long.MAX_VALUE} if none
     */
    public static Decision decide(Node oldPrimary, ServerState oldPrimaryState, List<Replica> replicas,
                                  long sincePromotionNanos, long minIntervalNanos, long maxDataLoss) {
        if (oldPrimary.health() != Health.DOWN) {
            return Decision.refuse("the primary " + oldPrimary.address() + " is " + oldPrimary.health() + ", not DOWN");
        }
        if (sincePromotionNanos < minIntervalNanos) {
            return Decision.refuse("a promotion happened " + sincePromotionNanos / 1_000_000 + " ms ago;"
                    + " ha.failover.minInterval is " + minIntervalNanos / 1_000_000 + " ms");
        }
        List<Replica> reachable = new ArrayList<>();
        int lost = 0;
        for (Replica r : replicas) {
            if (r.reachable()) {
                reachable.add(r);
                if (r.linkLost()) {
                    lost++;
                }
            }
        }
        if (reachable.isEmpty()) {
            return Decision.refuse("no replica of " + oldPrimary.address() + " is reachable");
        }
        if (lost * 2 <= reachable.size()) {
            return Decision.refuse("the replicas still see " + oldPrimary.address() + ": " + (reachable.size() - lost)
                    + " of " + reachable.size() + " reachable replicas have a live link to it");
        }
        GtidSet best = GtidSet.EMPTY;
        for (Replica r : replicas) {
            best = safeUnion(best, r.received());
        }
        GtidSet fromPrimary = best;
        if (oldPrimaryState != null) {
            fromPrimary = safeUnion(best, parse(oldPrimaryState.gtidPosition()));
        }
        List<Ranked> ranked = new ArrayList<>();
        StringBuilder excluded = new StringBuilder();
        for (Replica r : reachable) {
            if (r.node().promotionRule() == PromotionRule.NEVER) {
                excluded.append(' ').append(r.node().address()).append(" is marked never;");
                continue;
            }
            long loss = r.position().missing(best);
            if (loss > maxDataLoss) {
                excluded.append(' ').append(r.node().address()).append(" lacks ").append(loss == Long.MAX_VALUE ? "?" : loss)
                        .append(" transaction(s);");
                continue;
            }
            long errant = r.state() == null ? 0 : fromPrimary.missing(parse(r.state().gtidPosition()));
            ranked.add(new Ranked(r, loss, errant, sameZone(r.node(), oldPrimary)));
        }
        if (ranked.isEmpty()) {
            return Decision.refuse("no replica may be promoted:" + excluded
                    + " (ha.failover.maxDataLoss is " + maxDataLoss + ")");
        }
        ranked.sort(Comparator.comparingLong(Ranked::errant)
                .thenComparing(x -> x.replica.heldBack())
                .thenComparing(x -> x.replica.node().promotionRule() != PromotionRule.PREFER)
                .thenComparing(x -> !x.sameZone)
                .thenComparingLong(Ranked::loss)
                .thenComparingLong(x -> x.replica.backlog())
                .thenComparingLong(x -> x.replica.node().serverId()));
        List<Replica> order = new ArrayList<>();
        for (Ranked r : ranked) {
            order.add(r.replica);
        }
        Ranked first = ranked.get(0);
        return new Decision(true, first.replica, List.copyOf(order), first.loss,
                lost + " of " + reachable.size() + " reachable replicas lost the primary");
    }

    /**
     * Whether a replica's link to its source is down by its own view: its receiver is not running, or it heard
     * nothing from the source (no heartbeat, no transaction) for two heartbeat periods, by the server's own clock
     * where it says ({@link ServerState.Replication#sourceSilenceMillis()}) or across probes.
     *
     * @param quietNanos how long its heartbeat count and received position have not moved across probes
     */
    public static boolean linkLost(ServerState.Replication r, long quietNanos) {
        if (r.ioState() != ServerState.IoState.RUNNING) {
            return true;
        }
        long period = r.heartbeatPeriodMillis();
        if (period <= 0) {
            return false; // no heartbeat to miss: only the receiver thread's state tells
        }
        long limitMillis = 2 * period;
        if (r.sourceSilenceMillis() >= 0 && r.sourceSilenceMillis() > limitMillis) {
            return true;
        }
        return quietNanos > limitMillis * 1_000_000;
    }

    /**
     * The replicas' agreement again, on the fresh reads a promoter takes under the failover locks, counted against
     * ALL the old primary's replicas rather than the ones this instance could reach. The first check ran on the
     * monitor's last probes: in a starved process (fifty instances on two cores were seen doing it) those can be
     * seconds old, a replica whose probes timed out counts as unreachable, and one replica of two becomes "all the
     * reachable ones". A replica whose fresh counters moved since the monitor's last look still hears from the
     * primary, which is then alive.
     *
     * @param replicas  how many replicas the old primary has in the topology
     * @param freshLost how many of them show a lost link on their fresh read
     * @return {@code null} when the promotion may go on, else why not
     */
    public static String confirmUnderLock(int replicas, int freshLost) {
        if (freshLost * 2 > replicas) {
            return null;
        }
        return "under the failover lock, " + freshLost + " of " + replicas + " replicas show a lost link to the"
                + " primary on a fresh read; a promotion needs a majority of them";
    }

    /**
     * The configured apply delay in a replica status row ({@code SQL_Delay} on both families), 0 when none or
     * when the server replicates from nobody, -1 when the row does not say.
     */
    public static long delaySeconds(java.util.Map<String, String> replicaStatus) {
        if (replicaStatus == null) {
            return 0;
        }
        String value = replicaStatus.get("SQL_Delay");
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The client-side RPO guard: the first of {@code ranked} (best first) that holds every transaction of
     * {@code acknowledged} (received or applied), or {@code null} if none does. Everything passes an empty
     * {@code acknowledged}.
     */
    public static Replica keeperOf(List<Replica> ranked, GtidSet acknowledged) {
        for (Replica r : ranked) {
            if (acknowledged.isEmpty() || r.position().missing(acknowledged) == 0) {
                return r;
            }
        }
        return null;
    }

    /**
     * Why no replica of {@code ranked} may be promoted under the guard: the acknowledged writes, and what each
     * candidate lacks of them.
     */
    public static String acknowledgedLoss(List<Replica> ranked, GtidSet acknowledged) {
        StringBuilder sb = new StringBuilder("every candidate lacks writes this data source saw acknowledged (the"
                + " highest acknowledged GTID per source: ").append(acknowledged).append(");");
        for (Replica r : ranked) {
            sb.append(' ').append(r.node().address()).append(" is at ").append(r.position().isEmpty() ? "nothing"
                    : r.position().toString()).append(';');
        }
        return sb.append(" promoting one would lose them, so none is promoted until one has them (a replica"
                + " receives them or the old primary returns) or an operator decides").toString();
    }

    private record Ranked(Replica replica, long loss, long errant, boolean sameZone) {
    }

    private static boolean sameZone(Node a, Node b) {
        return a.zone() != null && a.zone().equals(b.zone());
    }

    static GtidSet parse(String text) {
        try {
            return GtidSet.parse(text);
        } catch (IllegalArgumentException e) {
            return GtidSet.EMPTY;
        }
    }

    private static GtidSet safeUnion(GtidSet a, GtidSet b) {
        try {
            return a.union(b);
        } catch (IllegalArgumentException e) {
            return a;
        }
    }
}
