package dev.haven.jdbc.internal;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.Map;

/**
 * The methods {@link CallableStatement} adds to {@link java.sql.PreparedStatement}, each forwarded to
 * {@link #rawCallable()}. Haven's callable statement extends Haven's prepared statement (which implements every
 * {@code PreparedStatement} and {@code Statement} method, {@code unwrap} and {@code getConnection} included) and
 * implements this interface, so that only {@link #rawCallable()} is left to write:
 *
 * <pre>{@code
 * final class HaCallableStatement extends HaPreparedStatement implements CallableStatementDelegate {
 *     public CallableStatement rawCallable() { return (CallableStatement) raw(); }
 * }
 * }</pre>
 *
 * <p>Implementation notes: default methods, because a class can extend only one wrapper; they exist only for the
 * methods {@code CallableStatement} itself declares (none of {@code PreparedStatement}'s or {@code Statement}'s,
 * which the class above must declare, class methods winning over interface defaults), the interface's own
 * defaults included ({@code registerOutParameter(..., SQLType)}, {@code setObject(String, ..., SQLType)}), so
 * that they reach the vendor driver instead of throwing. None of these methods returns a result set or a
 * connection by signature, so nothing is wrapped (only a {@code REF_CURSOR} out parameter read with
 * {@code getObject} would be one, and neither MySQL nor MariaDB has them). {@code WrapperDelegationTest} fails the
 * build when one is missing.
 */
public interface CallableStatementDelegate extends CallableStatement {

    /** The vendor driver's callable statement every default method forwards to; called once per forwarded call. */
    CallableStatement rawCallable() throws SQLException;

    // ----------------------------------------------------------- delegated, in CallableStatement's declaration order

    @Override
    default void registerOutParameter(int parameterIndex, int sqlType) throws SQLException {
        rawCallable().registerOutParameter(parameterIndex, sqlType);
    }

    @Override
    default void registerOutParameter(int parameterIndex, int sqlType, int scale) throws SQLException {
        rawCallable().registerOutParameter(parameterIndex, sqlType, scale);
    }

    @Override
    default boolean wasNull() throws SQLException {
        return rawCallable().wasNull();
    }

    @Override
    default String getString(int parameterIndex) throws SQLException {
        return rawCallable().getString(parameterIndex);
    }

    @Override
    default boolean getBoolean(int parameterIndex) throws SQLException {
        return rawCallable().getBoolean(parameterIndex);
    }

    @Override
    default byte getByte(int parameterIndex) throws SQLException {
        return rawCallable().getByte(parameterIndex);
    }

    @Override
    default short getShort(int parameterIndex) throws SQLException {
        return rawCallable().getShort(parameterIndex);
    }

    @Override
    default int getInt(int parameterIndex) throws SQLException {
        return rawCallable().getInt(parameterIndex);
    }

    @Override
    default long getLong(int parameterIndex) throws SQLException {
        return rawCallable().getLong(parameterIndex);
    }

    @Override
    default float getFloat(int parameterIndex) throws SQLException {
        return rawCallable().getFloat(parameterIndex);
    }

    @Override
    default double getDouble(int parameterIndex) throws SQLException {
        return rawCallable().getDouble(parameterIndex);
    }

    @Deprecated
    @Override
    default BigDecimal getBigDecimal(int parameterIndex, int scale) throws SQLException {
        return rawCallable().getBigDecimal(parameterIndex, scale);
    }

    @Override
    default byte[] getBytes(int parameterIndex) throws SQLException {
        return rawCallable().getBytes(parameterIndex);
    }

    @Override
    default Date getDate(int parameterIndex) throws SQLException {
        return rawCallable().getDate(parameterIndex);
    }

    @Override
    default Time getTime(int parameterIndex) throws SQLException {
        return rawCallable().getTime(parameterIndex);
    }

    @Override
    default Timestamp getTimestamp(int parameterIndex) throws SQLException {
        return rawCallable().getTimestamp(parameterIndex);
    }

