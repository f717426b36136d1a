package dev.haven.samples.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The randomized fault campaign in CI, through the drill's {@code --scenario random}: a few short seeded schedules
 * (about 30 s each with the cluster's start), every invariant of the checker asserted, the checker unchanged.
 *
 * <p>The fault mix is {@code ci} by default ({@code FaultMix.CI}: the faults on which today's code holds every
 * invariant); {@code -Dhaven.campaign.mix=full} (or a list such as {@code kill:primary,freeze:primary}) runs the
 * rest, which the other engineers' fixes are meant to make pass (docs/fault-campaign.md lists what each breaks
 * today). {@code -Dhaven.campaign.seed=N} and {@code -Dhaven.campaign.runs=K} pick other schedules.
 */
class RandomCampaignIT {

    @Test
    void seededSchedulesHoldEveryInvariant(@TempDir Path dir) throws Exception {
        String mix = System.getProperty("haven.campaign.mix", "ci");
        String seed = System.getProperty("haven.campaign.seed", "1");
        String runs = System.getProperty("haven.campaign.runs", "3");
        Path json = dir.resolve("random.json");
        DrillOptions options = DrillOptions.parse(new String[] {"--scenario", "random", "--seed", seed, "--runs",
                runs, "--mix", mix, "--schedule", "short", "--json", json.toString()});
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
    }
}
