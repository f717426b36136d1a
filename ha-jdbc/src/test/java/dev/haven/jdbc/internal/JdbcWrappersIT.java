package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalClusterExtension;
import java.io.InputStream;
import java.math.BigDecimal;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.JDBCType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link HaResultSet}, {@link HaDatabaseMetaData} and {@link CallableStatementDelegate} around the real vendor
 * objects of both drivers, on the primary of a real cluster: values read through the wrappers, the owners they
 * answer, and unwrapping to the vendor classes.
 */
class JdbcWrappersIT {

    @RegisterExtension
    static final LocalClusterExtension CLUSTER =
            new LocalClusterExtension(LocalCluster.builder().replicas(1).semiSync(false));

    private static final byte[] BYTES = {0, -1, 16, 127};

    /** The two vendor drivers and the vendor classes their objects unwrap to. */
    enum Vendor {
        MYSQL(com.mysql.cj.jdbc.result.ResultSetImpl.class, com.mysql.cj.jdbc.DatabaseMetaData.class,
                com.mysql.cj.jdbc.CallableStatement.class),
        MARIADB(org.mariadb.jdbc.client.result.Result.class, org.mariadb.jdbc.DatabaseMetaData.class,
                org.mariadb.jdbc.BaseCallableStatement.class);

        final Class<? extends ResultSet> resultSetClass;
        final Class<? extends DatabaseMetaData> metaDataClass;
        final Class<? extends CallableStatement> callableClass;

        Vendor(Class<? extends ResultSet> resultSetClass, Class<? extends DatabaseMetaData> metaDataClass,
                Class<? extends CallableStatement> callableClass) {
            this.resultSetClass = resultSetClass;
            this.metaDataClass = metaDataClass;
            this.callableClass = callableClass;
        }

        Connection connectToPrimary() throws SQLException {
            LocalCluster cluster = CLUSTER.cluster();
            String url = this == MYSQL ? cluster.primary().mysqlUrl() : cluster.primary().mariadbUrl();
            return DriverManager.getConnection(url, cluster.appUser(), cluster.appPassword());
        }
    }

    @BeforeAll
    static void createSchema() throws SQLException {
        LocalCluster cluster = CLUSTER.cluster();
        try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE wrap_types (id INT PRIMARY KEY, i INT, b BIGINT, d DECIMAL(12,3), s VARCHAR(40),"
                    + " dt DATE, tm TIME, ts DATETIME(3), bl BLOB)");
            s.execute("INSERT INTO wrap_types VALUES (1, -7, 9007199254740993, 12345.678, 'héllo wörld',"
                    + " '2024-02-29', '23:59:58', '2024-02-29 12:34:56.789', X'00FF107F'),"
                    + " (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
            s.execute("CREATE PROCEDURE wrap_proc(IN x INT, OUT doubled INT, OUT label VARCHAR(20),"
                    + " INOUT acc DECIMAL(10,2))"
                    + " BEGIN SET doubled = x * 2; SET label = CONCAT('n', x); SET acc = acc + x; END");
        }
    }

    // ------------------------------------------------------------------------------------------------ HaResultSet

