package dev.haven.samples.spring;

import java.lang.reflect.Method;
import java.sql.SQLException;
import org.springframework.resilience.retry.MethodRetryPredicate;

/**
 * Retries a unit of work that certainly did not commit: SQLState {@code 40001} anywhere in the failure's causes.
 * Haven answers {@code 40001} when a transaction interrupted by a failover could not be replayed as it was (what the
 * application saw would differ, say a {@code NOW()} or the server's id) or its commit marker shows it did not commit;
 * the servers answer it for a deadlock. Either way nothing of it was applied, so running it again is safe.
 * {@code 08007} (outcome unknown) is not retried: the change may be there.
 */
public class RetryNotCommitted implements MethodRetryPredicate {

    @Override
    public boolean shouldRetry(Method method, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "40001".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