    @Override
    default Object getObject(int parameterIndex) throws SQLException {
        return rawCallable().getObject(parameterIndex);
    }

    @Override
    default BigDecimal getBigDecimal(int parameterIndex) throws SQLException {
        return rawCallable().getBigDecimal(parameterIndex);
    }

    @Override
    default Object getObject(int parameterIndex, Map<String, Class<?>> map) throws SQLException {
        return rawCallable().getObject(parameterIndex, map);
    }

    @Override
    default Ref getRef(int parameterIndex) throws SQLException {
        return rawCallable().getRef(parameterIndex);
    }

    @Override
    default Blob getBlob(int parameterIndex) throws SQLException {
        return rawCallable().getBlob(parameterIndex);
    }

    @Override
    default Clob getClob(int parameterIndex) throws SQLException {
        return rawCallable().getClob(parameterIndex);
    }

    @Override
    default Array getArray(int parameterIndex) throws SQLException {
        return rawCallable().getArray(parameterIndex);
    }

    @Override
    default Date getDate(int parameterIndex, Calendar cal) throws SQLException {
        return rawCallable().getDate(parameterIndex, cal);
    }

    @Override
    default Time getTime(int parameterIndex, Calendar cal) throws SQLException {
        return rawCallable().getTime(parameterIndex, cal);
    }

    @Override
    default Timestamp getTimestamp(int parameterIndex, Calendar cal) throws SQLException {
        return rawCallable().getTimestamp(parameterIndex, cal);
    }

    @Override
    default void registerOutParameter(int parameterIndex, int sqlType, String typeName) throws SQLException {
        rawCallable().registerOutParameter(parameterIndex, sqlType, typeName);
    }

    @Override
    default void registerOutParameter(String parameterName, int sqlType) throws SQLException {
        rawCallable().registerOutParameter(parameterName, sqlType);
    }

    @Override
    default void registerOutParameter(String parameterName, int sqlType, int scale) throws SQLException {
        rawCallable().registerOutParameter(parameterName, sqlType, scale);
    }

    @Override
    default void registerOutParameter(String parameterName, int sqlType, String typeName) throws SQLException {
        rawCallable().registerOutParameter(parameterName, sqlType, typeName);
    }

    @Override
    default URL getURL(int parameterIndex) throws SQLException {
        return rawCallable().getURL(parameterIndex);
    }

    @Override
    default void setURL(String parameterName, URL val) throws SQLException {
        rawCallable().setURL(parameterName, val);
    }

    @Override
    default void setNull(String parameterName, int sqlType) throws SQLException {
        rawCallable().setNull(parameterName, sqlType);
    }

    @Override
    default void setBoolean(String parameterName, boolean x) throws SQLException {
        rawCallable().setBoolean(parameterName, x);
    }

    @Override
    default void setByte(String parameterName, byte x) throws SQLException {
        rawCallable().setByte(parameterName, x);
    }

    @Override
    default void setShort(String parameterName, short x) throws SQLException {
        rawCallable().setShort(parameterName, x);
    }

    @Override
    default void setInt(String parameterName, int x) throws SQLException {
        rawCallable().setInt(parameterName, x);
    }

    @Override
    default void setLong(String parameterName, long x) throws SQLException {
        rawCallable().setLong(parameterName, x);
    }

    @Override
    default void setFloat(String parameterName, float x) throws SQLException {
        rawCallable().setFloat(parameterName, x);
    }

    @Override
    default void setDouble(String parameterName, double x) throws SQLException {
        rawCallable().setDouble(parameterName, x);
    }

    @Override
    default void setBigDecimal(String parameterName, BigDecimal x) throws SQLException {
        rawCallable().setBigDecimal(parameterName, x);
    }

    @Override
    default void setString(String parameterName, String x) throws SQLException {
        rawCallable().setString(parameterName, x);
    }

