package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The replay record's reading of SQL text: which statements a replay may run again, which a marker may wrap. */
class ReplayLogTest {

    @Test
    void theFirstKeywordIsFoundPastWhiteSpaceCommentsAndParentheses() {
        assertThat(ReplayLog.firstWord("  insert into t values (1)")).isEqualTo("INSERT");
        assertThat(ReplayLog.firstWord("/* hint */ UPDATE t SET n = 1")).isEqualTo("UPDATE");
        assertThat(ReplayLog.firstWord("-- note\n\tdelete from t")).isEqualTo("DELETE");
        assertThat(ReplayLog.firstWord("# note\nREPLACE INTO t VALUES (1)")).isEqualTo("REPLACE");
        assertThat(ReplayLog.firstWord("(SELECT 1) UNION (SELECT 2)")).isEqualTo("SELECT");
        assertThat(ReplayLog.firstWord("")).isEmpty();
        assertThat(ReplayLog.firstWord("/* unterminated")).isEmpty();
    }

    @Test
    void onlyPlainDmlIsWrappedWithAMarker() {
        assertThat(CommitMarker.wraps("INSERT INTO t VALUES (1)")).isTrue();
        assertThat(CommitMarker.wraps("update t set n = n + 1")).isTrue();
        assertThat(CommitMarker.wraps("DELETE FROM t")).isTrue();
        // statements with an implicit commit would commit the marker early: never wrapped
        assertThat(CommitMarker.wraps("CREATE TABLE x (id INT)")).isFalse();
        assertThat(CommitMarker.wraps("ALTER TABLE t ADD c INT")).isFalse();
        assertThat(CommitMarker.wraps("TRUNCATE t")).isFalse();
        assertThat(CommitMarker.wraps("LOCK TABLES t WRITE")).isFalse();
        assertThat(CommitMarker.wraps("CALL p()")).isFalse();
    }

    @Test
    void aRefusedRecordKeepsItsFirstReasonUntilReset() {
        ReplayLog log = new ReplayLog(1000);
        assertThat(log.refused()).isNull();
        log.refuse("a savepoint");
        log.refuse("executeBatch");
        assertThat(log.refused()).isEqualTo("a savepoint");
        assertThat(log.entries()).isEmpty();
        log.reset();
        assertThat(log.refused()).isNull();
    }
}
