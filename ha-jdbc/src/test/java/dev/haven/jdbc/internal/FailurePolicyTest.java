package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.ErrorKind;
import dev.haven.jdbc.internal.FailurePolicy.Decision;
import dev.haven.jdbc.internal.FailurePolicy.Kind;
import dev.haven.jdbc.internal.FailurePolicy.Phase;
import dev.haven.jdbc.internal.FailurePolicy.Recovery;
import dev.haven.jdbc.internal.FailurePolicy.Tx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The failure policy against the table in {@code docs/failure-semantics.md}, read from the file: every row holds
 * for every input it matches, and every input is matched by exactly one row (so the table is complete and
 * unambiguous, and the code cannot change without the documentation).
 */
class FailurePolicyTest {

    private static final Path DOC = Path.of("..", "docs", "failure-semantics.md");
    private static final String START = "<!-- failure-policy-table";
    private static final String END = "<!-- end of failure-policy-table";
    /** Attempts checked: the first failure, the second, and a later one. */
    private static final int[] ATTEMPTS = {0, 1, 5};

    record Row(int number, Set<Phase> phases, Set<ErrorKind> errors, Set<Tx> txs, Set<Kind> kinds, String attempt,
               String timeLeft, Set<Recovery> recoveries, Decision decision) {

        boolean matches(Phase p, ErrorKind e, Tx t, Kind k, int a, boolean left, Recovery r) {
            return phases.contains(p) && errors.contains(e) && txs.contains(t) && kinds.contains(k)
                    && (attempt.equals("any") || attempt.equals("0") == (a == 0))
                    && (timeLeft.equals("any") || timeLeft.equals("yes") == left) && recoveries.contains(r);
        }
    }

