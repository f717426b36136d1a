package dev.haven.jdbc.internal;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;

/**
 * A prepared statement of a logical connection. Parameters are recorded as they are set (and passed on at once
 * when a vendor statement is bound), so the statement can be prepared again and re-run on another node after a
 * failure, or when its connection moved.
 *
 * <p>Implementation notes: parameters live in parallel arrays (kind, object, extra object, number), so setting a
 * primitive allocates nothing: numbers, booleans and floating-point bits go into a {@code long}. The arrays and
 * their bookkeeping are one {@link Params} object, made at the first parameter: a statement without parameters
 * (and the statement object of every cycle) stays small, and a batch entry is a copy of it. Stream and reader
 * parameters can be read only once: a statement that used one is not run again after a failure.
 */
class HaPreparedStatement extends HaStatement implements PreparedStatement {

    private static final int NONE = 0;
    private static final int NULL = 1;
    private static final int NULL_TYPE_NAME = 2;
    private static final int BOOLEAN = 3;
    private static final int BYTE = 4;
    private static final int SHORT = 5;
    private static final int INT = 6;
    private static final int LONG = 7;
    private static final int FLOAT = 8;
    private static final int DOUBLE = 9;
    private static final int BIG_DECIMAL = 10;
    private static final int STRING = 11;
    private static final int BYTES = 12;
    private static final int DATE = 13;
    private static final int TIME = 14;
    private static final int TIMESTAMP = 15;
    private static final int OBJECT = 16;
    private static final int OBJECT_TYPE = 17;
    private static final int OBJECT_TYPE_SCALE = 18;
    private static final int OBJECT_SQL_TYPE = 19;
    private static final int OBJECT_SQL_TYPE_SCALE = 20;
    private static final int REF = 21;
    private static final int BLOB = 22;
    private static final int CLOB = 23;
    private static final int ARRAY = 24;
    private static final int URL_VALUE = 25;
    private static final int ROW_ID = 26;
    private static final int NSTRING = 27;
    private static final int NCLOB = 28;
    private static final int SQLXML_VALUE = 29;
    // Streams: value is the stream, number the length (-1 none given).
    private static final int ASCII_STREAM = 40;
    private static final int UNICODE_STREAM = 41;
    private static final int BINARY_STREAM = 42;
    private static final int CHARACTER_STREAM = 43;
    private static final int NCHARACTER_STREAM = 44;
    private static final int CLOB_READER = 45;
    private static final int BLOB_STREAM = 46;
    private static final int NCLOB_READER = 47;
    private static final int ASCII_STREAM_INT = 48;
    private static final int BINARY_STREAM_INT = 49;
    private static final int CHARACTER_STREAM_INT = 50;

    /** The parameters set so far (index 0 unused), and the batch entries added. */
    private static final class Params {
        int[] kinds;
        Object[] values;
        Object[] extras;
        long[] numbers;
        /** The highest index set. */
        int count;
        boolean usesStreams;
        boolean streamsConsumed;
        List<Params> batches;

        Params(int size) {
            kinds = new int[size];
            values = new Object[size];
            extras = new Object[size];
            numbers = new long[size];
        }

        /** This entry as a batch entry: a copy of what is set, with nothing of the batch itself. */
        Params snapshot() {
            int n = count + 1;
            Params b = new Params(0);
            b.kinds = Arrays.copyOf(kinds, n);
            b.values = Arrays.copyOf(values, n);
            b.extras = Arrays.copyOf(extras, n);
            b.numbers = Arrays.copyOf(numbers, n);
            b.count = count;
            return b;
        }
    }

    /** Made at the first parameter: a statement without parameters costs nothing here. */
    private Params params;

    HaPreparedStatement(HaConnection conn, String sql, StatementSpec spec) {
        super(conn, sql, spec);
    }

    // ------------------------------------------------------------------------------------ binding

