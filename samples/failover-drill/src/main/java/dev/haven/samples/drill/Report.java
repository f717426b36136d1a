package dev.haven.samples.drill;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/** The drill's outputs: JSON, a markdown summary table, an HTML page with timelines. */
final class Report {

    private Report() {
    }

    /** All runs of one scenario with one client. */
    record Result(Scenario scenario, Client client, String label, String failover, String promotedBy,
                  List<RunResult> runs) {

        long[] rtos() {
            // a run whose writes never came back counts as longer than any other
            return runs.stream().mapToLong(r -> r.writeRtoMillis() == null ? Long.MAX_VALUE : r.writeRtoMillis())
                    .toArray();
        }

        Long rtoP50() {
            return finite(percentile(rtos(), 0.5));
        }

        Long rtoMax() {
            return finite(percentile(rtos(), 1.0));
        }

        long total(ToLongFunction<RunResult> field) {
            return runs.stream().mapToLong(field).sum();
        }

        /** Total lost acknowledged writes; null when some run had no primary to check them on. */
        Long lostAckedWrites() {
            if (runs.stream().anyMatch(r -> r.lostAckedWrites() == null)) {
                return null;
            }
            return total(RunResult::lostAckedWrites);
        }

        /** The most writable nodes of any run; null when some run could not sample them. */
        Integer maxWritableNodes() {
            if (runs.stream().anyMatch(r -> r.maxWritableNodes() == null)) {
                return null;
            }
            return runs.stream().mapToInt(RunResult::maxWritableNodes).max().orElse(0);
        }

        private static Long finite(long value) {
            return value == Long.MAX_VALUE ? null : value;
        }
    }

    static long percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    // ------------------------------------------------------------------------------------------ JSON

