package dev.haven.samples.drill;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The failover drill: a mixed write/read workload on a real local cluster through Haven or a peer's own
 * replication-aware driver, one fault injected, and a report of what the application saw: recovery time of writes,
 * failed and stale operations, acknowledged writes lost, and how many nodes were writable at once.
 *
 * <p>Options: {@code --scenario} {@link Scenario} names (a comma list runs several), {@code --client} {@link Client}
 * names (a comma list or {@code all} compares them in one table), {@code --failover observe|promote} (Haven's mode;
 * in promote mode nothing else promotes for Haven), {@code --runs N}, {@code --json PATH}, {@code --html PATH},
 * {@code --promote-after MILLIS} (the stand-in orchestrator's delay for the peers and for Haven in observe mode),
 * {@code --heal-after MILLIS} (partition-app-only). Runs are interleaved (run 1 of every scenario and client, then
 * run 2, ...) so that a machine busy for a while does not weigh on one client only.
 */
public final class FailoverDrill {

    private FailoverDrill() {
    }

    public static void main(String[] args) throws Exception {
        DrillOptions options = DrillOptions.parse(args);
        PrintStream out = System.out;
        List<Report.Result> results = run(options, out);
        String command = "FailoverDrill " + String.join(" ", args);
        write(options.json(), Report.json(results));
        write(options.html(), Report.html(results, command));
        out.println();
        out.print(Report.markdown(results));
        out.println();
        out.println("JSON: " + options.json().toAbsolutePath());
        out.println("HTML: " + options.html().toAbsolutePath());
    }

    /**
     * Runs every scenario with every client {@code options.runs()} times, each run on a fresh cluster.
     */
    static List<Report.Result> run(DrillOptions options, PrintStream out) throws Exception {
        Map<String, List<RunResult>> runs = new LinkedHashMap<>();
        for (int r = 1; r <= options.runs(); r++) {
            for (Scenario scenario : options.scenarios()) {
                for (Client client : options.clients()) {
                    out.printf(Locale.ROOT, "== run %d/%d: %s, %s%s%n", r, options.runs(), scenario.id,
                            client.label(options), scenario.primaryLost ? ", promoted by " + client.promotedBy(options)
                                    : "");
                    RunResult run = new DrillRun(scenario, client, options, out).execute();
                    runs.computeIfAbsent(scenario.id + " " + client.id, k -> new ArrayList<>()).add(run);
                    out.printf(Locale.ROOT, "   writeRto=%s ms, failedWrites=%d, failedReads=%d, staleReads=%d,"
                                    + " ackedWrites=%d, lostAckedWrites=%s, maxWritableNodes=%d, promotions=%d, blockedAtEnd=%d%n",
                            run.writeRtoMillis() == null ? "never" : run.writeRtoMillis(), run.failedWrites(),
                            run.failedReads(), run.staleReads(), run.ackedWrites(),
                            run.lostAckedWrites() == null ? "n/a" : run.lostAckedWrites(), run.maxWritableNodes(),
                            run.promotions(), run.blockedAtEnd());
                    run.errors().entrySet().stream().limit(4).forEach(e ->
                            out.printf(Locale.ROOT, "   %6d x %s%n", e.getValue(), e.getKey()));
                }
            }
        }
        List<Report.Result> results = new ArrayList<>();
        for (Scenario scenario : options.scenarios()) {
            for (Client client : options.clients()) {
                results.add(new Report.Result(scenario, client, client.label(options),
                        client == Client.HAVEN ? (options.promote() ? "promote" : "observe") : "none",
                        client.promotedBy(options), runs.get(scenario.id + " " + client.id)));
            }
        }
        return results;
    }

    private static void write(Path path, String text) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(path, text, StandardCharsets.UTF_8);
    }
}