    @Override
    default void setBytes(String parameterName, byte[] x) throws SQLException {
        rawCallable().setBytes(parameterName, x);
    }

    @Override
    default void setDate(String parameterName, Date x) throws SQLException {
        rawCallable().setDate(parameterName, x);
    }

    @Override
    default void setTime(String parameterName, Time x) throws SQLException {
        rawCallable().setTime(parameterName, x);
    }

    @Override
    default void setTimestamp(String parameterName, Timestamp x) throws SQLException {
        rawCallable().setTimestamp(parameterName, x);
    }

    @Override
    default void setAsciiStream(String parameterName, InputStream x, int length) throws SQLException {
        rawCallable().setAsciiStream(parameterName, x, length);
    }

    @Override
    default void setBinaryStream(String parameterName, InputStream x, int length) throws SQLException {
        rawCallable().setBinaryStream(parameterName, x, length);
    }

    @Override
    default void setObject(String parameterName, Object x, int targetSqlType, int scale) throws SQLException {
        rawCallable().setObject(parameterName, x, targetSqlType, scale);
    }

    @Override
    default void setObject(String parameterName, Object x, int targetSqlType) throws SQLException {
        rawCallable().setObject(parameterName, x, targetSqlType);
    }

    @Override
    default void setObject(String parameterName, Object x) throws SQLException {
        rawCallable().setObject(parameterName, x);
    }

    @Override
    default void setCharacterStream(String parameterName, Reader reader, int length) throws SQLException {
        rawCallable().setCharacterStream(parameterName, reader, length);
    }

    @Override
    default void setDate(String parameterName, Date x, Calendar cal) throws SQLException {
        rawCallable().setDate(parameterName, x, cal);
    }

    @Override
    default void setTime(String parameterName, Time x, Calendar cal) throws SQLException {
        rawCallable().setTime(parameterName, x, cal);
    }

    @Override
    default void setTimestamp(String parameterName, Timestamp x, Calendar cal) throws SQLException {
        rawCallable().setTimestamp(parameterName, x, cal);
    }

    @Override
    default void setNull(String parameterName, int sqlType, String typeName) throws SQLException {
        rawCallable().setNull(parameterName, sqlType, typeName);
    }

    @Override
    default String getString(String parameterName) throws SQLException {
        return rawCallable().getString(parameterName);
    }

    @Override
    default boolean getBoolean(String parameterName) throws SQLException {
        return rawCallable().getBoolean(parameterName);
    }

    @Override
    default byte getByte(String parameterName) throws SQLException {
        return rawCallable().getByte(parameterName);
    }

    @Override
    default short getShort(String parameterName) throws SQLException {
        return rawCallable().getShort(parameterName);
    }

    @Override
    default int getInt(String parameterName) throws SQLException {
        return rawCallable().getInt(parameterName);
    }

    @Override
    default long getLong(String parameterName) throws SQLException {
        return rawCallable().getLong(parameterName);
    }

    @Override
    default float getFloat(String parameterName) throws SQLException {
        return rawCallable().getFloat(parameterName);
    }

    @Override
    default double getDouble(String parameterName) throws SQLException {
        return rawCallable().getDouble(parameterName);
    }

    @Override
    default byte[] getBytes(String parameterName) throws SQLException {
        return rawCallable().getBytes(parameterName);
    }

    @Override
    default Date getDate(String parameterName) throws SQLException {
        return rawCallable().getDate(parameterName);
    }

    @Override
    default Time getTime(String parameterName) throws SQLException {
        return rawCallable().getTime(parameterName);
    }

    @Override
    default Timestamp getTimestamp(String parameterName) throws SQLException {
        return rawCallable().getTimestamp(parameterName);
    }

    @Override
    default Object getObject(String parameterName) throws SQLException {
        return rawCallable().getObject(parameterName);
    }

    @Override
    default BigDecimal getBigDecimal(String parameterName) throws SQLException {
        return rawCallable().getBigDecimal(parameterName);
    }

