package dev.haven.samples.drill;

import dev.haven.testkit.campaign.Campaign;
import dev.haven.testkit.campaign.CampaignResult;
import dev.haven.testkit.campaign.Operation;
import dev.haven.testkit.campaign.TimelineEvent;
import dev.haven.testkit.campaign.Violation;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --scenario random}: run i is the test kit's fault campaign with seed {@code --seed} + i - 1, Haven in
 * promote mode (or in observe mode, following the test kit's orchestrator) through {@code --data-sources} data sources
 * (and {@code --followers} more in observe mode beside them), and its result in the drill's own figures (so the
 * JSON, the table and the HTML timeline read as for any scenario) plus the invariants the checker found broken.
 */
final class RandomScenario {

    /** Violations listed per run in the JSON (all are counted). */
    static final int DETAILS_PER_RUN = 10;

    private RandomScenario() {
    }

    static Campaign campaign(DrillOptions options, PrintStream out) {
        // read-your-write pairs join the workload when Haven is told to promise them
        boolean readYourWrites = "read-your-writes".equalsIgnoreCase(options.settings().get("ha.consistency"));
        Campaign.Builder campaign = Campaign.builder().mix(options.random().mix())
                .schedule(options.random().schedule()).out(out).readYourWrites(readYourWrites);
        if (!options.promote()) {
            campaign.orchestrator(java.time.Duration.ofMillis(Math.max(1, options.promoteAfterMillis())));
        }
        return campaign.build();
    }

    static RunResult run(DrillOptions options, int run, PrintStream out) throws Exception {
        long seed = options.random().seed() + run - 1;
        HavenCampaignClient[] client = new HavenCampaignClient[1];
        CampaignResult result = campaign(options, out).run(seed, (cluster, clock) ->
                client[0] = new HavenCampaignClient(cluster, clock, options.random().dataSources(),
                        options.random().followers(), options.promote(), options.settings()));
        return toRunResult(result, client[0].events());
    }

    /** The campaign's history in the drill's figures. */
    static RunResult toRunResult(CampaignResult r, HavenEvents events) {
        int buckets = (int) (r.endMillis() / DrillRun.BUCKET_MILLIS + 2);
        long[] okWrites = new long[buckets];
        long[] failedWrites = new long[buckets];
        long[] okReads = new long[buckets];
        long[] failedReads = new long[buckets];
        long[] staleReads = new long[buckets];
        Map<String, Long> errors = new LinkedHashMap<>();
        long firstFault = r.schedule().steps().isEmpty() ? 0 : r.schedule().steps().get(0).atMillis();
        long firstFailedWrite = -1;
        long writeBack = -1;
        long lastAck = -1;
        long longestGap = 0;
        for (Operation op : r.operations()) { // in start order
            long at = op.endMillis() < 0 ? r.endMillis() : op.endMillis();
            int b = (int) Math.min(buckets - 1, Math.max(0, at / DrillRun.BUCKET_MILLIS));
            boolean write = op.kind().writes();
            if (op.ok()) {
                if (write) {
                    okWrites[b]++;
                    if (at >= firstFault && lastAck >= 0) {
                        longestGap = Math.max(longestGap, at - lastAck);
                    }
                    lastAck = Math.max(lastAck, at);
                    if (firstFailedWrite >= 0 && writeBack < 0 && op.startMillis() >= firstFailedWrite) {
                        writeBack = at;
                    }
                } else if (op.value() == 0) {
                    staleReads[b]++; // the checker decides which were too stale; the timeline shows every miss
                } else {
                    okReads[b]++;
                }
            } else {
                if (write) {
                    failedWrites[b]++;
                    if (at >= firstFault && firstFailedWrite < 0) {
                        firstFailedWrite = at;
                    }
                } else {
                    failedReads[b]++;
                }
                if (op.outcome() == Operation.Outcome.FAILED) {
                    String message = String.valueOf(op.message()).replaceAll("[0-9]+", "#");
                    String key = op.kind().name().toLowerCase(Locale.ROOT) + ": " + op.errorClass() + " ["
                            + op.sqlState() + "] " + message.substring(0, Math.min(120, message.length()));
                    errors.merge(key, 1L, Long::sum);
                } else {
                    errors.merge(op.kind().name().toLowerCase(Locale.ROOT) + ": blocked at the end", 1L, Long::sum);
                }
            }
        }
        longestGap = Math.max(longestGap, r.endMillis() - Math.max(0, lastAck));
        Long rto = firstFailedWrite < 0 ? Long.valueOf(0) : writeBack < 0 ? null : writeBack - firstFailedWrite;
        List<RunResult.Mark> marks = new ArrayList<>();
        int promotions = 0;
        for (TimelineEvent e : r.timeline()) {
            String kind = switch (e.kind()) {
                case "fault" -> "fault";
                case "undo", "heal" -> "heal";
                case "promotion" -> "promotion";
                default -> "note";
            };
            if (kind.equals("promotion")) {
                promotions++;
            }
            marks.add(new RunResult.Mark(e.atMillis(), kind, e.text()));
        }
        List<String> details = new ArrayList<>();
        for (Violation v : r.violations()) {
            if (details.size() < DETAILS_PER_RUN) {
                details.add(v.toString());
            }
        }
        var f = r.figures();
        long blocked = r.operations().stream().filter(o -> o.outcome() == Operation.Outcome.BLOCKED).count();
        Map<String, Long> sortedErrors = new LinkedHashMap<>();
        errors.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> sortedErrors.put(e.getKey(), e.getValue()));
        return new RunResult(rto, longestGap, f.failedWrites(), f.failedReads(), f.staleReads(), f.ackedWrites(),
                f.finalPrimary() == null ? null : f.lostAckedWrites(), f.maxWritableNodes(), promotions,
                (int) blocked, firstFault, r.endMillis(),
                new RunResult.Timeline(okWrites, failedWrites, okReads, failedReads, staleReads), marks, sortedErrors,
                f.finalPrimary() == null ? null : f.duplicateAppliedWrites(), f.failedTransactions(), events.replayed(),
                events.replayMismatches(), events.commitOutcomesResolved(), new RunResult.Campaign(r.schedule().seed(), r.schedule().mix().toString(), r.serverFamily(),
                r.schedule().describe().trim(), r.violationCounts(), details, r.describe()));
    }
}
