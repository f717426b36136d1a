package dev.haven.samples.spring;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.TransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * What a client sees while the database fails over: {@code 503} with {@code Retry-After: 1}, and whether the change
 * may have been applied. Haven reports a write or transaction cut off by a failing node with SQLState {@code 08007}
 * (transaction resolution unknown): retrying is then safe only if the operation is idempotent or checked first. A
 * write that found no primary within {@code haven.failover.timeout} was not applied.
 */
@RestControllerAdvice
public class DatabaseErrors {

    private static final Logger log = LoggerFactory.getLogger(DatabaseErrors.class);

    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class,
            TransactionException.class})
    public ResponseEntity<Map<String, Object>> unavailable(RuntimeException e) {
        SQLException sql = sqlException(e);
        String state = sql == null ? null : sql.getSQLState();
        log.warn("Database unavailable: {} (SQLState {})", e.getMessage(), state);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "database unavailable, retry");
        body.put("sqlState", state);
        body.put("outcome", "08007".equals(state) ? "unknown: check before retrying" : "not applied");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "1").body(body);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    public ResponseEntity<Map<String, Object>> badRequest(IllegalArgumentException e) {
        return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
    }

    private static SQLException sqlException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }
}
