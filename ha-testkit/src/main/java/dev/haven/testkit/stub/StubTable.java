package dev.haven.testkit.stub;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;

/**
 * An immutable result: column labels and rows of strings (a {@code null} cell is SQL NULL). It is its own
 * {@link ResultSetMetaData}, so {@code getMetaData()} allocates nothing.
 */
public final class StubTable implements ResultSetMetaData {

    private final String[] labels;
    private final String[][] rows;

    /** A table with these column labels and rows; the arrays are kept, not copied, and must not change. */
    public StubTable(String[] labels, String[]... rows) {
        for (String[] row : rows) {
            if (row.length != labels.length) {
                throw new IllegalArgumentException("a row has " + row.length + " cells for " + labels.length + " columns");
            }
        }
        this.labels = labels;
        this.rows = rows;
    }

    /** One row, one column. */
    public static StubTable single(String label, String value) {
        return new StubTable(new String[] {label}, new String[] {value});
    }

    /** Columns and no row. */
    public static StubTable empty(String... labels) {
        return new StubTable(labels);
    }

    public int rowCount() {
        return rows.length;
    }

    /** The cell at a 0-based row and a 1-based column, as JDBC numbers columns. */
    String cell(int row, int column) throws SQLException {
        if (column < 1 || column > labels.length) {
            throw new SQLException("no column " + column + " (of " + labels.length + ")", "S1002");
        }
        return rows[row][column - 1];
    }

    /** The 1-based index of a column label, case-insensitively, as JDBC finds columns. */
    int find(String label) throws SQLException {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i].equalsIgnoreCase(label)) {
                return i + 1;
            }
        }
        throw new SQLException("no column " + label, "S0022");
    }

    private String label(int column) throws SQLException {
        if (column < 1 || column > labels.length) {
            throw new SQLException("no column " + column + " (of " + labels.length + ")", "S1002");
        }
        return labels[column - 1];
    }

    @Override
    public int getColumnCount() {
        return labels.length;
    }

    @Override
    public String getColumnLabel(int column) throws SQLException {
        return label(column);
    }

    @Override
    public String getColumnName(int column) throws SQLException {
        return label(column);
    }

    @Override
    public int getColumnType(int column) throws SQLException {
        label(column);
        return Types.VARCHAR;
    }

    @Override
    public String getColumnTypeName(int column) throws SQLException {
        label(column);
        return "VARCHAR";
    }

    @Override
    public String getColumnClassName(int column) throws SQLException {
        label(column);
        return String.class.getName();
    }

    @Override
    public int isNullable(int column) throws SQLException {
        label(column);
        return columnNullable;
    }

    @Override
    public boolean isReadOnly(int column) throws SQLException {
        label(column);
        return true;
    }

    @Override
    public boolean isWritable(int column) throws SQLException {
        label(column);
        return false;
    }

    @Override
    public boolean isDefinitelyWritable(int column) throws SQLException {
        label(column);
        return false;
    }

    @Override
    public boolean isCaseSensitive(int column) throws SQLException {
        label(column);
        return false;
    }

    @Override
    public boolean isSearchable(int column) throws SQLException {
        label(column);
        return true;
    }

    @Override
    public boolean isCurrency(int column) throws SQLException {
        label(column);
        return false;
    }

    @Override
    public boolean isSigned(int column) throws SQLException {
        label(column);
        return false;
    }

    @Override
    public boolean isAutoIncrement(int column) throws SQLException {
        label(column);
        return false;
    }

    @Override
    public int getColumnDisplaySize(int column) throws SQLException {
        label(column);
        return 255;
    }

    @Override
    public int getPrecision(int column) throws SQLException {
        label(column);
        return 255;
    }

    @Override
    public int getScale(int column) throws SQLException {
        label(column);
        return 0;
    }

    @Override
    public String getSchemaName(int column) throws SQLException {
        label(column);
        return "";
    }

    @Override
    public String getTableName(int column) throws SQLException {
        label(column);
        return "";
    }

    @Override
    public String getCatalogName(int column) throws SQLException {
        label(column);
        return "";
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
