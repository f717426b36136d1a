package dev.haven.samples.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drill's {@code --url} mode on a cluster it did not start: the test starts a local cluster, runs the drill on
 * its {@code jdbc:ha:} URL, and plays the operator who kills the primary while the drill runs. Asserts what the drill
 * measured, never how long anything took.
 */
class FailoverDrillUrlIT {

    @Test
    void primaryKilledByHandIsReplacedAndNoAcknowledgedWriteIsLost(@TempDir Path dir) throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            String url = "jdbc:ha:mariadb://" + cluster.hostList() + "/" + cluster.database()
                    + "?socketTimeout=2000&ha.failover=promote&ha.admin.user=" + cluster.adminUser()
                    + "&ha.admin.password=" + URLEncoder.encode(cluster.adminPassword(), StandardCharsets.UTF_8);
            DrillOptions options = DrillOptions.parse(new String[] {"--url", url, "--user", cluster.appUser(),
                    "--password-env", "DRILL_IT_APP_PASSWORD", "--admin-user", cluster.adminUser(),
                    "--admin-password-env", "DRILL_IT_ADMIN_PASSWORD", "--duration", "10",
                    "--json", dir.resolve("drill.json").toString(), "--html", dir.resolve("drill.html").toString()});
            // the variables are not set: the passwords are handed over directly, as only a test does
            Passwords passwords = new Passwords(cluster.appPassword(), cluster.adminPassword());

            LocalNode primary = cluster.primary();
            CountDownLatch twoProgressLines = new CountDownLatch(1);
            Watch watch = new Watch(System.out, 2, twoProgressLines);
            AtomicReference<Object> operator = new AtomicReference<>("did not kill");
            Thread killer = new Thread(() -> {
                try {
                    if (twoProgressLines.await(120, TimeUnit.SECONDS)) { // two seconds of workload
                        cluster.kill(primary);
                        operator.set("killed");
                    }
                } catch (Exception e) {
                    operator.set(e);
                }
            }, "operator");
            killer.setDaemon(true);
            killer.start();

            List<Report.Result> results = FailoverDrill.run(options, passwords,
                    new PrintStream(watch, true, StandardCharsets.UTF_8));
            killer.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(operator.get()).as("the operator killed the primary while the drill ran").isEqualTo("killed");

            assertThat(results).hasSize(1);
            Report.Result result = results.get(0);
            assertThat(result.scenario()).isEqualTo(Scenario.MANUAL);
            assertThat(result.label()).isEqualTo("haven (promote, --url)");
            RunResult run = result.runs().get(0);
            assertThat(run.ackedWrites()).as("acknowledged writes").isPositive();
            assertThat(run.lostAckedWrites()).as("this run's acknowledged ids, all on the final primary")
                    .isEqualTo(0L);
            assertThat(run.promotions()).as("one change of the primary seen by Haven").isEqualTo(1);
            assertThat(run.writeRtoMillis()).as("writes came back").isNotNull();
            assertThat(run.maxWritableNodes()).as("sampled with the admin credentials").isEqualTo(1);
            assertThat(run.marks()).extracting(RunResult.Mark::kind).contains("primary-down", "promotion");

            String console = watch.text();
            assertThat(console).contains("ms  writes", "Haven: primary", "DOWN", "Haven: new primary",
                    "this run's rows: drill.run_id = '");
            assertThat(console).as("no password on the console").doesNotContain(cluster.adminPassword())
                    .doesNotContain(cluster.appPassword());
            String json = Report.json(results);
            assertThat(json).contains("\"scenario\": \"manual\"", "\"lostAckedWrites\": [0]", "\"promotions\": [1]",
                    "\"promotionsCounted\"");
            String html = Report.html(results, "FailoverDrill " + FailoverDrill.mask(url));
            assertThat(html).contains("<svg", "DOWN", "new primary").doesNotContain(cluster.adminPassword());
            Files.writeString(dir.resolve("drill.html"), html);

            // a second run on the same cluster and table: only its own rows are checked
            DrillOptions again = DrillOptions.parse(new String[] {"--url", url, "--user", cluster.appUser(),
                    "--password-env", "DRILL_IT_APP_PASSWORD", "--duration", "2"});
            RunResult second = FailoverDrill.run(again, new Passwords(cluster.appPassword(), null), System.out)
                    .get(0).runs().get(0);
            assertThat(second.ackedWrites()).isPositive();
            assertThat(second.lostAckedWrites()).isEqualTo(0L);
            assertThat(second.promotions()).isZero();
            assertThat(second.maxWritableNodes()).as("sampled with the application's credentials").isEqualTo(1);
        }
    }

    @Test
    void badCombinationsWithUrlAreRefusedNamingWhatIsAllowed() {
        String url = "jdbc:ha:mariadb://db1,db2/app?ha.admin.user=a&ha.admin.password=s3cret";
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--url", url, "--user", "app",
                "--client", "connectorj-replication"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--client").hasMessageContaining("'connectorj-replication'")
                .hasMessageContaining("allowed: haven").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--url", url, "--user", "app",
                "--scenario", "kill-primary"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--scenario is not available with --url").hasMessageContaining("by hand");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--url", url}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--url needs --user");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--url", url, "--user", "app",
                "--failover", "promote"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ha.failover");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--url", url, "--user", "app", "--password",
                "hunter2"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--password-env")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--url", "jdbc:mysql://db1/app?password=s3cret",
                "--user", "app"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:ha:mysql://")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--url", "jdbc:ha:mariadb://db1,db2",
                "--user", "app"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name the database");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--duration", "5"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--duration is for a running"
                        + " cluster given by --url only");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--url", url, "--user", "app",
                "--admin-user", "admin"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--admin-password-env");
        assertThatThrownBy(() -> Passwords.fromEnvironment(DrillOptions.parse(new String[] {"--url", url,
                "--user", "app", "--password-env", "HAVEN_DRILL_SURELY_UNSET_VARIABLE"}).external()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'HAVEN_DRILL_SURELY_UNSET_VARIABLE' is not set");
        assertThat(FailoverDrill.mask(url)).endsWith("ha.admin.password=****").doesNotContain("s3cret");
        DrillOptions ok = DrillOptions.parse(new String[] {"--url", url, "--user", "app", "--password-env", "PW"});
        assertThat(ok.external().durationSeconds()).as("default duration").isEqualTo(60);
        assertThat(ok.external().failover()).isEqualTo("observe");
        assertThat(ok.toString()).doesNotContain("s3cret");
    }

    /** Echoes the drill's console and counts its per-second progress lines. */
    private static final class Watch extends OutputStream {
        private final PrintStream echo;
        private final int wanted;
        private final CountDownLatch reached;
        private final StringBuilder all = new StringBuilder();
        private final StringBuilder line = new StringBuilder();
        private int progressLines;

        Watch(PrintStream echo, int wanted, CountDownLatch reached) {
            this.echo = echo;
            this.wanted = wanted;
            this.reached = reached;
        }

        @Override
        public synchronized void write(int b) {
            echo.write(b);
            all.append((char) b);
            if (b == '\n') {
                if (line.toString().contains(" ms  writes ") && ++progressLines >= wanted) {
                    reached.countDown();
                }
                line.setLength(0);
            } else {
                line.append((char) b);
            }
        }

        synchronized String text() {
            return all.toString();
        }
    }
}