    /** One object per scenario and client; an array of them when there are several. */
    static String json(List<Result> results) {
        if (results.size() == 1) {
            return json(results.get(0), "") + "\n";
        }
        StringBuilder b = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            b.append(json(results.get(i), "  ")).append(i + 1 < results.size() ? ",\n" : "\n");
        }
        return b.append("]\n").toString();
    }

    private static String json(Result r, String indent) {
        String in = indent + "  ";
        StringBuilder b = new StringBuilder(indent).append("{\n");
        // the server of the local clusters (--server); a cluster given by --url is whatever it is
        field(b, in, "server", quote(r.scenario() == Scenario.MANUAL ? "external"
                : dev.haven.testkit.ServerFlavor.configured().id()));
        field(b, in, "scenario", quote(r.scenario().id));
        field(b, in, "client", quote(r.client().id));
        field(b, in, "failover", quote(r.failover()));
        field(b, in, "promotedBy", quote(r.promotedBy()));
        field(b, in, "runs", Integer.toString(r.runs().size()));
        field(b, in, "writeRtoMillis", "{\"perRun\": " + list(r.runs(), RunResult::writeRtoMillis) + ", \"p50\": "
                + r.rtoP50() + ", \"max\": " + r.rtoMax() + "}");
        field(b, in, "longestWriteGapMillis", list(r.runs(), RunResult::longestWriteGapMillis));
        field(b, in, "failedWrites", list(r.runs(), RunResult::failedWrites));
        field(b, in, "failedReads", list(r.runs(), RunResult::failedReads));
        field(b, in, "staleReads", list(r.runs(), RunResult::staleReads));
        field(b, in, "ackedWrites", list(r.runs(), RunResult::ackedWrites));
        field(b, in, "lostAckedWrites", list(r.runs(), RunResult::lostAckedWrites));
        field(b, in, "maxWritableNodes", list(r.runs(), RunResult::maxWritableNodes));
        field(b, in, "promotions", list(r.runs(), RunResult::promotions));
        if (r.scenario() == Scenario.MANUAL) {
            field(b, in, "promotionsCounted", quote(MANUAL_PROMOTIONS));
        }
        field(b, in, "blockedAtEnd", list(r.runs(), RunResult::blockedAtEnd));
        field(b, in, "duplicateAppliedWrites", list(r.runs(), RunResult::duplicateAppliedWrites));
        field(b, in, "failedTransactions", list(r.runs(), RunResult::failedTransactions));
        field(b, in, "replayed", list(r.runs(), RunResult::replayed));
        field(b, in, "replayMismatches", list(r.runs(), RunResult::replayMismatches));
        field(b, in, "commitOutcomesResolved", list(r.runs(), RunResult::commitOutcomesResolved));
        if (r.scenario() == Scenario.RANDOM) {
            field(b, in, "seeds", list(r.runs(), x -> x.campaign().seed()));
            field(b, in, "mix", quote(r.runs().get(0).campaign().mix()));
            field(b, in, "serverFamily", quote(r.runs().get(0).campaign().serverFamily()));
            field(b, in, "schedules", list(r.runs(), x -> quote(x.campaign().schedule())));
            field(b, in, "invariantViolations", list(r.runs(), x -> map(x.campaign().violations())));
            field(b, in, "invariantViolationsTotal", map(totalViolations(r)));
            field(b, in, "runsViolated", Long.toString(r.runs().stream()
                    .filter(x -> !x.campaign().violations().isEmpty()).count()));
            field(b, in, "violations", list(r.runs(), x -> "[" + String.join(", ",
                    x.campaign().details().stream().map(Report::quote).toList()) + "]"));
        }
        StringBuilder errors = new StringBuilder("[");
        for (int i = 0; i < r.runs().size(); i++) {
            errors.append(i == 0 ? "" : ", ").append('{');
            int j = 0;
            for (Map.Entry<String, Long> e : r.runs().get(i).errors().entrySet()) {
                errors.append(j++ == 0 ? "" : ", ").append(quote(e.getKey())).append(": ").append(e.getValue());
            }
            errors.append('}');
        }
        b.append(in).append("\"errors\": ").append(errors).append("]\n");
        return b.append(indent).append('}').toString();
    }

    private static void field(StringBuilder b, String indent, String name, String value) {
        b.append(indent).append('"').append(name).append("\": ").append(value).append(",\n");
    }

    private static String list(List<RunResult> runs, Function<RunResult, Object> field) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < runs.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(field.apply(runs.get(i)));
        }
        return b.append(']').toString();
    }

    /** Violations per invariant over every run of {@code r}. */
    static Map<String, Integer> totalViolations(Result r) {
        Map<String, Integer> total = new java.util.TreeMap<>();
        for (RunResult run : r.runs()) {
            if (run.campaign() != null) {
                run.campaign().violations().forEach((k, v) -> total.merge(k, v, Integer::sum));
            }
        }
        return total;
    }

    private static String map(Map<String, Integer> counts) {
        StringBuilder b = new StringBuilder("{");
        int i = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            b.append(i++ == 0 ? "" : ", ").append(quote(e.getKey())).append(": ").append(e.getValue());
        }
        return b.append('}').toString();
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** What {@code promotions} counts in the {@code --url} mode. */
    static final String MANUAL_PROMOTIONS = "changes of the primary seen by Haven: ROLE_CHANGED events to PRIMARY"
            + " for a node other than the primary Haven knew, whoever promoted it";

    // ------------------------------------------------------------------------------------------ summary table

    static final List<String> COLUMNS = List.of("scenario", "client", "promoted by", "runs",
            "write RTO p50 / max (ms)", "longest write gap, max (ms)", "failed writes", "failed reads", "stale reads",
            "acked writes", "lost acked writes", "max writable nodes", "promotions per run", "failed transactions",
            "duplicate applied writes", "invariant violations");

    /** One markdown table, a row per scenario and client; counts are totals over the runs. */
    static String markdown(List<Result> results) {
        List<List<String>> rows = new ArrayList<>();
        for (Result r : results) {
            rows.add(row(r));
        }
        StringBuilder b = new StringBuilder();
        b.append("| ").append(String.join(" | ", COLUMNS)).append(" |\n|");
        for (int i = 0; i < COLUMNS.size(); i++) {
            b.append(i < 3 ? "---|" : "---:|");
        }
        b.append('\n');
        for (List<String> row : rows) {
            b.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return b.toString();
    }

    static List<String> row(Result r) {
        long gap = r.runs().stream().mapToLong(RunResult::longestWriteGapMillis).max().orElse(0);
        Long lost = r.lostAckedWrites();
        return List.of(r.scenario().id, r.label(), r.scenario().primaryLost ? r.promotedBy() : "-",
                Integer.toString(r.runs().size()), rto(r.rtoP50()) + " / " + rto(r.rtoMax()), Long.toString(gap),
                Long.toString(r.total(RunResult::failedWrites)), Long.toString(r.total(RunResult::failedReads)),
                Long.toString(r.total(RunResult::staleReads)), Long.toString(r.total(RunResult::ackedWrites)),
                lost == null ? "n/a (no primary)" : Long.toString(lost), r.maxWritableNodes() == null ? "n/a" : Integer.toString(r.maxWritableNodes()),
                String.join(",", r.runs().stream().map(x -> Integer.toString(x.promotions())).toList()),
                Long.toString(r.total(RunResult::failedTransactions)), duplicates(r),
                r.scenario() == Scenario.RANDOM ? violations(r) : "-");
    }

    private static String duplicates(Result r) {
        if (r.runs().stream().anyMatch(x -> x.duplicateAppliedWrites() == null)) {
            return "n/a";
        }
        return Long.toString(r.runs().stream().mapToLong(RunResult::duplicateAppliedWrites).sum());
    }

    private static String violations(Result r) {
        Map<String, Integer> total = totalViolations(r);
        long runsViolated = r.runs().stream().filter(x -> !x.campaign().violations().isEmpty()).count();
        return total.isEmpty() ? "0" : runsViolated + " of " + r.runs().size() + " runs: " + total;
    }

    private static String rto(Long millis) {
        return millis == null ? "never" : Long.toString(millis);
    }

    // ------------------------------------------------------------------------------------------ HTML

    static String html(List<Result> results, String command) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html><html><head><meta charset='utf-8'><title>Haven failover drill</title><style>")
                .append("body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}td{text-align:right}")
                .append("td:nth-child(-n+3){text-align:left}")
                .append("</style></head><body><h1>Haven failover drill</h1><p><code>").append(escape(command))
                .append("</code></p><table><tr>");
        for (String c : COLUMNS) {
            b.append("<th>").append(escape(c)).append("</th>");
        }
        b.append("</tr>");
        for (Result r : results) {
            b.append("<tr>");
            for (String cell : row(r)) {
                b.append("<td>").append(escape(cell)).append("</td>");
            }
            b.append("</tr>");
        }
        b.append("</table><p>Timelines: operations per 100 ms. Green: writes acknowledged; blue: reads; red:"
                + " failed writes; orange: failed reads; purple: stale reads. Dashed lines: the fault, the"
                + " orchestrator starting, promotions seen (a node turning writable), heals.</p>");
        if (results.stream().anyMatch(r -> r.scenario() == Scenario.MANUAL)) {
            b.append("<p>With --url (scenario manual, the fault injected by hand): red dashed lines mark when Haven"
                    + " saw the primary go DOWN, blue ones when Haven saw a new primary; promotions are ")
                    .append(escape(MANUAL_PROMOTIONS)).append(".</p>");
        }
        for (Result r : results) {
            b.append("<h2>").append(escape(r.scenario().id)).append(", ").append(escape(r.label())).append("</h2>");
            for (int i = 0; i < r.runs().size(); i++) {
                RunResult run = r.runs().get(i);
                b.append("<h3>run ").append(i + 1).append("</h3><p>write recovery ")
                        .append(rto(run.writeRtoMillis())).append(" ms; failed writes ").append(run.failedWrites())
                        .append("; failed reads ").append(run.failedReads()).append("; stale reads ")
                        .append(run.staleReads()).append("; acknowledged writes ").append(run.ackedWrites())
                        .append("; lost acknowledged writes ")
                        .append(run.lostAckedWrites() == null ? "n/a" : run.lostAckedWrites()).append("; at most ")
                        .append(run.maxWritableNodes() == null ? "n/a" : run.maxWritableNodes())
                        .append(" writable node(s); promotions ")
                        .append(run.promotions()).append(run.blockedAtEnd() > 0 ? "; " + run.blockedAtEnd()
                                + " operation(s) still blocked in the client at the end" : "").append("</p>")
                        .append(svg(run));
                if (run.campaign() != null) {
                    b.append("<details").append(run.campaign().violations().isEmpty() ? "" : " open")
                            .append("><summary>seed ").append(run.campaign().seed()).append(": ")
                            .append(run.campaign().violations().isEmpty() ? "every invariant holds"
                                    : escape("violated " + run.campaign().violations()))
                            .append("</summary><pre>").append(escape(run.campaign().report()))
                            .append("</pre></details>");
                }
                if (!run.errors().isEmpty()) {
                    b.append("<details><summary>what the application saw</summary><ul>");
                    run.errors().forEach((k, v) -> b.append("<li>").append(v).append(" &times; <code>")
                            .append(escape(k)).append("</code></li>"));
                    b.append("</ul></details>");
                }
            }
        }
        return b.append("</body></html>\n").toString();
    }

    private static String svg(RunResult run) {
        RunResult.Timeline t = run.timeline();
        int n = (int) Math.min(t.okWrites().length, run.endMillis() / DrillRun.BUCKET_MILLIS + 1);
        long max = 1;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, t.okWrites()[i] + t.okReads()[i] + t.failedWrites()[i] + t.failedReads()[i]
                    + t.staleReads()[i]);
        }
        int barWidth = 8;
        int height = 200;
        int width = n * barWidth + 360; // room for the last marks' labels
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns='http://www.w3.org/2000/svg' width='").append(width).append("' height='")
                .append(height + 30).append("' font-family='sans-serif' font-size='11'>");
        String[] colors = {"#4a9", "#59d", "#d44", "#e92", "#95c"};
        for (int i = 0; i < n; i++) {
            long[] values = {t.okWrites()[i], t.okReads()[i], t.failedWrites()[i], t.failedReads()[i],
                    t.staleReads()[i]};
            int y = height;
            int x = 40 + i * barWidth;
            for (int k = 0; k < values.length; k++) {
                int h = (int) (values[k] * height / max);
                if (values[k] > 0 && h == 0 && k >= 2) {
                    h = 2; // a few failures must not vanish next to thousands of successes
                }
                if (h > 0) {
                    y -= h;
                    svg.append("<rect x='").append(x).append("' y='").append(y).append("' width='")
                            .append(barWidth - 1).append("' height='").append(h).append("' fill='").append(colors[k])
                            .append("'/>");
                }
            }
        }
        for (int s = 0; s * 1000 <= run.endMillis(); s++) {
            int x = 40 + s * 10 * barWidth;
            svg.append("<text x='").append(x).append("' y='").append(height + 14).append("' fill='#666'>").append(s)
                    .append(" s</text>");
        }
        int row = 0;
        for (RunResult.Mark m : run.marks()) {
            String color = switch (m.kind()) {
                case "fault" -> "#333";
                case "promotion" -> "#36c";
                case "primary-down" -> "#c22";
                case "orchestrator" -> "#888";
                case "heal" -> "#393";
                default -> null;
            };
            if (color == null) {
                continue;
            }
            int x = 40 + (int) (m.millis() * barWidth / DrillRun.BUCKET_MILLIS);
            svg.append("<line x1='").append(x).append("' x2='").append(x).append("' y1='0' y2='").append(height)
                    .append("' stroke='").append(color).append("' stroke-dasharray='4 2'/>");
            svg.append("<text x='").append(x + 3).append("' y='").append(12 + 13 * (row++ % 4)).append("' fill='")
                    .append(color).append("'>").append(escape(m.label())).append("</text>");
        }
        return svg.append("</svg>").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }
}
