package dev.haven.jdbc.internal;

import java.sql.CallableStatement;

/**
 * Test-only: the shape of Haven's callable statement, a prepared-statement wrapper plus
 * {@link CallableStatementDelegate}, which leaves only {@link #rawCallable()} to write.
 */
final class TestCallable extends TestPreparedStatement implements CallableStatementDelegate {

    private final CallableStatement raw;

    TestCallable(CallableStatement raw) {
        super(raw);
        this.raw = raw;
    }

    @Override
    public CallableStatement rawCallable() {
        return raw;
    }
}
