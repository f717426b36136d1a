package dev.haven.core.internal.discovery;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Result sets as lists of rows keyed by column label, case-insensitively. Discovery reads a few small result
 * sets per probe; keeping the parsing on plain maps lets it be tested on rows recorded from the documented
 * layouts, with no JDBC stub.
 */
final class Rows {

    private Rows() {
    }

    static List<Map<String, String>> query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            int columns = meta.getColumnCount();
            List<Map<String, String>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, String> row = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                for (int i = 1; i <= columns; i++) {
                    row.put(meta.getColumnLabel(i), rs.getString(i));
                }
                rows.add(Collections.unmodifiableMap(row));
            }
            return rows;
        }
    }

    static Map<String, String> single(Connection connection, String sql) throws SQLException {
        List<Map<String, String>> rows = query(connection, sql);
        if (rows.isEmpty()) {
            throw new SQLException("no row from: " + sql);
        }
        return rows.get(0);
    }

    /** The first of several column names present in the row (MySQL 8.0.22 renamed Master_* to Source_*). */
    static String get(Map<String, String> row, String... names) {
        for (String name : names) {
            if (row.containsKey(name)) {
                return row.get(name);
            }
        }
        return null;
    }

    static long getLong(Map<String, String> row, long missing, String... names) {
        String value = get(row, names);
        if (value == null || value.isBlank()) {
            return missing;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return missing;
        }
    }

    static boolean getFlag(Map<String, String> row, String... names) {
        String value = get(row, names);
        return value != null && (value.equals("1") || value.equalsIgnoreCase("ON") || value.equalsIgnoreCase("Yes")
                || value.equalsIgnoreCase("true"));
    }
}
