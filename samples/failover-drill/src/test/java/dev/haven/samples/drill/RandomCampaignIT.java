package dev.haven.samples.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The randomized fault campaign in CI, through the drill's {@code --scenario random}: a few short seeded schedules
 * (about 30 s each with the cluster's start), every invariant of the checker asserted, the checker unchanged.
 *
 * <p>The full fault mix on every role, with the settings of the 200-schedule campaigns
 * (docs/fault-campaign.md): replay, commit markers, and a fencing agent ({@link LocalClusterFencer}, which kills the
 * replaced primary's process before the replica in its place is writable), and beside the promoting data source a
 * follower in observe mode, which learns of each promotion from its own probes, later ({@code --followers 1};
 * {@code -Dhaven.campaign.followers=0} runs without). Seed 5 by default: a primary frozen past its detection,
 * among faults on replicas. {@code -Dhaven.campaign.mix}
 * ({@code ci} for the replica faults only, or a list such as {@code kill:primary,freeze:primary}),
 * {@code -Dhaven.campaign.seed=N}, {@code -Dhaven.campaign.runs=K} pick other schedules;
 * {@code -Dhaven.campaign.fencer=false} runs without the agent, where a thawed primary may be writable for an
 * instant (failover-safety.md). A second test runs one schedule in observe mode, with the test kit's orchestrator.
 */
class RandomCampaignIT {

    @Test
    void seededSchedulesHoldEveryInvariant(@TempDir Path dir) throws Exception {
        List<String> args = new ArrayList<>(List.of("--mix", System.getProperty("haven.campaign.mix", "full")));
        if (Boolean.parseBoolean(System.getProperty("haven.campaign.fencer", "true"))) {
            args.addAll(List.of("--set", "ha.failover.fencer=" + LocalClusterFencer.class.getName()));
        }
        String followers = System.getProperty("haven.campaign.followers", "1");
        args.addAll(List.of("--followers", followers));
        List<RunResult> runs = run(dir, System.getProperty("haven.campaign.seed", "5"),
                System.getProperty("haven.campaign.runs", "1"), args);
        if (!followers.equals("0")) {
            assertThat(runs).as("the follower took part: its own events are on the timeline")
                    .anyMatch(r -> r.marks().stream().anyMatch(m -> m.label().startsWith("follower1 ")));
        }
    }

    /**
     * Observe mode, Haven's default: Haven promotes nothing and follows the test kit's orchestrator, which powers off
     * a primary silent for a second and promotes the replica that received the most, and makes a primary that came
     * back read-only writable again. Seed 6: the primary restarted, then killed for 2.7 s.
     */
    @Test
    void anExternalOrchestratorsPromotionsAreFollowedWithEveryInvariant(@TempDir Path dir) throws Exception {
        List<RunResult> runs = run(dir, "6", "1", List.of("--failover", "observe"));
        assertThat(runs.get(0).marks()).as("the orchestrator promoted a replica")
                .anyMatch(m -> m.kind().equals("promotion") && m.label().startsWith("orchestrator promoted"));
    }

    private static List<RunResult> run(Path dir, String seed, String runs, List<String> more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--scenario", "random", "--seed", seed, "--runs", runs,
                "--schedule", "short", "--set", "ha.replay=on", "--set", "ha.commitOutcome=marker"));
        args.addAll(more);
        Path json = dir.resolve("random.json");
        args.addAll(List.of("--json", json.toString()));
        DrillOptions options = DrillOptions.parse(args.toArray(new String[0]));
        List<Report.Result> results = FailoverDrill.run(options, System.out);
        Files.writeString(json, Report.json(results));
        System.out.print(Report.markdown(results));

        assertThat(results).hasSize(1);
        Report.Result result = results.get(0);
        assertThat(result.runs()).hasSize(Integer.parseInt(runs));
        long faults = 0;
        for (RunResult run : result.runs()) {
            RunResult.Campaign campaign = run.campaign();
            assertThat(campaign.violations()).as("seed %d broke invariants:%n%s", campaign.seed(), campaign.report())
                    .isEmpty();
            assertThat(run.ackedWrites()).as("seed %d: the workload ran", campaign.seed()).isGreaterThan(100);
            assertThat(run.lostAckedWrites()).isZero();
            assertThat(run.duplicateAppliedWrites()).isZero();
            faults += run.marks().stream().filter(m -> m.kind().equals("fault")).count();
        }
        assertThat(faults).as("faults were injected, not all skipped").isGreaterThanOrEqualTo(result.runs().size());
        assertThat(Files.readString(json)).contains("\"scenario\": \"random\"", "\"seeds\": [",
                "\"invariantViolationsTotal\": {}", "\"runsViolated\": 0", "\"duplicateAppliedWrites\": [0",
                "\"failedTransactions\": [", "\"replayed\": [", "\"schedules\": [");
        return result.runs();
    }
}
