package dev.haven.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SeededCasesTest {

    @AfterEach
    void clearSeed() {
        System.clearProperty(SeededCases.SEED_PROPERTY);
    }

    @Test
    void runsEveryCaseWithItsOwnRandom() {
        List<Long> draws = new ArrayList<>();
        SeededCases.check(50, random -> draws.add(random.nextLong()));
        assertThat(draws).hasSize(50).doesNotHaveDuplicates();
    }

    @Test
    void aFailingCaseNamesItsSeedAndTheSeedReplaysTheSameInput() {
        List<Integer> seen = new ArrayList<>();
        AssertionError failure = catchThrowableOfType(AssertionError.class, () -> SeededCases.check(1000, random -> {
            int drawn = random.nextInt(100);
            seen.add(drawn);
            assertThat(drawn).isLessThan(90);
        }));
        assertThat(failure).hasMessageContaining("-Dhaven.seed=").hasCauseInstanceOf(AssertionError.class);
        String seed = failure.getMessage().replaceAll("(?s).*-Dhaven\\.seed=(-?\\d+).*", "$1");
        int failingInput = seen.get(seen.size() - 1);

        System.setProperty(SeededCases.SEED_PROPERTY, seed);
        List<Integer> replayed = new ArrayList<>();
        assertThatThrownBy(() -> SeededCases.check(1000, random -> {
            int drawn = random.nextInt(100);
            replayed.add(drawn);
            assertThat(drawn).isLessThan(90);
        })).hasMessageContaining("replayed").hasMessageContaining(seed);
        assertThat(replayed).containsExactly(failingInput);
    }

    @Test
    void aBaseSeedReplaysAWholeRun() {
        System.setProperty(SeededCases.SEED_PROPERTY, "base:42");
        List<Long> first = new ArrayList<>();
        SeededCases.check(20, random -> first.add(random.nextLong()));
        List<Long> second = new ArrayList<>();
        SeededCases.check(20, random -> second.add(random.nextLong()));
        assertThat(second).isEqualTo(first);
    }

    @Test
    void aBadSeedIsAClearError() {
        System.setProperty(SeededCases.SEED_PROPERTY, "soon");
        assertThatThrownBy(() -> SeededCases.check(1, random -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("haven.seed").hasMessageContaining("'soon'");
    }

    @Test
    void edgeBiasedIntsStayInRangeAndHitBothBounds() {
        Random random = new Random(7);
        boolean min = false;
        boolean max = false;
        for (int i = 0; i < 1000; i++) {
            int v = SeededCases.edgeBiasedInt(random, 3, 9);
            assertThat(v).isBetween(3, 9);
            min |= v == 3;
            max |= v == 9;
        }
        assertThat(min && max).isTrue();
        assertThat(SeededCases.edgeBiasedInt(new Random(1), Integer.MIN_VALUE, Integer.MAX_VALUE)).isNotNull();
    }
}
