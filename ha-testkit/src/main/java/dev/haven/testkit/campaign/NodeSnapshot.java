package dev.haven.testkit.campaign;

import java.util.Map;

/**
 * What one node holds at the end, read straight from the server with plain vendor JDBC after the final heal.
 *
 * @param readOnly  the server's {@code @@read_only}
 * @param rowCounts for every row id in the table, how many rows carry it (a write applied twice shows as 2)
 * @param counters  the counter table: key to value
 */
public record NodeSnapshot(String node, boolean readOnly, Map<Long, Integer> rowCounts, Map<Integer, Long> counters) {
}