    @Test
    void everyInputIsCoveredByExactlyOneRowAndThePolicyDecidesAsThatRowSays() throws IOException {
        List<Row> rows = readTable();
        assertThat(rows).as("rows of the table in " + DOC).hasSizeGreaterThan(10);
        int checked = 0;
        boolean[] used = new boolean[rows.size()];
        for (Phase p : Phase.values()) {
            for (ErrorKind e : ErrorKind.values()) {
                for (Tx t : Tx.values()) {
                    for (Kind k : Kind.values()) {
                        for (int a : ATTEMPTS) {
                            for (boolean left : new boolean[] {true, false}) {
                                for (Recovery r : Recovery.values()) {
                                    String input = p + " " + e + " " + t + " " + k + " attempt " + a + " timeLeft "
                                            + left + " recovery " + r;
                                    List<Row> matching = new ArrayList<>();
                                    for (int i = 0; i < rows.size(); i++) {
                                        if (rows.get(i).matches(p, e, t, k, a, left, r)) {
                                            matching.add(rows.get(i));
                                            used[i] = true;
                                        }
                                    }
                                    assertThat(matching).as("rows of the table matching " + input).hasSize(1);
                                    assertThat(FailurePolicy.decide(p, e, t, k, a, left, r))
                                            .as("row " + matching.get(0).number() + " for " + input)
                                            .isEqualTo(matching.get(0).decision());
                                    if (r == Recovery.NONE) {
                                        assertThat(FailurePolicy.decide(p, e, t, k, a, left))
                                                .as("without recovery, " + input)
                                                .isEqualTo(matching.get(0).decision());
                                    }
                                    checked++;
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < used.length; i++) {
            assertThat(used[i]).as("row " + rows.get(i).number() + " matches some input").isTrue();
        }
        assertThat(checked).isEqualTo(Phase.values().length * ErrorKind.values().length * Tx.values().length
                * Kind.values().length * ATTEMPTS.length * 2 * Recovery.values().length);
    }

    @Test
    void theDocumentedSqlStatesAreTheDecisionsOwn() {
        assertThat(Decision.OUTCOME_UNKNOWN.sqlState()).isEqualTo("08007");
        assertThat(Decision.READ_FAILED.sqlState()).isEqualTo("08006");
        assertThat(Decision.NOT_APPLIED.sqlState()).isEqualTo("08001");
        for (Decision d : EnumSet.of(Decision.PASS_THROUGH, Decision.ABSORBED, Decision.RETRY_HERE,
                Decision.RETRY_ELSEWHERE, Decision.WAIT_FOR_PRIMARY, Decision.REPLAY,
                Decision.RESOLVE_WITH_MARKER)) {
            assertThat(d.sqlState()).as(d.name()).isNull();
        }
    }

    /**
     * Replay only where nothing was committed (auto-commit off, before the commit was sent) and only when the record
     * allows it; a marker only for a commit, or an auto-commit write that carried one.
     */
    @Test
    void replayAndMarkersApplyOnlyWhereTheyCanBeRight() {
        for (Phase p : Phase.values()) {
            for (ErrorKind e : ErrorKind.values()) {
                for (Tx t : Tx.values()) {
                    for (Kind k : Kind.values()) {
                        for (int a : ATTEMPTS) {
                            for (boolean left : new boolean[] {true, false}) {
                                for (Recovery r : Recovery.values()) {
                                    Decision d = FailurePolicy.decide(p, e, t, k, a, left, r);
                                    String input = p + " " + e + " " + t + " " + k + " " + r;
                                    if (d == Decision.REPLAY) {
                                        assertThat(r.replays()).as(input).isTrue();
                                        assertThat(t).as(input).isNotEqualTo(Tx.NONE);
                                        assertThat(p).as(input).isIn(Phase.BIND, Phase.STATEMENT);
                                    }
                                    if (d == Decision.RESOLVE_WITH_MARKER) {
                                        assertThat(r.marks()).as(input).isTrue();
                                        assertThat(p).as(input).isEqualTo(Phase.COMMIT);
                                    }
                                    if (p == Phase.COMMIT && e == ErrorKind.NODE_GONE && t == Tx.RAN) {
                                        assertThat(d).as("a commit in doubt is never replayed blindly: " + input)
                                                .isIn(Decision.OUTCOME_UNKNOWN, Decision.RESOLVE_WITH_MARKER);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void nothingThatRanIsEverRetriedAndARawConnectionFailureIsNeverPassedThrough() {
        for (Phase p : Phase.values()) {
            for (Tx t : Tx.values()) {
                for (Kind k : Kind.values()) {
                    for (int a : ATTEMPTS) {
                        for (boolean left : new boolean[] {true, false}) {
                            Decision d = FailurePolicy.decide(p, ErrorKind.NODE_GONE, t, k, a, left);
                            assertThat(d).as("a connection failure in " + p + " " + t + " " + k)
                                    .isNotEqualTo(Decision.PASS_THROUGH);
                            if (t == Tx.RAN && p != Phase.ROLLBACK && p != Phase.RELEASE) {
                                assertThat(d.retries()).as("a transaction that ran is never moved: " + p + " " + k)
                                        .isFalse();
                            }
                            if (p == Phase.STATEMENT && k == Kind.WRITE) {
                                assertThat(d).as("a write that was sent").isEqualTo(Decision.OUTCOME_UNKNOWN);
                            }
                        }
                    }
                }
            }
        }
    }

    private static List<Row> readTable() throws IOException {
        assertThat(DOC).as("the failure-semantics document (tests run in the module directory)").exists();
        List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
        List<Row> rows = new ArrayList<>();
        boolean inside = false;
        for (String line : lines) {
            if (line.startsWith(START)) {
                inside = true;
                continue;
            }
            if (line.startsWith(END)) {
                break;
            }
            if (!inside || !line.startsWith("|") || line.startsWith("| #") || line.startsWith("|---")) {
                continue;
            }
            String[] cells = line.split("\\|");
            // cells[0] is empty (before the first bar): number, phase, error, transaction, statement, attempt,
            // time left, recovery, decision, why
            rows.add(new Row(Integer.parseInt(cells[1].trim()), parse(cells[2], Phase.class),
                    parse(cells[3], ErrorKind.class), parse(cells[4], Tx.class), parse(cells[5], Kind.class),
                    cells[6].trim(), cells[7].trim(), parse(cells[8], Recovery.class),
                    Decision.valueOf(cells[9].trim())));
        }
        assertThat(inside).as("the table's start marker in " + DOC).isTrue();
        return rows;
    }

    private static <E extends Enum<E>> Set<E> parse(String cell, Class<E> type) {
        String text = cell.trim();
        if (text.equals("any")) {
            return EnumSet.allOf(type);
        }
        Set<E> values = EnumSet.noneOf(type);
        for (String name : text.split(",")) {
            values.add(Enum.valueOf(type, name.trim()));
        }
        return values;
    }
}
