package dev.haven.testkit.campaign;

import java.util.List;

/**
 * One pass over every node's {@code SELECT @@read_only} through its proxy (the application's network path), with
 * plain vendor JDBC: the nodes that answered writable, and those that did not answer.
 */
public record WritableSample(long atMillis, List<String> writable, List<String> unanswered) {
}
