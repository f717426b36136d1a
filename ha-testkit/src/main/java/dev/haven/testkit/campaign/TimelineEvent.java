package dev.haven.testkit.campaign;

import java.util.Locale;

/**
 * Something that happened besides the workload, ms after the workload started: a fault begun or undone, the final
 * heal, a promotion seen at the servers, or what the client reported (its events, for the timeline only: the
 * checker never reads them).
 */
public record TimelineEvent(long atMillis, String kind, String text) {
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%6d ms  %-8s %s", atMillis, kind, text);
    }
}
