package dev.haven.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;

import static dev.haven.core.ErrorKind.APPLICATION;
import static dev.haven.core.ErrorKind.NODE_GONE;
import static dev.haven.core.ErrorKind.NOT_PRIMARY;
import static dev.haven.core.ErrorKind.OTHER;
import static org.assertj.core.api.Assertions.assertThat;

class ErrorClassifierTest {

    /** One row per vendor code, with the SQLState and message the servers and drivers really use (HY000 where generic). */
    @ParameterizedTest(name = "{0} {1} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "2002|HY000|Can't connect to local MySQL server through socket|NODE_GONE",
            "2003|HY000|Can't connect to MySQL server on 'db1' (111)|NODE_GONE",
            "2005|HY000|Unknown MySQL server host 'db9'|NODE_GONE",
            "2006|HY000|MySQL server has gone away|NODE_GONE",
            "2013|HY000|Lost connection to MySQL server during query|NODE_GONE",
            "2055|HY000|Lost connection to MySQL server at 'reading initial communication packet'|NODE_GONE",
            "1053|HY000|Server shutdown in progress|NODE_GONE",
            "1152|HY000|Aborted connection 12 to db: 'app'|NODE_GONE",
            "1158|HY000|Got an error reading communication packets|NODE_GONE",
            "1159|HY000|Got timeout reading communication packets|NODE_GONE",
            "1160|HY000|Got an error writing communication packets|NODE_GONE",
            "1161|HY000|Got timeout writing communication packets|NODE_GONE",
            "1184|HY000|Aborted connection 7 to db|NODE_GONE",
            "1927|70100|Connection was killed|NODE_GONE",
            "3169|HY000|Session was killed|NODE_GONE",
            "3032|HY000|The server is currently in offline mode|NODE_GONE",
            "1040|08004|Too many connections|NODE_GONE",
            "1129|HY000|Host '10.0.0.5' is blocked because of many connection errors|NODE_GONE",
            "1290|HY000|The MySQL server is running with the --read-only option so it cannot execute this statement|NOT_PRIMARY",
            "1290|HY000|The MySQL server is running with the --super-read-only option so it cannot execute this statement|NOT_PRIMARY",
            "1290|HY000|The MariaDB server is running with the --read-only option so it cannot execute this statement|NOT_PRIMARY",
            "1290|HY000|The MySQL server is running with the --secure-file-priv option so it cannot execute this statement|OTHER",
            "1836|HY000|Running in read-only mode|NOT_PRIMARY",
            "3100|HY000|Error on observer while running replication hook 'before_commit'.|NOT_PRIMARY",
            "1792|25006|Cannot execute statement in a READ ONLY transaction.|APPLICATION",
            "1213|40001|Deadlock found when trying to get lock; try restarting transaction|APPLICATION",
            "1205|HY000|Lock wait timeout exceeded; try restarting transaction|APPLICATION",
            "3572|HY000|Statement aborted because lock(s) could not be acquired immediately and NOWAIT is set.|APPLICATION",
            "1062|23000|Duplicate entry '1' for key 'PRIMARY'|APPLICATION",
            "1586|23000|Duplicate entry '1' for key 'uk'|APPLICATION",
            "1022|23000|Can't write; duplicate key in table 't'|APPLICATION",
            "1451|23000|Cannot delete or update a parent row: a foreign key constraint fails|APPLICATION",
            "1452|23000|Cannot add or update a child row: a foreign key constraint fails|APPLICATION",
            "1216|23000|Cannot add or update a child row|APPLICATION",
            "1217|23000|Cannot delete or update a parent row|APPLICATION",
            "1048|23000|Column 'a' cannot be null|APPLICATION",
            "1364|HY000|Field 'a' doesn't have a default value|APPLICATION",
            "1406|22001|Data too long for column 'a'|APPLICATION",
            "1264|22003|Out of range value for column 'a'|APPLICATION",
            "1366|HY000|Incorrect integer value|APPLICATION",
            "1292|22007|Truncated incorrect DOUBLE value|APPLICATION",
            "1365|22012|Division by 0|APPLICATION",
            "1054|42S22|Unknown column 'x' in 'field list'|APPLICATION",
            "1064|42000|You have an error in your SQL syntax|APPLICATION",
            "1146|42S02|Table 'app.t' doesn't exist|APPLICATION",
            "1142|42000|SELECT command denied to user|APPLICATION",
            "1143|42000|SELECT command denied to user for column|APPLICATION",
            "1317|70100|Query execution was interrupted|APPLICATION",
            "3024|HY000|Query execution was interrupted, maximum statement execution time exceeded|APPLICATION",
            "1969|70100|Query execution was interrupted (max_statement_time exceeded)|APPLICATION",
            "1644|45000|custom signal|APPLICATION",
            "3819|HY000|Check constraint 'c' is violated.|APPLICATION",
            "4025|23000|CONSTRAINT `c` failed for `t`|APPLICATION",
            "3101|40000|Plugin instructed the server to rollback the current transaction.|APPLICATION",
            "1045|28000|Access denied for user 'app'@'10.0.0.5'|OTHER",
            "1105|HY000|Unknown error|OTHER",
    })
    void classifiesVendorCodes(int code, String state, String message, ErrorKind expected) {
        assertThat(ErrorClassifier.classify(new SQLException(message, state, code))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "SQLState {0} -> {1}")
    @CsvSource({"08S01,NODE_GONE", "08001,NODE_GONE", "08003,NODE_GONE", "08006,NODE_GONE", "40001,APPLICATION",
            "23000,APPLICATION", "22001,APPLICATION", "42000,APPLICATION", "21000,APPLICATION", "44000,APPLICATION",
            "45000,APPLICATION", "HY000,OTHER", "28000,OTHER", "S1000,OTHER", "0,OTHER"})
    void classifiesSqlStateWhenTheCodeIsUnknown(String state, ErrorKind expected) {
        assertThat(ErrorClassifier.classify(new SQLException("driver error", state, 0))).isEqualTo(expected);
    }

    @Test
    void connectionExceptionTypesWithoutStateAreNodeGone() {
        assertThat(ErrorClassifier.classify(new SQLNonTransientConnectionException("Socket error"))).isEqualTo(NODE_GONE);
        assertThat(ErrorClassifier.classify(new java.sql.SQLRecoverableException("reconnect"))).isEqualTo(NODE_GONE);
    }

    @Test
    void applicationExceptionTypesWithoutState() {
        assertThat(ErrorClassifier.classify(new SQLTimeoutException("Query timed out"))).isEqualTo(APPLICATION);
        assertThat(ErrorClassifier.classify(new SQLIntegrityConstraintViolationException("dup"))).isEqualTo(APPLICATION);
        assertThat(ErrorClassifier.classify(new SQLSyntaxErrorException("syntax"))).isEqualTo(APPLICATION);
        assertThat(ErrorClassifier.classify(new SQLTransactionRollbackException("rollback"))).isEqualTo(APPLICATION);
    }

    @Test
    void socketTimeoutWrappedInASqlExceptionIsNodeGone() {
        SQLException wrapped = new SQLException("Communications link failure", "HY000", 0, new SocketTimeoutException("Read timed out"));
        assertThat(ErrorClassifier.classify(wrapped)).isEqualTo(NODE_GONE);
        SQLTimeoutException timeout = new SQLTimeoutException("timeout", null, 0, new SocketTimeoutException("Read timed out"));
        assertThat(ErrorClassifier.classify(timeout)).isEqualTo(NODE_GONE);
    }

    @Test
    void networkCausesAreNodeGone() {
        assertThat(ErrorClassifier.classify(new SQLException("x", null, 0, new ConnectException("Connection refused")))).isEqualTo(NODE_GONE);
        assertThat(ErrorClassifier.classify(new SQLException("x", null, 0, new EOFException("unexpected end of stream")))).isEqualTo(NODE_GONE);
        assertThat(ErrorClassifier.classify(new SQLException("x", null, 0, new UnknownHostException("db9")))).isEqualTo(NODE_GONE);
        assertThat(ErrorClassifier.classify(new IOException("disk"))).isEqualTo(OTHER);
    }

    @Test
    void walksNextExceptionsAndDeepCauses() {
        SQLException batch = new SQLException("batch failed", "HY000", 0);
        batch.setNextException(new SQLException("dup", "23000", 1062));
        batch.setNextException(new SQLException("read-only", "HY000", 1290, null) {
            @Override
            public String getMessage() {
                return "The MySQL server is running with the --read-only option";
            }
        });
        assertThat(ErrorClassifier.classify(batch)).isEqualTo(NOT_PRIMARY);
        RuntimeException deep = new RuntimeException(new IllegalStateException(new SQLException("gone", "08S01", 0)));
        assertThat(ErrorClassifier.classify(deep)).isEqualTo(NODE_GONE);
    }

    @Test
    void mostConsequentialKindWins() {
        SQLException deadlockCausedByGone = new SQLException("deadlock", "40001", 1213, new SQLException("gone", "08S01", 2013));
        assertThat(ErrorClassifier.classify(deadlockCausedByGone)).isEqualTo(NODE_GONE);
        SQLException otherThenApp = new SQLException("wrapper", "HY000", 0, new SQLException("dup", "23000", 1062));
        assertThat(ErrorClassifier.classify(otherThenApp)).isEqualTo(APPLICATION);
    }

    @Test
    void survivesCyclesAndNull() {
        SQLException a = new SQLException("a", "HY000", 0);
        SQLException b = new SQLException("b", "HY000", 0);
        a.setNextException(b);
        b.setNextException(a);
        assertThat(ErrorClassifier.classify(a)).isEqualTo(OTHER);
        assertThat(ErrorClassifier.classify(null)).isEqualTo(OTHER);
    }

    @Test
    void havensOwnNoPrimaryIsNotANodeFailure() {
        assertThat(ErrorClassifier.classify(new NoPrimaryException("no primary"))).isEqualTo(OTHER);
    }
}