    @Override
    Statement create(Connection raw) throws SQLException {
        StatementSpec spec = spec();
        PreparedStatement p = spec == null ? raw.prepareStatement(sql) : spec.prepare(raw);
        Params q = params;
        if (q == null) {
            return p;
        }
        if (q.usesStreams && q.streamsConsumed) {
            p.close();
            throw new SQLException("cannot run the statement again on another connection: it has a stream or reader"
                    + " parameter that was already read; set the parameters again", "HY000");
        }
        for (int i = 1; i <= q.count; i++) {
            apply(p, q, i);
        }
        return p;
    }

    @Override
    void replayBatch(Statement s) throws SQLException {
        Params q = params;
        if (q == null || q.batches == null) {
            return;
        }
        PreparedStatement p = (PreparedStatement) s;
        for (Params b : q.batches) {
            for (int i = 1; i <= b.count; i++) {
                apply(p, b, i);
            }
            p.addBatch();
        }
        for (int i = 1; i <= q.count; i++) {
            apply(p, q, i); // the parameters being set for the next batch entry
        }
    }

    /**
     * The parameters as they are now, for the replay record ({@code ha.replay=on}); null when one is a stream or a
     * reader, which can be read only once.
     */
    Object snapshot() {
        Params q = params;
        if (q == null) {
            return new Params(1); // no parameters: still a prepared statement's record
        }
        return q.usesStreams ? null : q.snapshot();
    }

    /** Roughly the bytes a {@link #snapshot()} holds, for {@code ha.replay.maxSize}. */
    static int sizeOf(Object snapshot) {
        Object[] values = ((Params) snapshot).values;
        int size = 0;
        for (Object v : values) {
            if (v instanceof String) {
                size += 2 * ((String) v).length();
            } else if (v instanceof byte[]) {
                size += ((byte[]) v).length;
            } else {
                size += 8;
            }
        }
        return size + 16 * values.length;
    }

