package dev.haven.testkit.campaign;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One campaign run: its schedule, everything recorded, and the checker's verdict. {@link #describe()} prints what
 * a violation needs to be reproduced and understood: the seed, the schedule, and a timeline around each violation.
 */
public record CampaignResult(String serverFamily, Schedule schedule, Bounds bounds, List<Operation> operations,
                             List<WritableSample> samples, List<TimelineEvent> timeline, List<NodeSnapshot> nodes,
                             CloseReport close, Checker.Result checked, long endMillis) {

    /** Violations shown in full per invariant; the rest are counted. */
    static final int SHOWN_PER_INVARIANT = 3;
    static final long WINDOW_MILLIS = 2000;

    public boolean passed() {
        return checked.passed();
    }

    public List<Violation> violations() {
        return checked.violations();
    }

    public Checker.Figures figures() {
        return checked.figures();
    }

    /** Violations by invariant id, in the order of {@link Violation.Invariant}. */
    public Map<String, Integer> violationCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Violation.Invariant invariant : Violation.Invariant.values()) {
            int n = (int) violations().stream().filter(v -> v.invariant() == invariant).count();
            if (n > 0) {
                counts.put(invariant.id, n);
            }
        }
        return counts;
    }

    /** One line: the seed, the operations, the verdict. */
    public String summary() {
        long ok = operations.stream().filter(Operation::ok).count();
        return String.format(Locale.ROOT, "seed %d (%s, mix %s): %d operations, %d ok, %d failed, %d blocked;"
                        + " final primary %s; %s", schedule.seed(), serverFamily, schedule.mix().name(),
                operations.size(), ok,
                operations.stream().filter(o -> o.outcome() == Operation.Outcome.FAILED).count(),
                operations.stream().filter(o -> o.outcome() == Operation.Outcome.BLOCKED).count(),
                figures().finalPrimary(), passed() ? "every invariant holds"
                        : violations().size() + " violation(s) " + violationCounts());
    }

    /** The seed, the schedule, every violation (the first few of each invariant with a timeline around it). */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append("=== campaign seed ").append(schedule.seed()).append(" on ").append(serverFamily).append(": ")
                .append(passed() ? "passed" : "VIOLATED " + violationCounts()).append('\n');
        b.append("reproduce: the same seed with the same mix and schedule settings\n");
        b.append(schedule.describe());
        b.append("bounds: ").append(bounds).append('\n');
        b.append("timeline:\n");
        for (TimelineEvent e : timeline) {
            b.append("  ").append(e).append('\n');
        }
        Map<Violation.Invariant, Integer> shown = new LinkedHashMap<>();
        for (Violation v : violations()) {
            int n = shown.merge(v.invariant(), 1, Integer::sum);
            if (n > SHOWN_PER_INVARIANT) {
                continue;
            }
            b.append("--- violation: ").append(v).append('\n');
            if (v.atMillis() >= 0) {
                b.append(window(v.atMillis()));
            }
        }
        for (Map.Entry<Violation.Invariant, Integer> e : shown.entrySet()) {
            if (e.getValue() > SHOWN_PER_INVARIANT) {
                b.append("... and ").append(e.getValue() - SHOWN_PER_INVARIANT).append(" more ")
                        .append(e.getKey().id).append('\n');
            }
        }
        return b.toString();
    }

    /** What happened within {@link #WINDOW_MILLIS} of {@code at}: timeline events, counts, failures. */
    String window(long at) {
        long from = at - WINDOW_MILLIS;
        long to = at + WINDOW_MILLIS;
        StringBuilder b = new StringBuilder();
        for (TimelineEvent e : timeline) {
            if (e.atMillis() >= from && e.atMillis() <= to) {
                b.append("    ").append(e).append('\n');
            }
        }
        for (long slot = from - from % 500; slot < to; slot += 500) {
            long s = slot;
            long okW = count(o -> o.kind().writes() && o.ok() && o.endMillis() >= s && o.endMillis() < s + 500);
            long failW = count(o -> o.kind().writes() && !o.ok() && o.startMillis() >= s && o.startMillis() < s + 500);
            long okR = count(o -> !o.kind().writes() && o.ok() && o.endMillis() >= s && o.endMillis() < s + 500);
            long failR = count(o -> !o.kind().writes() && !o.ok() && o.startMillis() >= s && o.startMillis() < s + 500);
            List<String> writable = new ArrayList<>();
            for (WritableSample sample : samples) {
                if (sample.atMillis() >= s && sample.atMillis() < s + 500 && !writable.contains(sample.writable()
                        .toString())) {
                    writable.add(sample.writable().toString());
                }
            }
            b.append(String.format(Locale.ROOT, "    %6d ms  writes %3d ok %3d failed | reads %3d ok %3d failed |"
                    + " writable %s%n", s, okW, failW, okR, failR, String.join(" ", writable)));
        }
        int listed = 0;
        for (Operation o : operations) {
            if (!o.ok() && o.startMillis() <= to && (o.endMillis() < 0 || o.endMillis() >= from) && listed++ < 6) {
                b.append("    ").append(o).append('\n');
            }
        }
        return b.toString();
    }

    private long count(java.util.function.Predicate<Operation> p) {
        return operations.stream().filter(p).count();
    }
}
