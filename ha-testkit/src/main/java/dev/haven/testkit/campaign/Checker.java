package dev.haven.testkit.campaign;

import dev.haven.testkit.campaign.Violation.Invariant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks one run's history against the invariants of {@link Invariant}. It knows nothing of the client library: it
 * reads only the operations as the application saw them, the samples taken through the nodes' proxies, and what
 * each server holds at the end, all through plain vendor JDBC.
 *
 * <p>A failed or blocked write may or may not have been applied (its outcome is unknown to the application), so
 * the checks that involve it are bounds: at most once, never partly; an acknowledged one exactly once.
 */
public final class Checker {

    /** SQLStates the application may see from any operation: outcome unknown, no primary, retry the transaction. */
    private static final Set<String> DOCUMENTED = Set.of("08007", "08001", "40001");
    /** SQLState a read may fail with: no node could serve it. */
    private static final String READ_FAILED = "08006";
    /**
     * Server error codes with a business-like SQLState (HY000) that are really about the server's state or the
     * connection, so the application should never see them raw: read-only refusals (1290, 1836, 1792), too many
     * connections (1040), shutdown in progress (1053), connection killed (1927), query interrupted (1317), and the
     * client library's lost-connection codes (2006, 2013).
     */
    private static final Set<Integer> SERVER_STATE_CODES = Set.of(1290, 1836, 1792, 1040, 1053, 1927, 1317, 2006,
            2013);

    private Checker() {
    }

    /** Everything the checker reads. {@code close} is null when the client was not closed by the run. */
    public record Input(List<Operation> operations, List<WritableSample> samples, List<NodeSnapshot> nodes,
                        CloseReport close, Bounds bounds, long endMillis) {
    }

    /** Figures the drill reports beside the violations. */
    public record Figures(long ackedWrites, long lostAckedWrites, long duplicateAppliedWrites, long failedWrites,
                          long failedTransactions, long failedReads, long staleReads, int maxWritableNodes,
                          String finalPrimary) {
    }

    public record Result(List<Violation> violations, Figures figures) {
        public boolean passed() {
            return violations.isEmpty();
        }
    }

