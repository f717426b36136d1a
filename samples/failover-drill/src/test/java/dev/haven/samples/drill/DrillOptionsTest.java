package dev.haven.samples.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.haven.testkit.campaign.FaultMix;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DrillOptionsTest {

    @Test
    void setPassesRepeatedHavenSettingsInOrder() {
        DrillOptions o = DrillOptions.parse(new String[] {"--set", "ha.replay=on", "--set",
                "ha.commitOutcome=marker", "--set", "ha.replay=off"});
        assertThat(o.settings()).containsExactly(Map.entry("ha.replay", "off"),
                Map.entry("ha.commitOutcome", "marker"));
    }

    @Test
    void setRefusesWhatIsNotAHavenSettingWithoutEchoingTheValue() {
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--set", "password=hunter2"}))
                .hasMessageContaining("ha.KEY=VALUE").hasMessageContaining("'password=...'")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--set", "ha.replay"}))
                .hasMessageContaining("ha.KEY=VALUE");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--set", "ha.replay=sometimes"}))
                .hasMessageContaining("--set: ha.replay").hasMessageContaining("'sometimes'");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--client", "mariadb-replication", "--set",
                "ha.replay=on"})).hasMessageContaining("--client haven");
    }

    @Test
    void randomTakesSeedMixScheduleAndDataSourcesAndPromotesUnlessObserveIsAsked() {
        DrillOptions o = DrillOptions.parse(new String[] {"--scenario", "random", "--seed", "42", "--mix", "ci",
                "--schedule", "short", "--data-sources", "2"});
        assertThat(o.promote()).isTrue();
        assertThat(o.random().seed()).isEqualTo(42);
        assertThat(o.random().mix()).isEqualTo(FaultMix.CI);
        assertThat(o.random().dataSources()).isEqualTo(2);
        assertThat(o.random().followers()).as("no observe-mode instance unless asked").isZero();
        assertThat(DrillOptions.parse(new String[] {"--scenario", "random", "--followers", "1"}).random().followers())
                .isEqualTo(1);
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--scenario", "random", "--failover", "observe",
                "--followers", "1"})).hasMessageContaining("--followers").hasMessageContaining("promote mode");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--scenario", "random", "--followers", "-1"}))
                .hasMessageContaining("--followers").hasMessageContaining("'-1'");
        DrillOptions observe = DrillOptions.parse(new String[] {"--scenario", "random", "--failover", "observe",
                "--promote-after", "1500"});
        assertThat(observe.promote()).as("observe mode, behind the test kit's orchestrator").isFalse();
        assertThat(observe.promoteAfterMillis()).isEqualTo(1500);
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--scenario", "kill-primary", "--seed", "1"}))
                .hasMessageContaining("--scenario random only");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--scenario", "random,kill-primary"}))
                .hasMessageContaining("runs alone");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--scenario", "random", "--mix", "meteor"}))
                .hasMessageContaining("'meteor'");
        assertThatThrownBy(() -> DrillOptions.parse(new String[] {"--scenario", "random", "--schedule", "long"}))
                .hasMessageContaining("default").hasMessageContaining("short");
    }
}