    @ParameterizedTest
    @EnumSource(Vendor.class)
    void aResultSetReadsEveryCommonTypeThroughTheWrapper(Vendor vendor) throws Exception {
        try (Connection c = vendor.connectToPrimary(); Statement owner = c.createStatement();
                Statement s = c.createStatement();
                ResultSet raw = s.executeQuery("SELECT id, i, b, d, s, dt, tm, ts, bl FROM wrap_types ORDER BY id")) {
            HaResultSet rs = new HaResultSet(raw, owner);
            assertThat(rs.getMetaData().getColumnCount()).isEqualTo(9);
            assertThat(rs.findColumn("ts")).isEqualTo(8);

            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(2)).isEqualTo(-7);
            assertThat(rs.getInt("i")).isEqualTo(-7);
            assertThat(rs.wasNull()).isFalse();
            assertThat(rs.getLong("b")).isEqualTo(9_007_199_254_740_993L);
            assertThat(rs.getObject(3, Long.class)).isEqualTo(9_007_199_254_740_993L);
            assertThat(rs.getBigDecimal("d")).isEqualTo(new BigDecimal("12345.678"));
            assertThat(rs.getObject("d", BigDecimal.class)).isEqualTo(new BigDecimal("12345.678"));
            assertThat(rs.getString(5)).isEqualTo("héllo wörld");
            assertThat(rs.getString("s")).isEqualTo("héllo wörld");
            assertThat(rs.getDate("dt")).isEqualTo(Date.valueOf("2024-02-29"));
            assertThat(rs.getObject("dt", LocalDate.class)).isEqualTo(LocalDate.of(2024, 2, 29));
            assertThat(rs.getTime("tm")).isEqualTo(Time.valueOf("23:59:58"));
            assertThat(rs.getObject("tm", LocalTime.class)).isEqualTo(LocalTime.of(23, 59, 58));
            assertThat(rs.getTimestamp(8)).isEqualTo(Timestamp.valueOf("2024-02-29 12:34:56.789"));
            assertThat(rs.getObject("ts", LocalDateTime.class))
                    .isEqualTo(LocalDateTime.of(2024, 2, 29, 12, 34, 56, 789_000_000));
            assertThat(rs.getBytes("bl")).isEqualTo(BYTES);
            assertThat(rs.getBlob(9).length()).isEqualTo(BYTES.length);
            try (InputStream in = rs.getBinaryStream("bl")) {
                assertThat(in.readAllBytes()).isEqualTo(BYTES);
            }

            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt("id")).isEqualTo(2);
            assertThat(rs.getInt("i")).isZero();
            assertThat(rs.wasNull()).isTrue();
            assertThat(rs.getLong(3)).isZero();
            assertThat(rs.wasNull()).isTrue();
            assertThat(rs.getBigDecimal("d")).isNull();
            assertThat(rs.wasNull()).isTrue();
            assertThat(rs.getString("s")).isNull();
            assertThat(rs.getDate("dt")).isNull();
            assertThat(rs.getTime("tm")).isNull();
            assertThat(rs.getTimestamp("ts")).isNull();
            assertThat(rs.getObject("ts", LocalDateTime.class)).isNull();
            assertThat(rs.getBytes("bl")).isNull();
            assertThat(rs.wasNull()).isTrue();
            assertThat(rs.getObject(2)).isNull();

            assertThat(rs.next()).isFalse();
            rs.close();
            assertThat(raw.isClosed()).isTrue();
            assertThat(rs.isClosed()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Vendor.class)
    void aResultSetAnswersItsOwnerAndUnwrapsToTheVendorObject(Vendor vendor) throws Exception {
        try (Connection c = vendor.connectToPrimary(); Statement owner = c.createStatement();
                Statement s = c.createStatement(); ResultSet raw = s.executeQuery("SELECT 1")) {
            HaResultSet rs = new HaResultSet(raw, owner);
            assertThat(raw.getStatement()).isNotSameAs(owner);
            assertThat(rs.getStatement()).isSameAs(owner);
            assertThat(rs.raw()).isSameAs(raw);

            assertThat(rs.unwrap(ResultSet.class)).isSameAs(rs);
            assertThat(rs.unwrap(HaResultSet.class)).isSameAs(rs);
            assertThat(rs.unwrap(vendor.resultSetClass)).isSameAs(raw);
            assertThat(rs.isWrapperFor(ResultSet.class)).isTrue();
            assertThat(rs.isWrapperFor(vendor.resultSetClass)).isTrue();
            assertThat(rs.isWrapperFor(Connection.class)).isFalse();
            assertThatThrownBy(() -> rs.unwrap(Connection.class)).isInstanceOf(SQLException.class);
        }
    }

    // ----------------------------------------------------------------------------------------- HaDatabaseMetaData