    @Override
    default Object getObject(String parameterName, Map<String, Class<?>> map) throws SQLException {
        return rawCallable().getObject(parameterName, map);
    }

    @Override
    default Ref getRef(String parameterName) throws SQLException {
        return rawCallable().getRef(parameterName);
    }

    @Override
    default Blob getBlob(String parameterName) throws SQLException {
        return rawCallable().getBlob(parameterName);
    }

    @Override
    default Clob getClob(String parameterName) throws SQLException {
        return rawCallable().getClob(parameterName);
    }

    @Override
    default Array getArray(String parameterName) throws SQLException {
        return rawCallable().getArray(parameterName);
    }

    @Override
    default Date getDate(String parameterName, Calendar cal) throws SQLException {
        return rawCallable().getDate(parameterName, cal);
    }

    @Override
    default Time getTime(String parameterName, Calendar cal) throws SQLException {
        return rawCallable().getTime(parameterName, cal);
    }

    @Override
    default Timestamp getTimestamp(String parameterName, Calendar cal) throws SQLException {
        return rawCallable().getTimestamp(parameterName, cal);
    }

    @Override
    default URL getURL(String parameterName) throws SQLException {
        return rawCallable().getURL(parameterName);
    }

    @Override
    default RowId getRowId(int parameterIndex) throws SQLException {
        return rawCallable().getRowId(parameterIndex);
    }

    @Override
    default RowId getRowId(String parameterName) throws SQLException {
        return rawCallable().getRowId(parameterName);
    }

    @Override
    default void setRowId(String parameterName, RowId x) throws SQLException {
        rawCallable().setRowId(parameterName, x);
    }

    @Override
    default void setNString(String parameterName, String value) throws SQLException {
        rawCallable().setNString(parameterName, value);
    }

    @Override
    default void setNCharacterStream(String parameterName, Reader value, long length) throws SQLException {
        rawCallable().setNCharacterStream(parameterName, value, length);
    }

    @Override
    default void setNClob(String parameterName, NClob value) throws SQLException {
        rawCallable().setNClob(parameterName, value);
    }

    @Override
    default void setClob(String parameterName, Reader reader, long length) throws SQLException {
        rawCallable().setClob(parameterName, reader, length);
    }

    @Override
    default void setBlob(String parameterName, InputStream inputStream, long length) throws SQLException {
        rawCallable().setBlob(parameterName, inputStream, length);
    }

    @Override
    default void setNClob(String parameterName, Reader reader, long length) throws SQLException {
        rawCallable().setNClob(parameterName, reader, length);
    }

    @Override
    default NClob getNClob(int parameterIndex) throws SQLException {
        return rawCallable().getNClob(parameterIndex);
    }

    @Override
    default NClob getNClob(String parameterName) throws SQLException {
        return rawCallable().getNClob(parameterName);
    }

    @Override
    default void setSQLXML(String parameterName, SQLXML xmlObject) throws SQLException {
        rawCallable().setSQLXML(parameterName, xmlObject);
    }

    @Override
    default SQLXML getSQLXML(int parameterIndex) throws SQLException {
        return rawCallable().getSQLXML(parameterIndex);
    }

    @Override
    default SQLXML getSQLXML(String parameterName) throws SQLException {
        return rawCallable().getSQLXML(parameterName);
    }

    @Override
    default String getNString(int parameterIndex) throws SQLException {
        return rawCallable().getNString(parameterIndex);
    }

    @Override
    default String getNString(String parameterName) throws SQLException {
        return rawCallable().getNString(parameterName);
    }

    @Override
    default Reader getNCharacterStream(int parameterIndex) throws SQLException {
        return rawCallable().getNCharacterStream(parameterIndex);
    }

    @Override
    default Reader getNCharacterStream(String parameterName) throws SQLException {
        return rawCallable().getNCharacterStream(parameterName);
    }