    @Override
    Statement newForReplay(Connection raw, Object recorded) throws SQLException {
        if (recorded == null) {
            return super.newForReplay(raw, null);
        }
        Params q = (Params) recorded;
        StatementSpec spec = spec();
        PreparedStatement p = spec == null ? raw.prepareStatement(sql) : spec.prepare(raw);
        try {
            for (int i = 1; i <= q.count; i++) {
                apply(p, q, i);
            }
            applySettings(p);
        } catch (SQLException | RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    private PreparedStatement bound() {
        return (PreparedStatement) boundVendor();
    }

    @Override
    void invoke(Statement s, int op, String text, int keys, int[] indexes, String[] names) throws SQLException {
        if (text != sql) {
            super.invoke(s, op, text, keys, indexes, names); // Statement.execute(String) and friends
            return;
        }
        PreparedStatement p = (PreparedStatement) s;
        Params q = params;
        if (q != null && q.usesStreams) {
            q.streamsConsumed = true;
        }
        switch (op) {
            case QUERY:
                setResult(p.executeQuery());
                hasResultSet = true;
                updateCount = -1;
                return;
            case UPDATE:
                updateCount = p.executeLargeUpdate();
                hasResultSet = false;
                return;
            case EXECUTE:
                hasResultSet = p.execute();
                setResult(hasResultSet ? p.getResultSet() : null);
                updateCount = hasResultSet ? -1 : p.getLargeUpdateCount();
                return;
            case BATCH:
                batchCounts(p.executeLargeBatch());
                q.batches = null; // a batch exists only with parameters: q is set
                hasResultSet = false;
                return;
            default:
                throw new IllegalStateException("unknown operation " + op);
        }
    }

    @Override
    boolean isReadOnly(String sql) {
        Params q = params;
        return (q == null || !(q.usesStreams && q.streamsConsumed) && q.batches == null) && super.isReadOnly(sql);
    }

    // ------------------------------------------------------------------------------------ execution

    @Override
    public ResultSet executeQuery() throws SQLException {
        run(QUERY, sql, -1, null, null);
        return getResultSet();
    }

    @Override
    public int executeUpdate() throws SQLException {
        run(UPDATE, sql, -1, null, null);
        return (int) updateCount;
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        run(UPDATE, sql, -1, null, null);
        return updateCount;
    }

    @Override
    public boolean execute() throws SQLException {
        run(EXECUTE, sql, -1, null, null);
        return hasResultSet;
    }

    @Override
    public void addBatch() throws SQLException {
        checkOpen();
        Params q = params();
        if (q.batches == null) {
            q.batches = new ArrayList<>();
        }
        q.batches.add(q.snapshot());
        PreparedStatement p = bound();
        if (p != null) {
            p.addBatch();
        }
    }

    @Override
    public void clearBatch() throws SQLException {
        checkOpen();
        if (params != null) {
            params.batches = null;
        }
        PreparedStatement p = bound();
        if (p != null) {
            p.clearBatch();
        }
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        checkOpen();
        if (params == null || params.batches == null || params.batches.isEmpty()) {
            return new long[0];
        }
        run(BATCH, sql, -1, null, null);
        return batchCounts();
    }

    @Override
    public int[] executeBatch() throws SQLException {
        long[] counts = executeLargeBatch();
        int[] narrow = new int[counts.length];
        for (int i = 0; i < counts.length; i++) {
            narrow[i] = (int) counts[i];
        }
        return narrow;
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        return ((PreparedStatement) vendorFor(sql)).getMetaData();
    }

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        return ((PreparedStatement) vendorFor(sql)).getParameterMetaData();
    }

    // ------------------------------------------------------------------------------------ recording

    private void record(int index, int kind, Object value, Object extra, long number) throws SQLException {
        checkOpen();
        if (index < 1) {
            throw new SQLException("parameter index " + index + " is out of range: indexes start at 1", "07009");
        }
        Params q = params();
        if (index >= q.kinds.length) {
            int size = Math.max(index + 1, q.kinds.length * 2);
            q.kinds = Arrays.copyOf(q.kinds, size);
            q.values = Arrays.copyOf(q.values, size);
            q.extras = Arrays.copyOf(q.extras, size);
            q.numbers = Arrays.copyOf(q.numbers, size);
        }
        q.kinds[index] = kind;
        q.values[index] = value;
        q.extras[index] = extra;
        q.numbers[index] = number;
        if (index > q.count) {
            q.count = index;
        }
        if (kind >= ASCII_STREAM) {
            q.usesStreams = true;
            q.streamsConsumed = false;
        }
        PreparedStatement p = bound();
        if (p != null) {
            apply(p, q, index);
        }
    }

    private Params params() {
        Params q = params;
        if (q == null) {
            q = new Params(8);
            params = q;
        }
        return q;
    }

    /** Sets parameter {@code i} as recorded in {@code q} on a vendor statement. */
    private static void apply(PreparedStatement p, Params q, int i) throws SQLException {
        Object v = q.values[i];
        Object x = q.extras[i];
        long n = q.numbers[i];
        switch (q.kinds[i]) {
            case NONE:
                return;
            case NULL:
                p.setNull(i, (int) n);
                return;
            case NULL_TYPE_NAME:
                p.setNull(i, (int) n, (String) x);
                return;
            case BOOLEAN:
                p.setBoolean(i, n != 0);
                return;
            case BYTE:
                p.setByte(i, (byte) n);
                return;
            case SHORT:
                p.setShort(i, (short) n);
                return;
            case INT:
                p.setInt(i, (int) n);
                return;
            case LONG:
                p.setLong(i, n);
                return;
            case FLOAT:
                p.setFloat(i, Float.intBitsToFloat((int) n));
                return;
            case DOUBLE:
                p.setDouble(i, Double.longBitsToDouble(n));
                return;
            case BIG_DECIMAL:
                p.setBigDecimal(i, (BigDecimal) v);
                return;
            case STRING:
                p.setString(i, (String) v);
                return;
            case BYTES:
                p.setBytes(i, (byte[]) v);
                return;
            case DATE:
                if (x == null) {
                    p.setDate(i, (Date) v);
                } else {
                    p.setDate(i, (Date) v, (Calendar) x);
                }
                return;
            case TIME:
                if (x == null) {
                    p.setTime(i, (Time) v);
                } else {
                    p.setTime(i, (Time) v, (Calendar) x);
                }
                return;
            case TIMESTAMP:
                if (x == null) {
                    p.setTimestamp(i, (Timestamp) v);
                } else {
                    p.setTimestamp(i, (Timestamp) v, (Calendar) x);
                }
                return;
            case OBJECT:
                p.setObject(i, v);
                return;
            case OBJECT_TYPE:
                p.setObject(i, v, (int) n);
                return;
            case OBJECT_TYPE_SCALE:
                p.setObject(i, v, (int) (n >> 32), (int) n);
                return;
            case OBJECT_SQL_TYPE:
                p.setObject(i, v, (SQLType) x);
                return;
            case OBJECT_SQL_TYPE_SCALE:
                p.setObject(i, v, (SQLType) x, (int) n);
                return;
            case REF:
                p.setRef(i, (Ref) v);
                return;
            case BLOB:
                p.setBlob(i, (Blob) v);
                return;
            case CLOB:
                p.setClob(i, (Clob) v);
                return;
            case ARRAY:
                p.setArray(i, (Array) v);
                return;
            case URL_VALUE:
                p.setURL(i, (URL) v);
                return;
            case ROW_ID:
                p.setRowId(i, (RowId) v);
                return;
            case NSTRING:
                p.setNString(i, (String) v);
                return;
            case NCLOB:
                p.setNClob(i, (NClob) v);
                return;
            case SQLXML_VALUE:
                p.setSQLXML(i, (SQLXML) v);
                return;
            case ASCII_STREAM:
                if (n < 0) {
                    p.setAsciiStream(i, (InputStream) v);
                } else {
                    p.setAsciiStream(i, (InputStream) v, n);
                }
                return;
            case ASCII_STREAM_INT:
                p.setAsciiStream(i, (InputStream) v, (int) n);
                return;
            case UNICODE_STREAM:
                setUnicode(p, i, (InputStream) v, (int) n);
                return;
            case BINARY_STREAM:
                if (n < 0) {
                    p.setBinaryStream(i, (InputStream) v);
                } else {
                    p.setBinaryStream(i, (InputStream) v, n);
                }
                return;
            case BINARY_STREAM_INT:
                p.setBinaryStream(i, (InputStream) v, (int) n);
                return;
            case CHARACTER_STREAM:
                if (n < 0) {
                    p.setCharacterStream(i, (Reader) v);
                } else {
                    p.setCharacterStream(i, (Reader) v, n);
                }
                return;
            case CHARACTER_STREAM_INT:
                p.setCharacterStream(i, (Reader) v, (int) n);
                return;
            case NCHARACTER_STREAM:
                if (n < 0) {
                    p.setNCharacterStream(i, (Reader) v);
                } else {
                    p.setNCharacterStream(i, (Reader) v, n);
                }
                return;
            case CLOB_READER:
                if (n < 0) {
                    p.setClob(i, (Reader) v);
                } else {
                    p.setClob(i, (Reader) v, n);
                }
                return;
            case BLOB_STREAM:
                if (n < 0) {
                    p.setBlob(i, (InputStream) v);
                } else {
                    p.setBlob(i, (InputStream) v, n);
                }
                return;
            case NCLOB_READER:
                if (n < 0) {
                    p.setNClob(i, (Reader) v);
                } else {
                    p.setNClob(i, (Reader) v, n);
                }
                return;
            default:
                throw new IllegalStateException("unknown parameter kind " + q.kinds[i]);
        }
    }

    @SuppressWarnings("deprecation")
    private static void setUnicode(PreparedStatement p, int i, InputStream in, int length) throws SQLException {
        p.setUnicodeStream(i, in, length);
    }

    @Override
    public void clearParameters() throws SQLException {
        checkOpen();
        Params q = params;
        if (q != null) {
            Arrays.fill(q.kinds, NONE);
            Arrays.fill(q.values, null);
            Arrays.fill(q.extras, null);
            q.count = 0;
            q.usesStreams = false;
            q.streamsConsumed = false;
        }
        PreparedStatement p = bound();
        if (p != null) {
            p.clearParameters();
        }
    }

    // ------------------------------------------------------------------------------------ setters

    @Override
    public void setNull(int parameterIndex, int sqlType) throws SQLException {
        record(parameterIndex, NULL, null, null, sqlType);
    }

    @Override
    public void setNull(int parameterIndex, int sqlType, String typeName) throws SQLException {
        record(parameterIndex, NULL_TYPE_NAME, null, typeName, sqlType);
    }

    @Override
    public void setBoolean(int parameterIndex, boolean x) throws SQLException {
        record(parameterIndex, BOOLEAN, null, null, x ? 1 : 0);
    }

    @Override
    public void setByte(int parameterIndex, byte x) throws SQLException {
        record(parameterIndex, BYTE, null, null, x);
    }

    @Override
    public void setShort(int parameterIndex, short x) throws SQLException {
        record(parameterIndex, SHORT, null, null, x);
    }

    @Override
    public void setInt(int parameterIndex, int x) throws SQLException {
        record(parameterIndex, INT, null, null, x);
    }

    @Override
    public void setLong(int parameterIndex, long x) throws SQLException {
        record(parameterIndex, LONG, null, null, x);
    }

    @Override
    public void setFloat(int parameterIndex, float x) throws SQLException {
        record(parameterIndex, FLOAT, null, null, Float.floatToRawIntBits(x));
    }

    @Override
    public void setDouble(int parameterIndex, double x) throws SQLException {
        record(parameterIndex, DOUBLE, null, null, Double.doubleToRawLongBits(x));
    }

    @Override
    public void setBigDecimal(int parameterIndex, BigDecimal x) throws SQLException {
        record(parameterIndex, BIG_DECIMAL, x, null, 0);
    }

    @Override
    public void setString(int parameterIndex, String x) throws SQLException {
        record(parameterIndex, STRING, x, null, 0);
    }

    @Override
    public void setBytes(int parameterIndex, byte[] x) throws SQLException {
        record(parameterIndex, BYTES, x, null, 0);
    }

    @Override
    public void setDate(int parameterIndex, Date x) throws SQLException {
        record(parameterIndex, DATE, x, null, 0);
    }

    @Override
    public void setDate(int parameterIndex, Date x, Calendar cal) throws SQLException {
        record(parameterIndex, DATE, x, cal, 0);
    }

    @Override
    public void setTime(int parameterIndex, Time x) throws SQLException {
        record(parameterIndex, TIME, x, null, 0);
    }

    @Override
    public void setTime(int parameterIndex, Time x, Calendar cal) throws SQLException {
        record(parameterIndex, TIME, x, cal, 0);
    }

    @Override
    public void setTimestamp(int parameterIndex, Timestamp x) throws SQLException {
        record(parameterIndex, TIMESTAMP, x, null, 0);
    }

    @Override
    public void setTimestamp(int parameterIndex, Timestamp x, Calendar cal) throws SQLException {
        record(parameterIndex, TIMESTAMP, x, cal, 0);
    }

    @Override
    public void setAsciiStream(int parameterIndex, InputStream x, int length) throws SQLException {
        record(parameterIndex, ASCII_STREAM_INT, x, null, length);
    }

    @Override
    @Deprecated
    public void setUnicodeStream(int parameterIndex, InputStream x, int length) throws SQLException {
        record(parameterIndex, UNICODE_STREAM, x, null, length);
    }

    @Override
    public void setBinaryStream(int parameterIndex, InputStream x, int length) throws SQLException {
        record(parameterIndex, BINARY_STREAM_INT, x, null, length);
    }

    @Override
    public void setObject(int parameterIndex, Object x, int targetSqlType) throws SQLException {
        record(parameterIndex, OBJECT_TYPE, x, null, targetSqlType);
    }

    @Override
    public void setObject(int parameterIndex, Object x) throws SQLException {
        record(parameterIndex, OBJECT, x, null, 0);
    }

    @Override
    public void setObject(int parameterIndex, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
        record(parameterIndex, OBJECT_TYPE_SCALE, x, null, ((long) targetSqlType << 32) | (scaleOrLength & 0xffffffffL));
    }

    @Override
    public void setObject(int parameterIndex, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        record(parameterIndex, OBJECT_SQL_TYPE_SCALE, x, targetSqlType, scaleOrLength);
    }

    @Override
    public void setObject(int parameterIndex, Object x, SQLType targetSqlType) throws SQLException {
        record(parameterIndex, OBJECT_SQL_TYPE, x, targetSqlType, 0);
    }

    @Override
    public void setCharacterStream(int parameterIndex, Reader reader, int length) throws SQLException {
        record(parameterIndex, CHARACTER_STREAM_INT, reader, null, length);
    }

    @Override
    public void setRef(int parameterIndex, Ref x) throws SQLException {
        record(parameterIndex, REF, x, null, 0);
    }

    @Override
    public void setBlob(int parameterIndex, Blob x) throws SQLException {
        record(parameterIndex, BLOB, x, null, 0);
    }

    @Override
    public void setClob(int parameterIndex, Clob x) throws SQLException {
        record(parameterIndex, CLOB, x, null, 0);
    }

    @Override
    public void setArray(int parameterIndex, Array x) throws SQLException {
        record(parameterIndex, ARRAY, x, null, 0);
    }

    @Override
    public void setURL(int parameterIndex, URL x) throws SQLException {
        record(parameterIndex, URL_VALUE, x, null, 0);
    }

    @Override
    public void setRowId(int parameterIndex, RowId x) throws SQLException {
        record(parameterIndex, ROW_ID, x, null, 0);
    }

    @Override
    public void setNString(int parameterIndex, String value) throws SQLException {
        record(parameterIndex, NSTRING, value, null, 0);
    }

    @Override
    public void setNCharacterStream(int parameterIndex, Reader value, long length) throws SQLException {
        record(parameterIndex, NCHARACTER_STREAM, value, null, length);
    }

    @Override
    public void setNClob(int parameterIndex, NClob value) throws SQLException {
        record(parameterIndex, NCLOB, value, null, 0);
    }

    @Override
    public void setClob(int parameterIndex, Reader reader, long length) throws SQLException {
        record(parameterIndex, CLOB_READER, reader, null, length);
    }

    @Override
    public void setBlob(int parameterIndex, InputStream inputStream, long length) throws SQLException {
        record(parameterIndex, BLOB_STREAM, inputStream, null, length);
    }

    @Override
    public void setNClob(int parameterIndex, Reader reader, long length) throws SQLException {
        record(parameterIndex, NCLOB_READER, reader, null, length);
    }

    @Override
    public void setSQLXML(int parameterIndex, SQLXML xmlObject) throws SQLException {
        record(parameterIndex, SQLXML_VALUE, xmlObject, null, 0);
    }

    @Override
    public void setAsciiStream(int parameterIndex, InputStream x, long length) throws SQLException {
        record(parameterIndex, ASCII_STREAM, x, null, length);
    }

    @Override
    public void setBinaryStream(int parameterIndex, InputStream x, long length) throws SQLException {
        record(parameterIndex, BINARY_STREAM, x, null, length);
    }

    @Override
    public void setCharacterStream(int parameterIndex, Reader reader, long length) throws SQLException {
        record(parameterIndex, CHARACTER_STREAM, reader, null, length);
    }

    @Override
    public void setAsciiStream(int parameterIndex, InputStream x) throws SQLException {
        record(parameterIndex, ASCII_STREAM, x, null, -1);
    }

    @Override
    public void setBinaryStream(int parameterIndex, InputStream x) throws SQLException {
        record(parameterIndex, BINARY_STREAM, x, null, -1);
    }

    @Override
    public void setCharacterStream(int parameterIndex, Reader reader) throws SQLException {
        record(parameterIndex, CHARACTER_STREAM, reader, null, -1);
    }

    @Override
    public void setNCharacterStream(int parameterIndex, Reader value) throws SQLException {
        record(parameterIndex, NCHARACTER_STREAM, value, null, -1);
    }

    @Override
    public void setClob(int parameterIndex, Reader reader) throws SQLException {
        record(parameterIndex, CLOB_READER, reader, null, -1);
    }

    @Override
    public void setBlob(int parameterIndex, InputStream inputStream) throws SQLException {
        record(parameterIndex, BLOB_STREAM, inputStream, null, -1);
    }

    @Override
    public void setNClob(int parameterIndex, Reader reader) throws SQLException {
        record(parameterIndex, NCLOB_READER, reader, null, -1);
    }
}