    @ParameterizedTest
    @EnumSource(Vendor.class)
    void metaDataAnswersItsOwnerAndWrapsItsResultSets(Vendor vendor) throws Exception {
        try (Connection c = vendor.connectToPrimary(); Connection owner = vendor.connectToPrimary()) {
            DatabaseMetaData raw = c.getMetaData();
            HaDatabaseMetaData meta = new HaDatabaseMetaData(raw, owner);
            assertThat(meta.getConnection()).isSameAs(owner);

            try (ResultSet tables = meta.getTables(c.getCatalog(), null, "wrap_types", new String[] {"TABLE"})) {
                assertThat(tables).isInstanceOf(HaResultSet.class);
                assertThat(tables.getStatement()).isNull();
                assertThat(tables.unwrap(vendor.resultSetClass)).isSameAs(((HaResultSet) tables).raw());
                assertThat(tables.next()).isTrue();
                assertThat(tables.getString("TABLE_NAME")).isEqualTo("wrap_types");
                assertThat(tables.next()).isFalse();
            }
            try (ResultSet columns = meta.getColumns(c.getCatalog(), null, "wrap_types", "%")) {
                assertThat(columns).isInstanceOf(HaResultSet.class);
                int count = 0;
                while (columns.next()) {
                    count++;
                }
                assertThat(count).isEqualTo(9);
            }

            assertThat(meta.getDatabaseProductName()).isNotBlank().isEqualTo(raw.getDatabaseProductName());
            assertThat(meta.getDatabaseProductVersion()).isEqualTo(raw.getDatabaseProductVersion());
            assertThat(meta.getDriverName())
                    .contains(vendor == Vendor.MYSQL ? "MySQL Connector/J" : "MariaDB Connector/J")
                    .isEqualTo(raw.getDriverName());
            assertThat(meta.getDriverMajorVersion()).isEqualTo(raw.getDriverMajorVersion());
            assertThat(meta.supportsTransactions()).isTrue();
            assertThat(meta.getURL()).isEqualTo(raw.getURL());

            assertThat(meta.unwrap(DatabaseMetaData.class)).isSameAs(meta);
            assertThat(meta.unwrap(vendor.metaDataClass)).isSameAs(raw);
            assertThat(meta.isWrapperFor(vendor.metaDataClass)).isTrue();
            assertThat(meta.isWrapperFor(Statement.class)).isFalse();
        }
    }

    // -------------------------------------------------------------------------------- CallableStatementDelegate

    @ParameterizedTest
    @EnumSource(Vendor.class)
    void aStoredProcedureRunsThroughTheDelegatesDefaultMethods(Vendor vendor) throws Exception {
        try (Connection c = vendor.connectToPrimary();
                CallableStatement raw = c.prepareCall("{call wrap_proc(?, ?, ?, ?)}");
                TestCallable call = new TestCallable(raw)) {
            // setObject(String, Object, SQLType) is one of CallableStatement's own default methods: the JDK's
            // throws SQLFeatureNotSupportedException, the delegate's reaches the vendor driver.
            call.setObject("x", 21, JDBCType.INTEGER);
            call.registerOutParameter(2, Types.INTEGER);
            call.registerOutParameter("label", Types.VARCHAR);
            call.setBigDecimal(4, new BigDecimal("1.50"));
            call.registerOutParameter(4, Types.DECIMAL, 2);
            call.execute();

            assertThat(call.getInt(2)).isEqualTo(42);
            assertThat(call.wasNull()).isFalse();
            assertThat(call.getInt("doubled")).isEqualTo(42);
            assertThat(call.getObject(2, Integer.class)).isEqualTo(42);
            assertThat(call.getLong(2)).isEqualTo(42L);
            assertThat(call.getString(3)).isEqualTo("n21");
            assertThat(call.getString("label")).isEqualTo("n21");
            assertThat(call.getBigDecimal(4)).isEqualByComparingTo("22.50");
            assertThat(call.getBigDecimal("acc")).isEqualByComparingTo("22.50");

            call.setNull(1, Types.INTEGER);
            call.setBigDecimal(4, BigDecimal.ONE);
            call.execute();
            assertThat(call.getInt(2)).isZero();
            assertThat(call.wasNull()).isTrue();
            assertThat(call.getString(3)).isNull();
            assertThat(call.wasNull()).isTrue();
            assertThat(call.getBigDecimal(4)).isNull();

            assertThat(call.rawCallable()).isSameAs(raw);
            assertThat(call.unwrap(CallableStatement.class)).isSameAs(call);
            assertThat(call.unwrap(vendor.callableClass)).isSameAs(raw);
        }
    }
}