    @Override
    default Reader getCharacterStream(int parameterIndex) throws SQLException {
        return rawCallable().getCharacterStream(parameterIndex);
    }

    @Override
    default Reader getCharacterStream(String parameterName) throws SQLException {
        return rawCallable().getCharacterStream(parameterName);
    }

    @Override
    default void setBlob(String parameterName, Blob x) throws SQLException {
        rawCallable().setBlob(parameterName, x);
    }

    @Override
    default void setClob(String parameterName, Clob x) throws SQLException {
        rawCallable().setClob(parameterName, x);
    }

    @Override
    default void setAsciiStream(String parameterName, InputStream x, long length) throws SQLException {
        rawCallable().setAsciiStream(parameterName, x, length);
    }

    @Override
    default void setBinaryStream(String parameterName, InputStream x, long length) throws SQLException {
        rawCallable().setBinaryStream(parameterName, x, length);
    }

    @Override
    default void setCharacterStream(String parameterName, Reader reader, long length) throws SQLException {
        rawCallable().setCharacterStream(parameterName, reader, length);
    }

    @Override
    default void setAsciiStream(String parameterName, InputStream x) throws SQLException {
        rawCallable().setAsciiStream(parameterName, x);
    }

    @Override
    default void setBinaryStream(String parameterName, InputStream x) throws SQLException {
        rawCallable().setBinaryStream(parameterName, x);
    }

    @Override
    default void setCharacterStream(String parameterName, Reader reader) throws SQLException {
        rawCallable().setCharacterStream(parameterName, reader);
    }

    @Override
    default void setNCharacterStream(String parameterName, Reader value) throws SQLException {
        rawCallable().setNCharacterStream(parameterName, value);
    }

    @Override
    default void setClob(String parameterName, Reader reader) throws SQLException {
        rawCallable().setClob(parameterName, reader);
    }

    @Override
    default void setBlob(String parameterName, InputStream inputStream) throws SQLException {
        rawCallable().setBlob(parameterName, inputStream);
    }

    @Override
    default void setNClob(String parameterName, Reader reader) throws SQLException {
        rawCallable().setNClob(parameterName, reader);
    }

    @Override
    default <T> T getObject(int parameterIndex, Class<T> type) throws SQLException {
        return rawCallable().getObject(parameterIndex, type);
    }

    @Override
    default <T> T getObject(String parameterName, Class<T> type) throws SQLException {
        return rawCallable().getObject(parameterName, type);
    }

    @Override
    default void setObject(String parameterName, Object x, SQLType targetSqlType, int scaleOrLength)
            throws SQLException {
        rawCallable().setObject(parameterName, x, targetSqlType, scaleOrLength);
    }

    @Override
    default void setObject(String parameterName, Object x, SQLType targetSqlType) throws SQLException {
        rawCallable().setObject(parameterName, x, targetSqlType);
    }

    @Override
    default void registerOutParameter(int parameterIndex, SQLType sqlType) throws SQLException {
        rawCallable().registerOutParameter(parameterIndex, sqlType);
    }

    @Override
    default void registerOutParameter(int parameterIndex, SQLType sqlType, int scale) throws SQLException {
        rawCallable().registerOutParameter(parameterIndex, sqlType, scale);
    }

    @Override
    default void registerOutParameter(int parameterIndex, SQLType sqlType, String typeName) throws SQLException {
        rawCallable().registerOutParameter(parameterIndex, sqlType, typeName);
    }

    @Override
    default void registerOutParameter(String parameterName, SQLType sqlType) throws SQLException {
        rawCallable().registerOutParameter(parameterName, sqlType);
    }

    @Override
    default void registerOutParameter(String parameterName, SQLType sqlType, int scale) throws SQLException {
        rawCallable().registerOutParameter(parameterName, sqlType, scale);
    }

    @Override
    default void registerOutParameter(String parameterName, SQLType sqlType, String typeName) throws SQLException {
        rawCallable().registerOutParameter(parameterName, sqlType, typeName);
    }
}
