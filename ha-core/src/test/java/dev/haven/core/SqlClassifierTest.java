package dev.haven.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.haven.core.StatementKind.LOCKING_READ;
import static dev.haven.core.StatementKind.READ;
import static dev.haven.core.StatementKind.SESSION;
import static dev.haven.core.StatementKind.TRANSACTION;
import static dev.haven.core.StatementKind.UNKNOWN;
import static dev.haven.core.StatementKind.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class SqlClassifierTest {

    private final SqlClassifier classifier = new SqlClassifier();

    static Stream<Arguments> statements() {
        return Stream.of(
                // plain reads
                arguments(READ, "SELECT 1"),
                arguments(READ, "select * from t where id = ?"),
                arguments(READ, "  \n\tSeLeCt a FROM t"),
                arguments(READ, "(SELECT a FROM t) UNION (SELECT b FROM u)"),
                arguments(READ, "SELECT COUNT(*) FROM orders o JOIN items i ON i.order_id = o.id GROUP BY o.id"),
                arguments(READ, "SELECT SLEEP(1)"),
                arguments(READ, "SELECT a FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2024-01-01'"),
                arguments(READ, "SELECT @x"),
                arguments(READ, "SELECT @@version, @@session.autocommit"),
                arguments(READ, "VALUES ROW(1, 2)"),
                arguments(READ, "TABLE t"),
                arguments(READ, "SHOW TABLES"),
                arguments(READ, "show full processlist"),
                arguments(READ, "SHOW REPLICA STATUS"),
                arguments(READ, "DESCRIBE t"),
                arguments(READ, "DESC t"),
                arguments(READ, "EXPLAIN SELECT * FROM t"),
                arguments(READ, "EXPLAIN FORMAT=JSON UPDATE t SET a = 1"),
                arguments(READ, "EXPLAIN ANALYZE SELECT * FROM t"),
                arguments(READ, "HELP 'contents'"),
                arguments(READ, "SELECT a FROM t;"),
                arguments(READ, "SELECT 1; SELECT 2"),
                arguments(READ, "SELECT my_schema.last_insert_id(a) FROM t"),
                arguments(READ, "SELECT get_lock_count FROM stats"),
                // CTEs
                arguments(READ, "WITH c AS (SELECT 1 AS a) SELECT a FROM c"),
                arguments(READ, "WITH RECURSIVE c (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) SELECT n FROM c"),
                arguments(READ, "with a as (select 1), b as (select 2) select * from a, b"),
                arguments(WRITE, "WITH c AS (SELECT id FROM t WHERE x = 1) UPDATE t JOIN c USING (id) SET y = 2"),
                arguments(WRITE, "WITH c AS (SELECT id FROM t) DELETE FROM t WHERE id IN (SELECT id FROM c)"),
                arguments(WRITE, "WITH c AS (SELECT GET_LOCK('x', 1)) SELECT * FROM c"),
                arguments(LOCKING_READ, "WITH c AS (SELECT 1) SELECT * FROM t FOR UPDATE"),
                // side effects make a SELECT a write
                arguments(WRITE, "SELECT GET_LOCK('job', 10)"),
                arguments(WRITE, "select get_lock ('job', 10)"),
                arguments(WRITE, "SELECT RELEASE_LOCK('job')"),
                arguments(WRITE, "SELECT RELEASE_ALL_LOCKS()"),
                arguments(WRITE, "SELECT IS_USED_LOCK('job')"),
                arguments(WRITE, "SELECT IS_FREE_LOCK('job')"),
                arguments(WRITE, "SELECT LAST_INSERT_ID()"),
                arguments(WRITE, "SELECT ROW_COUNT()"),
                arguments(WRITE, "SELECT FOUND_ROWS()"),
                arguments(WRITE, "SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 10"),
                arguments(WRITE, "SELECT NEXTVAL(seq)"),
                arguments(WRITE, "SELECT SETVAL(seq, 100)"),
                arguments(WRITE, "SELECT LASTVAL(seq)"),
                arguments(WRITE, "SELECT NEXT VALUE FOR seq"),
                arguments(WRITE, "SELECT PREVIOUS VALUE FOR seq"),
                arguments(WRITE, "SELECT @x := MAX(id) FROM t"),
                arguments(WRITE, "SELECT a INTO @x FROM t LIMIT 1"),
                arguments(WRITE, "SELECT * FROM t INTO OUTFILE '/tmp/t.csv'"),
                arguments(WRITE, "SELECT * INTO DUMPFILE '/tmp/t' FROM t"),
                arguments(WRITE, "SELECT a FROM t WHERE b IN (SELECT GET_LOCK('x', 0))"),
                arguments(WRITE, "SELECT 1; UPDATE t SET a = 1"),
                // locking reads
                arguments(LOCKING_READ, "SELECT * FROM t WHERE id = 1 FOR UPDATE"),
                arguments(LOCKING_READ, "SELECT * FROM t FOR UPDATE SKIP LOCKED"),
                arguments(LOCKING_READ, "SELECT * FROM t FOR SHARE NOWAIT"),
                arguments(LOCKING_READ, "SELECT * FROM t LOCK IN SHARE MODE"),
                arguments(LOCKING_READ, "select * from t for update; select 1"),
                arguments(WRITE, "SELECT GET_LOCK('a', 1) FROM t FOR UPDATE"),
                // comments and hints
                arguments(READ, "/* leading */ SELECT 1"),
                arguments(READ, "-- comment\nSELECT 1"),
                arguments(READ, "# comment\nSELECT 1"),
                arguments(READ, "SELECT /* GET_LOCK('x', 1) */ 1"),
                arguments(READ, "SELECT 1 -- GET_LOCK('x', 1)"),
                arguments(READ, "SELECT 1 # FOR UPDATE"),
                arguments(READ, "SELECT /*+ MAX_EXECUTION_TIME(1000) */ * FROM t"),
                arguments(READ, "SELECT 5--1"),
                arguments(UNKNOWN, "/* only a comment */"),
                arguments(UNKNOWN, "-- only a comment"),
                arguments(UNKNOWN, "/* unterminated SELECT 1"),
                // executable comments are code
                arguments(WRITE, "SELECT /*!50000 GET_LOCK('x', 1) */"),
                arguments(WRITE, "/*!40101 INSERT INTO t VALUES (1) */"),
                arguments(LOCKING_READ, "SELECT * FROM t /*!80000 FOR UPDATE */"),
                arguments(WRITE, "SELECT /*M!100100 NEXTVAL(s) */"),
                arguments(SESSION, "/*!40101 SET NAMES utf8mb4 */"),
                // literals and quoted identifiers never look like code
                arguments(READ, "SELECT 'GET_LOCK(1)'"),
                arguments(READ, "SELECT \"FOR UPDATE\""),
                arguments(READ, "SELECT 'it''s', 'a\\'b GET_LOCK(' FROM t"),
                arguments(READ, "SELECT `into`, `get_lock` FROM t"),
                arguments(READ, "SELECT `GET_LOCK`(1)"),
                arguments(READ, "SELECT 'a;b' FROM t; -- trailing ; comment"),
                arguments(READ, "SELECT ':=' FROM t"),
                arguments(READ, "SELECT x'4D7953514C', _utf8mb4'abc', N'xyz'"),
                arguments(WRITE, "INSERT INTO t VALUES ('SELECT')"),
                // writes
                arguments(WRITE, "INSERT INTO t VALUES (1)"),
                arguments(WRITE, "insert into t select * from u"),
                arguments(WRITE, "UPDATE t SET a = 1"),
                arguments(WRITE, "DELETE FROM t"),
                arguments(WRITE, "REPLACE INTO t VALUES (1)"),
                arguments(WRITE, "LOAD DATA INFILE 'f' INTO TABLE t"),
                arguments(WRITE, "CREATE TABLE t (a INT)"),
                arguments(WRITE, "ALTER TABLE t ADD b INT"),
                arguments(WRITE, "DROP TABLE t"),
                arguments(WRITE, "TRUNCATE t"),
                arguments(WRITE, "RENAME TABLE a TO b"),
                arguments(WRITE, "GRANT SELECT ON db.* TO u"),
                arguments(WRITE, "REVOKE SELECT ON db.* FROM u"),
                arguments(WRITE, "CALL proc(1)"),
                arguments(WRITE, "DO GET_LOCK('x', 1)"),
                arguments(WRITE, "LOCK TABLES t WRITE"),
                arguments(WRITE, "UNLOCK TABLES"),
                arguments(WRITE, "OPTIMIZE TABLE t"),
                arguments(WRITE, "ANALYZE TABLE t"),
                arguments(WRITE, "ANALYZE UPDATE t SET a = 1"),
                arguments(READ, "ANALYZE FORMAT=JSON SELECT * FROM t"),
                arguments(WRITE, "EXPLAIN ANALYZE UPDATE t SET a = 1"),
                arguments(WRITE, "FLUSH PRIVILEGES"),
                arguments(WRITE, "START REPLICA"),
                arguments(WRITE, "STOP SLAVE"),
                arguments(WRITE, "CHANGE MASTER TO MASTER_HOST='db1'"),
                arguments(WRITE, "SET GLOBAL read_only = ON"),
                arguments(WRITE, "SET PERSIST max_connections = 500"),
                arguments(WRITE, "SET @@global.read_only = 1"),
                arguments(WRITE, "SET PASSWORD = 'secret'"),
                arguments(WRITE, "SET DEFAULT ROLE r TO u"),
                arguments(WRITE, "SET @id = LAST_INSERT_ID()"),
                arguments(WRITE, "SET STATEMENT max_statement_time=1 FOR UPDATE t SET a = 1"),
                arguments(READ, "SET STATEMENT max_statement_time=1 FOR SELECT * FROM t"),
                // session
                arguments(SESSION, "SET NAMES utf8mb4"),
                arguments(SESSION, "SET autocommit = 0"),
                arguments(SESSION, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"),
                arguments(SESSION, "SET TRANSACTION READ ONLY"),
                arguments(SESSION, "SET @x = 1, @@session.sql_mode = 'ANSI'"),
                arguments(SESSION, "SET @x := (SELECT MAX(id) FROM t)"),
                arguments(SESSION, "SET CHARACTER SET utf8"),
                arguments(SESSION, "USE app"),
                arguments(SESSION, "SET ROLE ALL"),
                // transaction control
                arguments(TRANSACTION, "BEGIN"),
                arguments(TRANSACTION, "BEGIN WORK"),
                arguments(TRANSACTION, "START TRANSACTION"),
                arguments(TRANSACTION, "START TRANSACTION READ ONLY"),
                arguments(TRANSACTION, "COMMIT"),
                arguments(TRANSACTION, "commit work"),
                arguments(TRANSACTION, "ROLLBACK"),
                arguments(TRANSACTION, "ROLLBACK TO SAVEPOINT s1"),
                arguments(TRANSACTION, "SAVEPOINT s1"),
                arguments(TRANSACTION, "RELEASE SAVEPOINT s1"),
                arguments(TRANSACTION, "XA START 'x'"),
                // unknown
                arguments(UNKNOWN, ""),
                arguments(UNKNOWN, "   "),
                arguments(UNKNOWN, ";"),
                arguments(UNKNOWN, "PREPARE s FROM 'SELECT 1'"),
                arguments(UNKNOWN, "EXECUTE s"),
                arguments(UNKNOWN, "DEALLOCATE PREPARE s"),
                arguments(UNKNOWN, "BEGIN NOT ATOMIC SELECT 1; END"),
                arguments(UNKNOWN, "SHOW WARNINGS"),
                arguments(UNKNOWN, "SHOW COUNT(*) ERRORS"),
                arguments(UNKNOWN, "'just a string'"),
                arguments(UNKNOWN, "FROBNICATE t"),
                arguments(UNKNOWN, "SET NAMES utf8; SELECT 1"),
                arguments(UNKNOWN, "BEGIN; UPDATE t SET a = 1; COMMIT"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("statements")
    void classifies(StatementKind expected, String sql) {
        assertThat(classifier.classify(sql)).isEqualTo(expected);
    }

    @Test
    void nullIsUnknown() {
        assertThat(classifier.classify(null)).isEqualTo(UNKNOWN);
    }

    @Test
    void cachesResultsWithinItsBudget() {
        SqlClassifier small = new SqlClassifier(100);
        assertThat(small.classify("SELECT 1")).isEqualTo(READ);
        assertThat(small.classify("SELECT 1")).isEqualTo(READ);
        assertThat(small.cachedCount()).isEqualTo(1);
        for (int i = 0; i < 100; i++) {
            small.classify("SELECT " + i + " FROM some_table");
        }
        assertThat(small.cachedCount()).isLessThan(10);
    }

    @Test
    void longStatementsAreClassifiedWithoutCaching() {
        StringBuilder sb = new StringBuilder("SELECT a FROM t WHERE id IN (0");
        for (int i = 1; i < 3000; i++) {
            sb.append(',').append(i);
        }
        sb.append(") FOR UPDATE");
        assertThat(classifier.classify(sb.toString())).isEqualTo(LOCKING_READ);
        assertThat(classifier.cachedCount()).isZero();
    }
}