    public static Result check(Input in) {
        List<Violation> v = new ArrayList<>();
        Map<Long, List<Operation>> writersOf = new HashMap<>();
        Map<Long, Operation> ackedWriteOf = new HashMap<>();
        for (Operation op : in.operations()) {
            if (op.kind().writes()) {
                for (Long id : op.ids()) {
                    writersOf.computeIfAbsent(id, k -> new ArrayList<>()).add(op);
                    if (op.ok()) {
                        ackedWriteOf.put(id, op);
                    }
                }
            }
        }

        // --- the end state: one writable node, nothing twice, nothing never tried
        NodeSnapshot primary = null;
        List<String> writableAtEnd = new ArrayList<>();
        for (NodeSnapshot n : in.nodes()) {
            if (!n.readOnly()) {
                writableAtEnd.add(n.node());
                primary = n;
            }
        }
        if (writableAtEnd.size() != 1) {
            v.add(new Violation(Invariant.NO_SINGLE_FINAL_PRIMARY, -1, writableAtEnd.size()
                    + " nodes are writable at the end " + writableAtEnd + "; acknowledged writes cannot be checked"
                    + " on one final primary"));
            primary = null;
        }
        long duplicates = 0;
        for (NodeSnapshot n : in.nodes()) {
            for (Map.Entry<Long, Integer> row : n.rowCounts().entrySet()) {
                if (row.getValue() > 1) {
                    duplicates += row.getValue() - 1;
                    v.add(new Violation(Invariant.WRITE_APPLIED_TWICE, endOf(writersOf.get(row.getKey())),
                            "id " + row.getKey() + " is " + row.getValue() + " times on " + n.node() + "; written by "
                                    + writersOf.get(row.getKey())));
                }
                if (!writersOf.containsKey(row.getKey())) {
                    v.add(new Violation(Invariant.PHANTOM_ROW, -1, "id " + row.getKey() + " is on " + n.node()
                            + " but no operation ever wrote it"));
                }
            }
        }

        // --- acknowledged writes on the final primary; transactions all or nothing
        long lost = 0;
        if (primary != null) {
            Map<Long, Integer> rows = primary.rowCounts();
            for (Map.Entry<Long, Operation> acked : ackedWriteOf.entrySet()) {
                if (rows.getOrDefault(acked.getKey(), 0) == 0) {
                    lost++;
                    List<String> elsewhere = new ArrayList<>();
                    for (NodeSnapshot n : in.nodes()) {
                        if (n.rowCounts().getOrDefault(acked.getKey(), 0) > 0) {
                            elsewhere.add(n.node());
                        }
                    }
                    v.add(new Violation(Invariant.ACKED_WRITE_LOST, acked.getValue().endMillis(), "id "
                            + acked.getKey() + " acknowledged by " + acked.getValue() + " is not on the final primary "
                            + primary.node() + (elsewhere.isEmpty() ? "; on no node read at the end"
                            : "; it is on " + String.join(", ", elsewhere))));
                }
            }
            for (Operation op : in.operations()) {
                if (op.kind() == Operation.Kind.TRANSACTION && op.ids().size() == 2) {
                    boolean first = rows.getOrDefault(op.ids().get(0), 0) > 0;
                    boolean second = rows.getOrDefault(op.ids().get(1), 0) > 0;
                    if (first != second) {
                        v.add(new Violation(Invariant.PARTIAL_TRANSACTION, op.startMillis(), "only id "
                                + op.ids().get(first ? 0 : 1) + " of " + op + " is on the final primary "
                                + primary.node()));
                    }
                }
            }
        }

        // --- the counter: acknowledged increments exactly once
        Map<Integer, Long> ackedIncrements = new HashMap<>();
        Map<Integer, Long> unknownIncrements = new HashMap<>();
        Map<Integer, Map<Long, Operation>> valuesRead = new HashMap<>();
        for (Operation op : in.operations()) {
            if (op.kind() == Operation.Kind.TRANSACTION && op.ok() && op.value() != op.ids().size()) {
                v.add(new Violation(Invariant.TRANSACTION_ANOMALY, op.startMillis(), "the transaction saw "
                        + op.value() + " of its own " + op.ids().size() + " rows: " + op));
            }
            if (op.kind() != Operation.Kind.COUNTER) {
                continue;
            }
            if (op.ok()) {
                ackedIncrements.merge(op.key(), 1L, Long::sum);
                Operation before = valuesRead.computeIfAbsent(op.key(), k -> new HashMap<>()).put(op.value(), op);
                if (before != null) {
                    v.add(new Violation(Invariant.TRANSACTION_ANOMALY, op.startMillis(), "two acknowledged increments"
                            + " of counter " + op.key() + " both read " + op.value() + " (one was lost or made on"
                            + " another primary): " + before + " and " + op));
                }
            } else {
                unknownIncrements.merge(op.key(), 1L, Long::sum);
            }
        }
        if (primary != null) {
            Set<Integer> keys = new HashSet<>(ackedIncrements.keySet());
            keys.addAll(unknownIncrements.keySet());
            for (Integer key : keys) {
                long acked = ackedIncrements.getOrDefault(key, 0L);
                long unknown = unknownIncrements.getOrDefault(key, 0L);
                long value = primary.counters().getOrDefault(key, 0L);
                if (value < acked) {
                    lost += acked - value;
                    v.add(new Violation(Invariant.ACKED_WRITE_LOST, -1, "counter " + key + " is " + value + " on the"
                            + " final primary " + primary.node() + " but " + acked + " increments were acknowledged"));
                } else if (value > acked + unknown) {
                    duplicates += value - acked - unknown;
                    v.add(new Violation(Invariant.WRITE_APPLIED_TWICE, -1, "counter " + key + " is " + value + " on"
                            + " the final primary " + primary.node() + " but only " + acked + " increments were"
                            + " acknowledged and " + unknown + " failed with an unknown outcome: "
                            + (value - acked - unknown) + " applied twice"));
                }
            }
        }

        // --- one writable node on the application's path at any time; episodes, not samples
        int maxWritable = 0;
        WritableSample episode = null;
        for (WritableSample s : in.samples()) {
            maxWritable = Math.max(maxWritable, s.writable().size());
            if (s.writable().size() > 1) {
                if (episode == null) {
                    episode = s;
                }
            } else if (episode != null) {
                v.add(twoWritable(episode, s.atMillis()));
                episode = null;
            }
        }
        if (episode != null) {
            v.add(twoWritable(episode, in.endMillis()));
        }

        // --- reads, errors, durations
        long staleReads = 0;
        long failedWrites = 0;
        long failedTransactions = 0;
        long failedReads = 0;
        for (Operation op : in.operations()) {
            if (op.kind() == Operation.Kind.READ && op.ok() && op.value() == 0 && op.lookedFor() >= 0) {
                Operation write = ackedWriteOf.get(op.lookedFor());
                if (write != null && op.startMillis() - write.endMillis() > in.bounds().maxStalenessMillis()) {
                    staleReads++;
                    v.add(new Violation(Invariant.STALE_READ, op.startMillis(), "the read did not find id "
                            + op.lookedFor() + ", acknowledged " + (op.startMillis() - write.endMillis())
                            + " ms before it began (allowed: " + in.bounds().maxStalenessMillis() + " ms): " + op));
                }
            }
            if (op.kind() == Operation.Kind.READ_YOUR_WRITE && op.ok() && op.value() == 0
                    && in.bounds().readYourWrites()) {
                v.add(new Violation(Invariant.READ_YOUR_WRITES, op.startMillis(), "the look-up after the write did"
                        + " not find it: " + op));
            }
            if (op.outcome() == Operation.Outcome.FAILED) {
                switch (op.kind()) {
                    case READ -> failedReads++;
                    case TRANSACTION, COUNTER -> failedTransactions++;
                    default -> failedWrites++;
                }
                String why = undocumented(op);
                if (why != null) {
                    v.add(new Violation(Invariant.UNDOCUMENTED_ERROR, op.endMillis(), why + ": " + op));
                }
            }
            if (op.outcome() == Operation.Outcome.BLOCKED) {
                v.add(new Violation(Invariant.OPERATION_TOO_LONG, op.startMillis(), "never returned (still blocked "
                        + (in.endMillis() - op.startMillis()) + " ms after it began, at the end; allowed: "
                        + in.bounds().maxOperationMillis() + " ms): " + op));
            } else if (op.durationMillis(in.endMillis()) > in.bounds().maxOperationMillis()) {
                v.add(new Violation(Invariant.OPERATION_TOO_LONG, op.startMillis(), "took "
                        + op.durationMillis(in.endMillis()) + " ms (allowed: " + in.bounds().maxOperationMillis()
                        + " ms): " + op));
            }
        }

        // --- after close
        if (in.close() != null) {
            if (!in.close().threadsAlive().isEmpty()) {
                v.add(new Violation(Invariant.THREAD_AFTER_CLOSE, in.endMillis(), in.close().threadsAlive().size()
                        + " thread(s) alive after close() returned in " + in.close().closeMillis() + " ms: "
                        + in.close().threadsAlive()));
            }
            for (String event : in.close().eventsAfterClose()) {
                v.add(new Violation(Invariant.EVENT_AFTER_CLOSE, in.endMillis(), "delivered after close(): "
                        + event));
            }
        }
        long acked = ackedWriteOf.size() + ackedIncrements.values().stream().mapToLong(Long::longValue).sum();
        return new Result(List.copyOf(v), new Figures(acked, lost, duplicates, failedWrites, failedTransactions,
                failedReads, staleReads, maxWritable, primary == null ? null : primary.node()));
    }

