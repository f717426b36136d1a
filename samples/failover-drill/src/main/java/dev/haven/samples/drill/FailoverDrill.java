package dev.haven.samples.drill;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 *
 * <p>On a running cluster instead: {@code --url jdbc:ha:...} with {@code --user}, {@code --password-env VAR}
 * (the password in an environment variable, never on the command line), optionally {@code --admin-user} and
 * {@code --admin-password-env} (for sampling {@code maxWritableNodes}) and {@code --duration SECONDS}: the same
 * workload through {@code HaDataSource} with the URL as given, no fault injected (the operator injects it by hand
 * while the drill runs), see {@link ExternalEnvironment}.
 */
public final class FailoverDrill {

    private FailoverDrill() {
    }

    public static void main(String[] args) throws Exception {
        DrillOptions options = DrillOptions.parse(args);
        PrintStream out = System.out;
        List<Report.Result> results = run(options, out);
        String command = "FailoverDrill " + String.join(" ", Arrays.stream(args).map(FailoverDrill::mask).toList());
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
        return run(options, Passwords.fromEnvironment(options.external()), out);
    }

    /**
     * As {@link #run(DrillOptions, PrintStream)}, with the {@code --url} mode's passwords given rather than read
     * from the environment variables the options name.
     */
    static List<Report.Result> run(DrillOptions options, Passwords passwords, PrintStream out) throws Exception {
        if (options.external() != null) {
            return runExternal(options, passwords, out);
        }
        if (options.scenarios().contains(Scenario.RANDOM)) {
            return runRandom(options, out);
        }
        Map<String, List<RunResult>> runs = new LinkedHashMap<>();
        for (int r = 1; r <= options.runs(); r++) {
            for (Scenario scenario : options.scenarios()) {
                for (Client client : options.clients()) {
                    out.printf(Locale.ROOT, "== run %d/%d: %s, %s%s%n", r, options.runs(), scenario.id,
                            client.label(options), scenario.primaryLost ? ", promoted by " + client.promotedBy(options)
                                    : "");
                    RunResult run = new DrillRun(scenario, client, options, out).execute();
                    runs.computeIfAbsent(scenario.id + " " + client.id, k -> new ArrayList<>()).add(run);
                    summary(run, out);
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

    /** {@code --scenario random}: a seeded fault campaign schedule per run, checked by the test kit's checker. */
    private static List<Report.Result> runRandom(DrillOptions options, PrintStream out) throws Exception {
        List<RunResult> runs = new ArrayList<>();
        for (int r = 1; r <= options.runs(); r++) {
            out.printf(Locale.ROOT, "== run %d/%d: random, seed %d, mix %s, %s%n", r, options.runs(),
                    options.random().seed() + r - 1, options.random().mix().name(), Client.HAVEN.label(options));
            RunResult run = RandomScenario.run(options, r, out);
            runs.add(run);
            summary(run, out);
        }
        return List.of(new Report.Result(Scenario.RANDOM, Client.HAVEN, Client.HAVEN.label(options), "promote",
                Client.HAVEN.promotedBy(options), runs));
    }

    /** The {@code --url} mode: Haven on a running cluster, the fault injected by the operator. */
    private static List<Report.Result> runExternal(DrillOptions options, Passwords passwords, PrintStream out)
            throws Exception {
        DrillOptions.External external = options.external();
        String label = Client.HAVEN.id + " (" + external.failover() + ", --url)";
        List<RunResult> runs = new ArrayList<>();
        for (int r = 1; r <= options.runs(); r++) {
            out.printf(Locale.ROOT, "== run %d/%d: %s, %s, %d s: inject the fault by hand (kill the primary, say)"
                    + " while it runs%n", r, options.runs(), Scenario.MANUAL.id, label, external.durationSeconds());
            RunResult run = new DrillRun(new ExternalEnvironment(external, passwords, options.settings()), out).execute();
            runs.add(run);
            summary(run, out);
        }
        return List.of(new Report.Result(Scenario.MANUAL, Client.HAVEN, label, external.failover(),
                ExternalEnvironment.PROMOTED_BY, runs));
    }

    private static void summary(RunResult run, PrintStream out) {
        out.printf(Locale.ROOT, "   writeRto=%s ms, failedWrites=%d, failedReads=%d, staleReads=%d,"
                        + " ackedWrites=%d, lostAckedWrites=%s, maxWritableNodes=%s, promotions=%d, blockedAtEnd=%d,"
                        + " failedTransactions=%d, duplicateAppliedWrites=%s%s%n",
                run.writeRtoMillis() == null ? "never" : run.writeRtoMillis(), run.failedWrites(),
                run.failedReads(), run.staleReads(), run.ackedWrites(),
                run.lostAckedWrites() == null ? "n/a" : run.lostAckedWrites(),
                run.maxWritableNodes() == null ? "n/a" : run.maxWritableNodes(),
                run.promotions(), run.blockedAtEnd(), run.failedTransactions(),
                run.duplicateAppliedWrites() == null ? "n/a" : run.duplicateAppliedWrites(),
                run.campaign() == null ? "" : ", invariant violations " + run.campaign().violations());
        run.errors().entrySet().stream().limit(4).forEach(e ->
                out.printf(Locale.ROOT, "   %6d x %s%n", e.getValue(), e.getKey()));
    }

    /** {@code text} with the value of every URL parameter whose name holds password or secret as ****. */
    static String mask(String text) {
        return text.replaceAll("(?i)([?&;][^=&?;]*(?:password|secret)[^=&?;]*=)[^&;]*", "$1****");
    }

    private static void write(Path path, String text) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(path, text, StandardCharsets.UTF_8);
    }
}
