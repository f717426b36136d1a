package dev.haven.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.NoPrimaryException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;

/**
 * The Spring exception each of Haven's SQLStates becomes, as the README's failure table states it: Spring's own
 * translator (the one {@code JdbcTemplate} and Spring Boot's JPA use), with the error codes Spring keeps for the
 * product names Haven's connections report ({@code MySQL} and {@code MariaDB}, from the vendor driver), on exceptions
 * of the classes, SQLStates and error codes Haven throws.
 */
class SpringExceptionTranslationTest {

    private static DataAccessException translate(String product, SQLException e) {
        return new SQLErrorCodeSQLExceptionTranslator(product).translate("test", "INSERT INTO t VALUES (1)", e);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MySQL", "MariaDB"})
    void noPrimaryWithinTheFailoverTimeoutIsTransient(String product) {
        // NoPrimaryException: SQLTransientConnectionException, 08001
        assertThat(translate(product, new NoPrimaryException("no primary within 10000 ms")))
                .isInstanceOf(TransientDataAccessResourceException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MySQL", "MariaDB"})
    void outcomeUnknownIsAResourceFailure(String product) {
        // HaConnection: SQLNonTransientConnectionException, 08007, the vendor's error code (0 for a lost connection)
        SQLException lost = new SQLNonTransientConnectionException("Communications link failure", "08S01", 0);
        SQLException unknown = new SQLNonTransientConnectionException("the primary db1:3306 failed during a write",
                "08007", lost.getErrorCode(), lost);
        DataAccessException translated = translate(product, unknown);
        assertThat(translated).isInstanceOf(DataAccessResourceFailureException.class)
                .isNotInstanceOf(TransientDataAccessResourceException.class);
        assertThat(translated.getCause()).isSameAs(unknown);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MySQL", "MariaDB"})
    void aReadThatFailedTwiceIsTransient(String product) {
        // HaConnection: SQLTransientConnectionException, 08006
        assertThat(translate(product, new SQLTransientConnectionException("the read failed on db2:3306 and again",
                "08006", 0))).isInstanceOf(TransientDataAccessResourceException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MySQL", "MariaDB"})
    void aBadUrlOrAClosedDataSourceIsAResourceFailure(String product) {
        assertThat(translate(product, new SQLNonTransientConnectionException("bad URL", "08001")))
                .isInstanceOf(DataAccessResourceFailureException.class);
        assertThat(translate(product, new SQLException("the data source is closed", "08003")))
                .isInstanceOf(DataAccessResourceFailureException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MySQL", "MariaDB"})
    void theServersOwnErrorsPassThroughAsWithoutHaven(String product) {
        // deadlock: 1213, 40001 (Spring's deprecated DeadlockLoserDataAccessException, a PessimisticLockingFailureException)
        assertThat(translate(product, new SQLTransactionRollbackException("Deadlock found", "40001", 1213)))
                .isInstanceOf(PessimisticLockingFailureException.class);
        // lock wait timeout: 1205
        assertThat(translate(product, new SQLException("Lock wait timeout exceeded", "HY000", 1205)))
                .isInstanceOf(CannotAcquireLockException.class);
        // duplicate key: 1062, 23000
        assertThat(translate(product, new SQLIntegrityConstraintViolationException("Duplicate entry", "23000", 1062)))
                .isInstanceOf(DuplicateKeyException.class);
    }
}
