package dev.haven.core.internal;

import dev.haven.testkit.SeededCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GtidSetTest {

    private static final String A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    private static final String B = "8f9b1c2d-0000-11ef-8000-0242ac120002";

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            // MariaDB: per domain, seq must be at least as high; server id does not matter
            "0-1-100|0-1-100|true",
            "0-1-100|0-1-99|true",
            "0-1-100|0-2-100|true",
            "0-1-100|0-1-101|false",
            "0-1-100,1-2-50|1-2-50|true",
            "1-2-50,0-1-100|0-1-100,1-2-49|true",
            "0-1-100,1-2-50|0-1-100,1-2-51|false",
            "0-1-100|0-1-5,1-1-1|false",
            "0-1-18446744073709551615|0-1-9223372036854775808|true",
            "0-1-9223372036854775808|0-1-18446744073709551615|false",
            // MySQL: every transaction of the other must be contained
            A + ":1-100|" + A + ":1-100|true",
            A + ":1-100|" + A + ":5-10|true",
            A + ":1-100|" + A + ":100|true",
            A + ":1-100|" + A + ":101|false",
            A + ":1-100|" + A + ":90-101|false",
            A + ":1-100|" + B + ":1|false",
            A + ":1-10:20-30|" + A + ":15|false",
            A + ":1-10:20-30|" + A + ":1-5:25|true",
            A + ":1-10:20-30|" + A + ":5-25|false",
            A + ":1-5:6-10|" + A + ":1-10|true",
            A + ":1-100," + B + ":1-5|" + B + ":3," + A + ":7|true",
            A + ":1-100," + B + ":1-5|" + B + ":6|false",
            // tagged GTIDs (MySQL 8.3+): the tag is part of the source
            A + ":etl:1-5|" + A + ":ETL:3|true",
            A + ":etl:1-5|" + A + ":3|false",
            A + ":1-9:etl:1-5|" + A + ":3," + A + ":etl:5|true",
            // formats never cover each other
            A + ":1-100|0-1-1|false",
            "0-1-100|" + A + ":1|false",
    })
    void covers(String have, String want, boolean expected) {
        assertThat(GtidSet.parse(have).covers(GtidSet.parse(want))).isEqualTo(expected);
    }

    @Test
    void emptyIsCoveredByEverythingAndCoversOnlyEmpty() {
        GtidSet maria = GtidSet.parse("0-1-1");
        GtidSet mysql = GtidSet.parse(A + ":1");
        assertThat(GtidSet.parse("")).isSameAs(GtidSet.EMPTY);
        assertThat(GtidSet.parse(null)).isSameAs(GtidSet.EMPTY);
        assertThat(GtidSet.parse("  \n")).isSameAs(GtidSet.EMPTY);
        assertThat(maria.covers(GtidSet.EMPTY)).isTrue();
        assertThat(mysql.covers(GtidSet.EMPTY)).isTrue();
        assertThat(GtidSet.EMPTY.covers(GtidSet.EMPTY)).isTrue();
        assertThat(GtidSet.EMPTY.covers(maria)).isFalse();
        assertThat(GtidSet.EMPTY.covers(mysql)).isFalse();
    }

    @Test
    void canonicalFormSortsMergesAndLowerCases() {
        assertThat(GtidSet.parse(" 1-2-50 , 0-1-100 ")).hasToString("0-1-100,1-2-50");
        assertThat(GtidSet.parse("0-1-5,0-2-9")).hasToString("0-2-9");
        String upper = B.toUpperCase() + ":7:1-3:4-5,\n" + A + ":10-20:1-9";
        assertThat(GtidSet.parse(upper)).hasToString(A + ":1-20," + B + ":1-5:7");
        assertThat(GtidSet.parse(upper)).isEqualTo(GtidSet.parse(A + ":1-20," + B + ":1-5:7"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0-1", "0-1-2-3", "a-b-c", "0--1", "abc", A, A + ":", A + ":0", A + ":5-3", "not-a-uuid:1",
            A + ":x-1", A + ":1-", "0-1-99999999999999999999"})
    void rejectsMalformed(String text) {
        assertThatThrownBy(() -> GtidSet.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(text.trim());
    }

    /** Generated: a MySQL set covers itself and every subset of its intervals, and nothing past its highest end. */
    @Test
    void mysqlSetCoversEverySubsetOfItsIntervals() {
        SeededCases.check(200, random -> {
            List<Integer> starts = new ArrayList<>();
            for (int n = SeededCases.edgeBiasedInt(random, 1, 8); starts.size() < n; ) {
                starts.add(SeededCases.edgeBiasedInt(random, 1, 1000));
            }
            mysqlSetCoversEverySubsetOfItsIntervals(starts, SeededCases.edgeBiasedInt(random, 0, 255));
        });
    }

    private static void mysqlSetCoversEverySubsetOfItsIntervals(List<Integer> starts, int subsetMask) {
        StringBuilder all = new StringBuilder(A);
        StringBuilder subset = new StringBuilder(A);
        int chosen = 0;
        for (int i = 0; i < starts.size(); i++) {
            int s = starts.get(i);
            String iv = ":" + s + "-" + (s + i * 3);
            all.append(iv);
            if ((subsetMask & (1 << i)) != 0) {
                subset.append(iv);
                chosen++;
            }
        }
        GtidSet whole = GtidSet.parse(all.toString());
        assertThat(whole.covers(whole)).as("%s", whole).isTrue();
        if (chosen > 0) {
            GtidSet part = GtidSet.parse(subset.toString());
            assertThat(whole.covers(part)).isTrue();
            assertThat(part.covers(whole)).isEqualTo(part.equals(whole));
        }
        // a transaction past the highest end is never covered
        int max = 0;
        for (int i = 0; i < starts.size(); i++) {
            max = Math.max(max, starts.get(i) + i * 3);
        }
        assertThat(whole.covers(GtidSet.parse(A + ":" + (max + 1)))).isFalse();
    }

    /** Generated: a MariaDB position covers another exactly when it is at least as far in every domain. */
    @Test
    void mariaDbCoversIffEveryDomainIsAtLeastAsFar() {
        SeededCases.check(200, random -> {
            int seqA0 = SeededCases.edgeBiasedInt(random, 0, 50);
            int seqA1 = SeededCases.edgeBiasedInt(random, 0, 50);
            int seqB0 = SeededCases.edgeBiasedInt(random, 0, 50);
            int seqB1 = SeededCases.edgeBiasedInt(random, 0, 50);
            GtidSet a = GtidSet.parse("0-1-" + seqA0 + ",1-1-" + seqA1);
            GtidSet b = GtidSet.parse("0-2-" + seqB0 + ",1-3-" + seqB1);
            assertThat(a.covers(b)).as("%s covers %s", a, b).isEqualTo(seqA0 >= seqB0 && seqA1 >= seqB1);
        });
    }

    /** Generated: a MySQL set written out by toString() parses back to an equal set, in either letter case. */
    @Test
    void mysqlSetRoundTripsThroughItsText() {
        SeededCases.check(200, random -> {
            StringBuilder text = new StringBuilder();
            for (String uuid : random.nextBoolean() ? List.of(A) : List.of(A, B)) {
                text.append(text.length() == 0 ? "" : ",").append(random.nextBoolean() ? uuid : uuid.toUpperCase());
                long next = 1;
                for (int i = SeededCases.edgeBiasedInt(random, 1, 5); i > 0; i--) {
                    long start = next + random.nextInt(20);
                    long end = start + (random.nextBoolean() ? 0 : random.nextInt(50));
                    text.append(':').append(start);
                    if (end > start || random.nextBoolean()) {
                        text.append('-').append(end);
                    }
                    next = end + 2;
                }
            }
            GtidSet parsed = GtidSet.parse(text.toString());
            assertThat(GtidSet.parse(parsed.toString())).as("%s -> %s", text, parsed).isEqualTo(parsed);
            assertThat(parsed.covers(GtidSet.parse(text.toString().toLowerCase()))).isTrue();
        });
    }

    /** Generated: a MariaDB position list written out by toString() parses back to an equal position. */
    @Test
    void mariaDbPositionRoundTripsThroughItsText() {
        SeededCases.check(200, random -> {
            StringBuilder text = new StringBuilder();
            int domains = SeededCases.edgeBiasedInt(random, 1, 4);
            for (int domain = 0; domain < domains; domain++) {
                text.append(domain == 0 ? "" : ",").append(domain * (1 + random.nextInt(1000))).append('-')
                        .append(SeededCases.edgeBiasedInt(random, 0, Integer.MAX_VALUE)).append('-')
                        .append(random.nextInt(4) == 0 ? Long.MAX_VALUE / (1 + random.nextInt(1000)) : random.nextInt(100_000));
            }
            GtidSet parsed = GtidSet.parse(text.toString());
            assertThat(GtidSet.parse(parsed.toString())).as("%s -> %s", text, parsed).isEqualTo(parsed);
        });
    }

    /** Generated: a valid position with one part broken (a letter, an empty or negative number, a missing part) is refused. */
    @Test
    void rejectsGeneratedMalformedPositions() {
        SeededCases.check(300, random -> {
            String valid = random.nextBoolean()
                    ? random.nextInt(10) + "-" + (1 + random.nextInt(100)) + "-" + random.nextInt(1000)
                    : A + ":" + (1 + random.nextInt(100)) + "-" + (200 + random.nextInt(100));
            String[] parts = valid.split("(?<=[-:])|(?=[-:])");
            List<Integer> numbers = new ArrayList<>();
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].chars().allMatch(Character::isDigit) && !parts[i].isEmpty()) {
                    numbers.add(i);
                }
            }
            int at = SeededCases.oneOf(random, numbers);
            parts[at] = SeededCases.oneOf(random, "", "x", "-1", parts[at] + "z", "99999999999999999999");
            String text = String.join("", parts);
            assertThatThrownBy(() -> GtidSet.parse(text)).as("'%s'", text).isInstanceOf(IllegalArgumentException.class);
        });
    }

    @ParameterizedTest(name = "{0} misses {2} of {1}")
    @CsvSource(delimiter = '|', value = {
            "0-1-100|0-1-100|0",
            "0-1-100|0-2-103|3",
            "0-1-100|0-1-90|0",
            "0-1-100|0-1-100,1-1-7|7",
            "''|0-1-5|5",
            "0-1-5|''|0",
            A + ":1-100|" + A + ":1-100|0",
            A + ":1-90|" + A + ":1-100|10",
            A + ":1-50:60-100|" + A + ":1-100|9",
            A + ":1-100|" + A + ":1-100," + B + ":1-3|3",
            A + ":1-100|0-1-5|" + Long.MAX_VALUE,
    })
    void missingCountsTheOthersTransactionsThisLacks(String self, String other, long expected) {
        assertThat(GtidSet.parse(self).missing(GtidSet.parse(other))).isEqualTo(expected);
    }

    @Test
    void unionKeepsTheMostAdvancedPerDomainOrSource() {
        assertThat(GtidSet.parse("0-1-100,1-3-4").union(GtidSet.parse("0-2-103")).toString()).isEqualTo("0-2-103,1-3-4");
        assertThat(GtidSet.parse(A + ":1-5").union(GtidSet.parse(A + ":6-9," + B + ":1")).toString())
                .isEqualTo(A + ":1-9," + B + ":1");
        assertThat(GtidSet.EMPTY.union(GtidSet.parse("0-1-1")).toString()).isEqualTo("0-1-1");
        assertThatThrownBy(() -> GtidSet.parse("0-1-1").union(GtidSet.parse(A + ":1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different formats");
    }
}
