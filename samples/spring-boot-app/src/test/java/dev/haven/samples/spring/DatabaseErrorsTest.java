package dev.haven.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** What a client gets when a request meets a failover: 503, Retry-After, and whether the change may have happened. */
class DatabaseErrorsTest {

    private final DatabaseErrors errors = new DatabaseErrors();

    @Test
    void aTransactionCutOffByAFailingNodeHasAnUnknownOutcome() {
        // what Spring makes of Haven's 08007 under JPA (Hibernate's JDBCConnectionException, SQLState class 08)
        ResponseEntity<Map<String, Object>> r = errors.unavailable(new DataAccessResourceFailureException("lost",
                new SQLException("transaction resolution unknown", "08007")));
        assertThat(r.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(r.getHeaders().getFirst("Retry-After")).isEqualTo("1");
        assertThat(r.getBody()).containsEntry("sqlState", "08007").containsEntry("outcome", "unknown: check before retrying");
    }

    @Test
    void aWriteThatFoundNoPrimaryWasNotApplied() {
        ResponseEntity<Map<String, Object>> r = errors.unavailable(new DataAccessResourceFailureException("none",
                new SQLException("No primary available for a write", "08001")));
        assertThat(r.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(r.getBody()).containsEntry("sqlState", "08001").containsEntry("outcome", "not applied");
    }
}
