/*
 * Copyright 2025 the Haven authors.
 * Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
 */
package dev.haven.testkit;

import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Generated test cases from a seeded {@link Random}, in plain JUnit 5: a test draws its input from the random it is
 * given, and a failing case names the seed that replays it.
 *
 * <pre>{@code
 * @Test
 * void formatThenParseIsIdentity() {
 *     SeededCases.check(300, random -> {
 *         NodeAddress a = NodeAddress.of(SeededCases.string(random, "abz09.-_", 1, 20), 1 + random.nextInt(65535));
 *         assertThat(NodeAddress.parse(a.toString())).isEqualTo(a);
 *     });
 * }
 * }</pre>
 *
 * <p>Every run draws a fresh base seed, so repeated runs explore new cases; each case has its own seed, derived from
 * the base. A failure is rethrown as an {@link AssertionError} whose message gives the case's seed and how to replay
 * it:
 * {@code -Dhaven.seed=<seed>} runs that one case only (Surefire passes {@code -D} options on to the tests;
 * combine it with {@code -Dtest=Class#method}). {@code -Dhaven.seed=base:<seed>} replays a whole run.
 */
public final class SeededCases {

    /** The system property that replays one case ({@code <seed>}) or a whole run ({@code base:<seed>}). */
    public static final String SEED_PROPERTY = "haven.seed";

    private SeededCases() {
    }

    /** What a generated case checks, with the random it draws its input from. */
    @FunctionalInterface
    public interface Case {
        void check(Random random) throws Exception;
    }

    /**
     * Runs {@code cases} cases, each with its own seeded random; stops at the first that fails.
     *
     * @throws AssertionError naming the failing case's seed, with the case's failure as its cause
     */
    public static void check(int cases, Case check) {
        if (cases < 1) {
            throw new IllegalArgumentException("cases must be at least 1, was " + cases);
        }
        String replay = System.getProperty(SEED_PROPERTY);
        if (replay != null && !replay.isBlank() && !replay.startsWith("base:")) {
            long seed = parseSeed(replay.trim());
            run(check, seed, 0, 1, "replayed from -D" + SEED_PROPERTY);
            return;
        }
        long base = replay != null && replay.startsWith("base:")
                ? parseSeed(replay.substring("base:".length()).trim())
                : new SplittableRandom().nextLong();
        SplittableRandom seeds = new SplittableRandom(base);
        for (int i = 0; i < cases; i++) {
            run(check, seeds.nextLong(), i, cases, "base seed " + base);
        }
    }

    private static void run(Case check, long seed, int index, int cases, String origin) {
        try {
            check.check(new Random(seed));
        } catch (Exception | AssertionError e) {
            String message = "generated case " + (index + 1) + " of " + cases + " failed (seed " + seed + ", "
                    + origin + "); replay it with -D" + SEED_PROPERTY + "=" + seed + ": " + e;
            throw new AssertionError(message, e);
        }
    }

    private static long parseSeed(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + SEED_PROPERTY + " must be a seed (a long, e.g. -4071843208316124601)"
                    + " or base:<seed>, was '" + text + "'", e);
        }
    }

    // ------------------------------------------------------------------------------------------- small generators

    /**
     * A string of {@code min} to {@code max} code points from {@code alphabet}; lengths at both bounds come up more
     * often than chance, as edge cases do.
     */
    public static String string(Random random, String alphabet, int min, int max) {
        int[] codePoints = alphabet.codePoints().toArray();
        int length = edgeBiasedInt(random, min, max);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
        }
        return sb.toString();
    }

    /** An int from {@code min} to {@code max}, both included; each bound comes up about one time in ten. */
    public static int edgeBiasedInt(Random random, int min, int max) {
        int roll = random.nextInt(10);
        if (roll == 0) {
            return min;
        }
        if (roll == 1) {
            return max;
        }
        return min + (int) (random.nextDouble() * ((long) max - min + 1));
    }

    /** One of the given values. */
    @SafeVarargs
    public static <T> T oneOf(Random random, T... values) {
        return values[random.nextInt(values.length)];
    }

    /** One of the given values. */
    public static <T> T oneOf(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