    /**
     * Why the failure is not one the application was promised, or null when it is: a documented SQLState, or the
     * server's own business error (integrity, syntax, deadlock, lock wait, ...).
     */
    static String undocumented(Operation op) {
        String state = op.sqlState();
        if (state == null) {
            return op.errorClass() + " with no SQLState";
        }
        if (DOCUMENTED.contains(state)) {
            return null;
        }
        if (state.equals(READ_FAILED)) {
            return op.kind() == Operation.Kind.READ ? null : "08006 (a failed read) from a " + op.kind();
        }
        if (state.startsWith("08")) {
            return "a raw connection error " + state;
        }
        if (SERVER_STATE_CODES.contains(op.errorCode())) {
            return "a raw server-state error " + op.errorCode() + " [" + state + "]";
        }
        String cls = state.length() >= 2 ? state.substring(0, 2) : state;
        return switch (cls) {
            case "21", "22", "23", "40", "42", "44", "HY" -> null; // the server's own answer to the statement
            default -> "SQLState " + state + " is neither documented nor a business error";
        };
    }

    private static Violation twoWritable(WritableSample first, long until) {
        return new Violation(Invariant.TWO_WRITABLE, first.atMillis(), first.writable().size() + " nodes writable on"
                + " the application's path " + first.writable() + " from " + first.atMillis() + " ms to about "
                + until + " ms");
    }

    private static long endOf(List<Operation> ops) {
        return ops == null || ops.isEmpty() ? -1 : ops.get(0).startMillis();
    }
}
