package dev.haven.testkit.campaign;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A random fault schedule, reproduced exactly by its seed and settings: the same faults, the same roles and picks,
 * the same times. Faults may overlap (never two on one node: a fault whose candidates are all busy is skipped,
 * and says so in the timeline).
 *
 * @param replicationThroughProxy whether replicas reach the primary through its proxy, so that a partition of the
 *                                primary cuts it off from everyone (drawn per schedule: half the schedules)
 * @param healAtMillis            when every fault still on is undone and every dead node restarted
 * @param endMillis               when the workload stops: the heal plus the quiet period
 */
public record Schedule(long seed, FaultMix mix, boolean replicationThroughProxy, List<FaultStep> steps,
                       long healAtMillis, long endMillis) {

    /**
     * How schedules are drawn.
     *
     * @param warmupMillis      no fault before this
     * @param faultWindowMillis faults begin within this, after the warm-up
     * @param minFaults         at least this many faults
     * @param maxFaults         at most this many
     * @param maxDurationMillis a fault lasts between 500 ms and this
     * @param quietMillis       after the final heal, the workload goes on this long without any fault
     */
    public record Settings(long warmupMillis, long faultWindowMillis, int minFaults, int maxFaults,
                           long maxDurationMillis, long quietMillis) {
        public static final Settings DEFAULT = new Settings(2000, 16_000, 2, 4, 5000, 6000);
        /** Short schedules for CI: about 20 s of workload each. */
        public static final Settings SHORT = new Settings(2000, 8000, 1, 3, 3000, 5000);

        public Settings {
            if (warmupMillis < 0 || faultWindowMillis < 1 || minFaults < 0 || maxFaults < minFaults
                    || maxDurationMillis < 500 || quietMillis < 0) {
                throw new IllegalArgumentException("schedule settings out of range: " + this);
            }
        }
    }

    public static Schedule generate(long seed, FaultMix mix, Settings settings) {
        SplittableRandom random = new SplittableRandom(seed);
        boolean throughProxy = random.nextBoolean();
        int count = settings.minFaults() + random.nextInt(settings.maxFaults() - settings.minFaults() + 1);
        List<FaultStep> steps = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            FaultMix.Entry entry = mix.entries().get(random.nextInt(mix.entries().size()));
            long at = settings.warmupMillis() + random.nextLong(settings.faultWindowMillis());
            long duration = entry.kind() == FaultKind.RESTART ? 0
                    : 500 + random.nextLong(settings.maxDurationMillis() - 500 + 1);
            int param = switch (entry.kind()) {
                case LAG -> 3 + random.nextInt(6);            // 3-8 s, beyond a 2 s ha.maxReplicaLag
                case SLOW_NETWORK -> 50 + random.nextInt(451); // 50-500 ms per chunk
                default -> 0;
            };
            steps.add(new FaultStep(at, entry.kind(), entry.role(), random.nextInt(1 << 16), duration, param));
        }
        steps.sort(Comparator.comparingLong(FaultStep::atMillis));
        long lastEnd = settings.warmupMillis();
        for (FaultStep s : steps) {
            lastEnd = Math.max(lastEnd, s.endMillis());
        }
        long heal = lastEnd + 500;
        return new Schedule(seed, mix, throughProxy, List.copyOf(steps), heal, heal + settings.quietMillis());
    }

    /** The schedule as lines of text, for reports and violations. */
    public String describe() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "schedule seed=%d mix=%s replicationThroughProxy=%s (%d faults, heal at %d ms, end at %d ms)%n",
                seed, mix.name(), replicationThroughProxy, steps.size(), healAtMillis, endMillis));
        for (FaultStep s : steps) {
            b.append("  ").append(s).append(System.lineSeparator());
        }
        return b.toString();
    }
}
