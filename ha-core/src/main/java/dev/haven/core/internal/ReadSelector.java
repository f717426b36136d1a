package dev.haven.core.internal;

import dev.haven.core.HavenConfig.ReadStrategy;
import dev.haven.core.Node;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks one replica for a read from a non-empty array of eligible replicas, by one of the
 * {@link ReadStrategy strategies}.
 *
 * <p>Implementation notes: these run on every routed read. They read only the array and each
 * node's live {@code NodeStats}; no lock, no allocation, no shared mutable counter (a shared
 * {@code AtomicInteger} cursor costs ~10x more at two threads, from cache-line ping-pong).
 * Randomness comes from {@link ThreadLocalRandom}, round-robin position from a per-thread cursor.
 */
public abstract class ReadSelector {

    ReadSelector() {
    }

    /** The selector of a strategy; stateless apart from per-thread cursors, so shareable. */
    public static ReadSelector of(ReadStrategy strategy) {
        switch (strategy) {
            case ROUND_ROBIN: return RoundRobin.INSTANCE;
            case POWER_OF_TWO: return PowerOfTwoChoices.INSTANCE;
            case LEAST_OUTSTANDING: return LeastOutstanding.INSTANCE;
            case LATENCY_WEIGHTED: return LatencyWeighted.INSTANCE;
            default: throw new IllegalArgumentException("no selector for " + strategy);
        }
    }

    /**
     * Picks one of {@code candidates}.
     *
     * @param candidates eligible replicas, at least one; not modified
     */
    public abstract Node select(Node[] candidates);

    /** Each thread walks the array with its own cursor: even spread, no contention. */
    static final class RoundRobin extends ReadSelector {
        static final RoundRobin INSTANCE = new RoundRobin();

        // One int per thread, shared by all routers of the process: a cursor only needs to move. It starts at a
        // random place: with a thread per request (a servlet container), every thread would otherwise start at the
        // same replica and light traffic would all go there.
        private static final ThreadLocal<int[]> CURSOR =
                ThreadLocal.withInitial(() -> new int[] {ThreadLocalRandom.current().nextInt(1 << 16)});

        @Override
        public Node select(Node[] candidates) {
            int n = candidates.length;
            if (n == 1) {
                return candidates[0];
            }
            int[] cursor = CURSOR.get();
            int i = cursor[0] + 1;
            if (i >= n) {
                i -= n;
                if (i >= n) {
                    i %= n; // a fresh cursor, or fewer replicas than before: rarely
                }
            }
            cursor[0] = i;
            return candidates[i];
        }
    }

    /** Two distinct replicas at random; the one with fewer requests in flight wins. */
    static final class PowerOfTwoChoices extends ReadSelector {
        static final PowerOfTwoChoices INSTANCE = new PowerOfTwoChoices();

        @Override
        public Node select(Node[] candidates) {
            int n = candidates.length;
            if (n == 1) {
                return candidates[0];
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int a = random.nextInt(n);
            int b = random.nextInt(n - 1);
            if (b >= a) {
                b++;
            }
            Node first = candidates[a];
            Node second = candidates[b];
            return second.stats().outstanding() < first.stats().outstanding() ? second : first;
        }
    }

    /** The fewest requests in flight; the scan starts at a random index so ties spread. */
    static final class LeastOutstanding extends ReadSelector {
        static final LeastOutstanding INSTANCE = new LeastOutstanding();

        @Override
        public Node select(Node[] candidates) {
            int n = candidates.length;
            if (n == 1) {
                return candidates[0];
            }
            int start = ThreadLocalRandom.current().nextInt(n);
            Node best = candidates[start];
            int bestLoad = best.stats().outstanding();
            for (int k = 1; k < n; k++) {
                int i = start + k;
                if (i >= n) {
                    i -= n;
                }
                int load = candidates[i].stats().outstanding();
                if (load < bestLoad) {
                    best = candidates[i];
                    bestLoad = load;
                }
            }
            return best;
        }
    }

    /**
     * At random with probability proportional to 1 / latency average (live {@code NodeStats}
     * average, else the snapshot's probe average). A replica with no figure yet counts as the
     * mean of the others; when none has one, the pick is uniform.
     */
    static final class LatencyWeighted extends ReadSelector {
        static final LatencyWeighted INSTANCE = new LatencyWeighted();

        @Override
        public Node select(Node[] candidates) {
            int n = candidates.length;
            if (n == 1) {
                return candidates[0];
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long knownSum = 0;
            int known = 0;
            for (int i = 0; i < n; i++) {
                long latency = latency(candidates[i]);
                if (latency > 0) {
                    knownSum += latency;
                    known++;
                }
            }
            if (known == 0) {
                return candidates[random.nextInt(n)];
            }
            double unknownLatency = (double) knownSum / known;
            double total = 0;
            for (int i = 0; i < n; i++) {
                long latency = latency(candidates[i]);
                total += 1.0 / (latency > 0 ? latency : unknownLatency);
            }
            double x = random.nextDouble() * total;
            for (int i = 0; i < n - 1; i++) {
                long latency = latency(candidates[i]);
                x -= 1.0 / (latency > 0 ? latency : unknownLatency);
                if (x < 0) {
                    return candidates[i];
                }
            }
            return candidates[n - 1];
        }

        private static long latency(Node node) {
            long live = node.stats().latencyEwmaNanos();
            return live > 0 ? live : node.probeLatencyNanos();
        }
    }
}
