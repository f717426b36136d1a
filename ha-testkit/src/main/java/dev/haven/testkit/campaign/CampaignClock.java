package dev.haven.testkit.campaign;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Ms since the workload began, and the timeline of what happened besides it. */
public final class CampaignClock {
    private final long start = System.nanoTime();
    private final List<TimelineEvent> events = Collections.synchronizedList(new ArrayList<>());

    public long millis() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Notes something on the timeline, now. */
    public void note(String kind, String text) {
        events.add(new TimelineEvent(millis(), kind, text));
    }

    public List<TimelineEvent> events() {
        synchronized (events) {
            List<TimelineEvent> copy = new ArrayList<>(events);
            copy.sort((a, b) -> Long.compare(a.atMillis(), b.atMillis()));
            return copy;
        }
    }

    void sleepUntil(long millis) {
        sleep(millis - millis());
    }

    static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
