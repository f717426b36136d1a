package dev.haven.samples.drill;

import dev.haven.core.HavenEvent;
import dev.haven.core.HavenEventListener;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts Haven's transaction-replay and commit-outcome events for the drill's {@code replayed},
 * {@code replayMismatches} and {@code commitOutcomesResolved}. They are matched by the event type's name
 * ({@code REPLAY*SUCCEEDED} / {@code REPLAYED}, {@code REPLAY*MISMATCH*}, {@code COMMIT_OUTCOME*}), so that the
 * drill needs no change when Haven gains them; a figure whose event type this Haven build does not have is
 * reported as null ("n/a"), never as a 0 it could not have measured.
 */
final class HavenEvents implements HavenEventListener {

    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong replayMismatches = new AtomicLong();
    private final AtomicLong commitOutcomesResolved = new AtomicLong();

    @Override
    public void onEvent(HavenEvent event) {
        String type = event.type().name();
        if (isReplayed(type)) {
            replayed.incrementAndGet();
        } else if (isMismatch(type)) {
            replayMismatches.incrementAndGet();
        } else if (isResolved(type)) {
            commitOutcomesResolved.incrementAndGet();
        }
    }

    Long replayed() {
        return has(HavenEvents::isReplayed) ? replayed.get() : null;
    }

    Long replayMismatches() {
        return has(HavenEvents::isMismatch) ? replayMismatches.get() : null;
    }

    Long commitOutcomesResolved() {
        return has(HavenEvents::isResolved) ? commitOutcomesResolved.get() : null;
    }

    private static boolean isReplayed(String type) {
        return type.equals("REPLAYED") || type.startsWith("REPLAY") && type.contains("SUCCEEDED");
    }

    private static boolean isMismatch(String type) {
        return type.startsWith("REPLAY") && type.contains("MISMATCH");
    }

    private static boolean isResolved(String type) {
        return type.toUpperCase(Locale.ROOT).startsWith("COMMIT_OUTCOME");
    }

    private static boolean has(java.util.function.Predicate<String> type) {
        return Arrays.stream(HavenEvent.Type.values()).map(Enum::name).anyMatch(type);
    }
}
