package dev.haven.testkit.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    @Test
    void aSeedReproducesItsScheduleExactly() {
        for (long seed = 0; seed < 50; seed++) {
            assertThat(Schedule.generate(seed, FaultMix.FULL, Schedule.Settings.DEFAULT))
                    .isEqualTo(Schedule.generate(seed, FaultMix.FULL, Schedule.Settings.DEFAULT));
        }
        assertThat(Schedule.generate(1, FaultMix.FULL, Schedule.Settings.DEFAULT))
                .isNotEqualTo(Schedule.generate(2, FaultMix.FULL, Schedule.Settings.DEFAULT));
    }

    @Test
    void schedulesStayWithinTheirSettingsAndMix() {
        Set<FaultMix.Entry> seen = new HashSet<>();
        for (long seed = 0; seed < 300; seed++) {
            Schedule s = Schedule.generate(seed, FaultMix.CI, Schedule.Settings.SHORT);
            assertThat(s.steps().size()).isBetween(1, 3);
            for (FaultStep step : s.steps()) {
                assertThat(FaultMix.CI.entries()).contains(new FaultMix.Entry(step.kind(), step.role()));
                seen.add(new FaultMix.Entry(step.kind(), step.role()));
                assertThat(step.atMillis()).isBetween(2000L, 10_000L);
                assertThat(step.endMillis()).isLessThan(s.healAtMillis());
            }
            assertThat(s.endMillis()).isEqualTo(s.healAtMillis() + Schedule.Settings.SHORT.quietMillis());
        }
        assertThat(seen).as("every entry of the mix is drawn over 300 seeds").hasSameSizeAs(FaultMix.CI.entries());
    }

    @Test
    void mixesParseAndRefuseWhatIsNotAvailable() {
        assertThat(FaultMix.parse("full").entries()).hasSize(13);
        assertThat(FaultMix.parse("kill:primary,lag").entries()).containsExactly(
                new FaultMix.Entry(FaultKind.KILL, FaultKind.TargetRole.PRIMARY),
                new FaultMix.Entry(FaultKind.LAG, FaultKind.TargetRole.REPLICA));
        assertThatThrownBy(() -> FaultMix.parse("meteor")).hasMessageContaining("'meteor'")
                .hasMessageContaining("kill");
        assertThatThrownBy(() -> FaultMix.parse("lag:primary")).hasMessageContaining("applies to [replica]");
    }
}
