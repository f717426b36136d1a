package dev.haven.testkit.campaign;

import java.util.Locale;

/**
 * One fault of a {@link Schedule}: what, on which role, when (ms after the workload started) and for how long.
 *
 * @param pick           which node of the role, as an index taken modulo the number of candidates when the fault
 *                       begins (the seed reproduces the role and this index; which node it is depends on the
 *                       cluster's state then)
 * @param durationMillis how long the fault lasts before it is undone (0 for {@link FaultKind#RESTART})
 * @param param          the fault's strength: lag seconds, latency ms; 0 when it has none
 */
public record FaultStep(long atMillis, FaultKind kind, FaultKind.TargetRole role, int pick, long durationMillis,
                        int param) {

    public long endMillis() {
        return atMillis + durationMillis;
    }

    @Override
    public String toString() {
        String strength = switch (kind) {
            case LAG -> " " + param + " s";
            case SLOW_NETWORK -> " " + param + " ms";
            default -> "";
        };
        return String.format(Locale.ROOT, "at %6d ms %-19s %-7s #%d%s%s", atMillis, kind.id, role.id(), pick,
                strength, durationMillis > 0 ? " for " + durationMillis + " ms" : "");
    }
}
