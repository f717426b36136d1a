package dev.haven.jdbc.internal;

import java.sql.CallableStatement;
import java.sql.SQLException;

/**
 * A callable statement of a logical connection. Stored procedures may write anything, so a call is never run
 * again after a communication failure (its outcome is reported as unknown); a call refused by a demoted primary
 * is, like any write. The callable-specific methods (OUT parameters, named parameters) go straight to the vendor
 * statement, which is bound at their first use.
 */
final class HaCallableStatement extends HaPreparedStatement implements CallableStatementDelegate {

    HaCallableStatement(HaConnection conn, StatementSpec spec) {
        super(conn, spec.sql(), spec);
    }

    @Override
    public CallableStatement rawCallable() throws SQLException {
        return (CallableStatement) vendorFor(sql);
    }

    @Override
    boolean isReadOnly(String sql) {
        return false;
    }
}
