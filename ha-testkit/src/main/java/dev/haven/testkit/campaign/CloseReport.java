package dev.haven.testkit.campaign;

import java.util.List;

/**
 * What was left of the client after its {@code close()} returned.
 *
 * @param closeMillis       how long close() took
 * @param threadsAlive      the client's threads still alive when close() returned (names)
 * @param eventsAfterClose  events the client delivered to its listeners after close() returned (descriptions)
 */
public record CloseReport(long closeMillis, List<String> threadsAlive, List<String> eventsAfterClose) {
}
