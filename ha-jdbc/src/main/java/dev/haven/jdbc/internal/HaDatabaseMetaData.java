package dev.haven.jdbc.internal;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.RowIdLifetime;
import java.sql.SQLException;
import java.util.Objects;

/**
 * The database metadata Haven hands to applications: the vendor driver's, except that {@link #getConnection()}
 * answers Haven's connection, every result set comes back as a {@link HaResultSet} whose
 * {@link ResultSet#getStatement() getStatement()} is {@code null} (as JDBC specifies for metadata result sets),
 * and {@link #unwrap} answers this wrapper before the vendor object.
 *
 * <p>The metadata of an {@link HaConnection} follows it: every call runs on the logical connection's physical
 * connection of the moment (taking one if it has none, as a statement would), not on the one it had when
 * {@code getMetaData()} was called. Frameworks keep a connection's metadata across statements (Flyway does, for its
 * whole migration), and in auto-commit mode the physical connection goes back to its pool between statements: metadata
 * bound to it would then query a connection that another thread may hold, or that the pool closed (as it does with
 * the idle connections of a node gone {@code SUSPECT}), failing with "Connection is closed".
 *
 * <p>Implementation notes: a hand-written delegate, not a {@link java.lang.reflect.Proxy}; every method, the
 * interface's own default methods included, forwards to {@link #raw()}; the only allocation is the
 * {@link HaResultSet} around a returned result set (and the vendor's metadata object when the physical connection
 * changed). {@code WrapperDelegationTest} fails the build when a {@link DatabaseMetaData} method is not declared here.
 */
public final class HaDatabaseMetaData implements DatabaseMetaData {

    /** The vendor's metadata given at construction; null when following an {@link HaConnection}. */
    private final DatabaseMetaData fixed;
    /** The logical connection whose physical connection of the moment answers; null with {@link #fixed}. */
    private final HaConnection follows;
    private final Connection owner;
    private Connection currentPhysical;
    private DatabaseMetaData current;

    /**
     * Metadata bound to one vendor metadata object.
     *
     * @param raw   the vendor driver's metadata
     * @param owner Haven's connection, answered by {@link #getConnection()}
     */
    public HaDatabaseMetaData(DatabaseMetaData raw, Connection owner) {
        this.fixed = Objects.requireNonNull(raw, "raw");
        this.follows = null;
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /**
     * The metadata of {@code owner}, following its physical connection (class comment).
     *
     * @param physical the owner's physical connection now
     */
    static HaDatabaseMetaData following(HaConnection owner, Connection physical) throws SQLException {
        return new HaDatabaseMetaData(owner, physical, physical.getMetaData());
    }

    private HaDatabaseMetaData(HaConnection owner, Connection physical, DatabaseMetaData current) {
        this.fixed = null;
        this.follows = Objects.requireNonNull(owner, "owner");
        this.owner = owner;
        this.currentPhysical = physical;
        this.current = current;
    }

    /** The vendor driver's metadata: of the owner's physical connection now, when following an {@link HaConnection}. */
    public DatabaseMetaData raw() throws SQLException {
        if (follows == null) {
            return fixed;
        }
        Connection physical = follows.physical(null, null);
        if (physical != currentPhysical) {
            current = physical.getMetaData();
            currentPhysical = physical;
        }
        return current;
    }

    /** The vendor's metadata last used, for what depends on the driver only (its version), never on a connection. */
    private DatabaseMetaData driverMetaData() {
        return follows == null ? fixed : current;
    }

    @Override
    public Connection getConnection() {
        return owner;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return raw().unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || raw().isWrapperFor(iface);
    }

    // ------------------------------------------------------------ delegated, in DatabaseMetaData's declaration order

    @Override
    public boolean allProceduresAreCallable() throws SQLException {
        return raw().allProceduresAreCallable();
    }

    @Override
    public boolean allTablesAreSelectable() throws SQLException {
        return raw().allTablesAreSelectable();
    }

    @Override
    public String getURL() throws SQLException {
        return raw().getURL();
    }

    @Override
    public String getUserName() throws SQLException {
        return raw().getUserName();
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        return raw().isReadOnly();
    }

    @Override
    public boolean nullsAreSortedHigh() throws SQLException {
        return raw().nullsAreSortedHigh();
    }

    @Override
    public boolean nullsAreSortedLow() throws SQLException {
        return raw().nullsAreSortedLow();
    }

    @Override
    public boolean nullsAreSortedAtStart() throws SQLException {
        return raw().nullsAreSortedAtStart();
    }

    @Override
    public boolean nullsAreSortedAtEnd() throws SQLException {
        return raw().nullsAreSortedAtEnd();
    }

    @Override
    public String getDatabaseProductName() throws SQLException {
        return raw().getDatabaseProductName();
    }

    @Override
    public String getDatabaseProductVersion() throws SQLException {
        return raw().getDatabaseProductVersion();
    }

    @Override
    public String getDriverName() throws SQLException {
        return raw().getDriverName();
    }

    @Override
    public String getDriverVersion() throws SQLException {
        return raw().getDriverVersion();
    }

    @Override
    public int getDriverMajorVersion() {
        return driverMetaData().getDriverMajorVersion();
    }

    @Override
    public int getDriverMinorVersion() {
        return driverMetaData().getDriverMinorVersion();
    }

    @Override
    public boolean usesLocalFiles() throws SQLException {
        return raw().usesLocalFiles();
    }

    @Override
    public boolean usesLocalFilePerTable() throws SQLException {
        return raw().usesLocalFilePerTable();
    }

    @Override
    public boolean supportsMixedCaseIdentifiers() throws SQLException {
        return raw().supportsMixedCaseIdentifiers();
    }

    @Override
    public boolean storesUpperCaseIdentifiers() throws SQLException {
        return raw().storesUpperCaseIdentifiers();
    }

    @Override
    public boolean storesLowerCaseIdentifiers() throws SQLException {
        return raw().storesLowerCaseIdentifiers();
    }

    @Override
    public boolean storesMixedCaseIdentifiers() throws SQLException {
        return raw().storesMixedCaseIdentifiers();
    }

    @Override
    public boolean supportsMixedCaseQuotedIdentifiers() throws SQLException {
        return raw().supportsMixedCaseQuotedIdentifiers();
    }

    @Override
    public boolean storesUpperCaseQuotedIdentifiers() throws SQLException {
        return raw().storesUpperCaseQuotedIdentifiers();
    }

    @Override
    public boolean storesLowerCaseQuotedIdentifiers() throws SQLException {
        return raw().storesLowerCaseQuotedIdentifiers();
    }

    @Override
    public boolean storesMixedCaseQuotedIdentifiers() throws SQLException {
        return raw().storesMixedCaseQuotedIdentifiers();
    }

    @Override
    public String getIdentifierQuoteString() throws SQLException {
        return raw().getIdentifierQuoteString();
    }

    @Override
    public String getSQLKeywords() throws SQLException {
        return raw().getSQLKeywords();
    }

    @Override
    public String getNumericFunctions() throws SQLException {
        return raw().getNumericFunctions();
    }

    @Override
    public String getStringFunctions() throws SQLException {
        return raw().getStringFunctions();
    }

    @Override
    public String getSystemFunctions() throws SQLException {
        return raw().getSystemFunctions();
    }

    @Override
    public String getTimeDateFunctions() throws SQLException {
        return raw().getTimeDateFunctions();
    }

    @Override
    public String getSearchStringEscape() throws SQLException {
        return raw().getSearchStringEscape();
    }

    @Override
    public String getExtraNameCharacters() throws SQLException {
        return raw().getExtraNameCharacters();
    }

    @Override
    public boolean supportsAlterTableWithAddColumn() throws SQLException {
        return raw().supportsAlterTableWithAddColumn();
    }

    @Override
    public boolean supportsAlterTableWithDropColumn() throws SQLException {
        return raw().supportsAlterTableWithDropColumn();
    }

    @Override
    public boolean supportsColumnAliasing() throws SQLException {
        return raw().supportsColumnAliasing();
    }

    @Override
    public boolean nullPlusNonNullIsNull() throws SQLException {
        return raw().nullPlusNonNullIsNull();
    }

    @Override
    public boolean supportsConvert() throws SQLException {
        return raw().supportsConvert();
    }

    @Override
    public boolean supportsConvert(int fromType, int toType) throws SQLException {
        return raw().supportsConvert(fromType, toType);
    }

    @Override
    public boolean supportsTableCorrelationNames() throws SQLException {
        return raw().supportsTableCorrelationNames();
    }

    @Override
    public boolean supportsDifferentTableCorrelationNames() throws SQLException {
        return raw().supportsDifferentTableCorrelationNames();
    }

    @Override
    public boolean supportsExpressionsInOrderBy() throws SQLException {
        return raw().supportsExpressionsInOrderBy();
    }

    @Override
    public boolean supportsOrderByUnrelated() throws SQLException {
        return raw().supportsOrderByUnrelated();
    }

    @Override
    public boolean supportsGroupBy() throws SQLException {
        return raw().supportsGroupBy();
    }

    @Override
    public boolean supportsGroupByUnrelated() throws SQLException {
        return raw().supportsGroupByUnrelated();
    }

    @Override
    public boolean supportsGroupByBeyondSelect() throws SQLException {
        return raw().supportsGroupByBeyondSelect();
    }

    @Override
    public boolean supportsLikeEscapeClause() throws SQLException {
        return raw().supportsLikeEscapeClause();
    }

    @Override
    public boolean supportsMultipleResultSets() throws SQLException {
        return raw().supportsMultipleResultSets();
    }

    @Override
    public boolean supportsMultipleTransactions() throws SQLException {
        return raw().supportsMultipleTransactions();
    }

    @Override
    public boolean supportsNonNullableColumns() throws SQLException {
        return raw().supportsNonNullableColumns();
    }

    @Override
    public boolean supportsMinimumSQLGrammar() throws SQLException {
        return raw().supportsMinimumSQLGrammar();
    }

    @Override
    public boolean supportsCoreSQLGrammar() throws SQLException {
        return raw().supportsCoreSQLGrammar();
    }

    @Override
    public boolean supportsExtendedSQLGrammar() throws SQLException {
        return raw().supportsExtendedSQLGrammar();
    }

    @Override
    public boolean supportsANSI92EntryLevelSQL() throws SQLException {
        return raw().supportsANSI92EntryLevelSQL();
    }

    @Override
    public boolean supportsANSI92IntermediateSQL() throws SQLException {
        return raw().supportsANSI92IntermediateSQL();
    }

    @Override
    public boolean supportsANSI92FullSQL() throws SQLException {
        return raw().supportsANSI92FullSQL();
    }

    @Override
    public boolean supportsIntegrityEnhancementFacility() throws SQLException {
        return raw().supportsIntegrityEnhancementFacility();
    }

    @Override
    public boolean supportsOuterJoins() throws SQLException {
        return raw().supportsOuterJoins();
    }

    @Override
    public boolean supportsFullOuterJoins() throws SQLException {
        return raw().supportsFullOuterJoins();
    }

    @Override
    public boolean supportsLimitedOuterJoins() throws SQLException {
        return raw().supportsLimitedOuterJoins();
    }

    @Override
    public String getSchemaTerm() throws SQLException {
        return raw().getSchemaTerm();
    }

    @Override
    public String getProcedureTerm() throws SQLException {
        return raw().getProcedureTerm();
    }

    @Override
    public String getCatalogTerm() throws SQLException {
        return raw().getCatalogTerm();
    }

    @Override
    public boolean isCatalogAtStart() throws SQLException {
        return raw().isCatalogAtStart();
    }

    @Override
    public String getCatalogSeparator() throws SQLException {
        return raw().getCatalogSeparator();
    }

    @Override
    public boolean supportsSchemasInDataManipulation() throws SQLException {
        return raw().supportsSchemasInDataManipulation();
    }

    @Override
    public boolean supportsSchemasInProcedureCalls() throws SQLException {
        return raw().supportsSchemasInProcedureCalls();
    }

    @Override
    public boolean supportsSchemasInTableDefinitions() throws SQLException {
        return raw().supportsSchemasInTableDefinitions();
    }

    @Override
    public boolean supportsSchemasInIndexDefinitions() throws SQLException {
        return raw().supportsSchemasInIndexDefinitions();
    }

    @Override
    public boolean supportsSchemasInPrivilegeDefinitions() throws SQLException {
        return raw().supportsSchemasInPrivilegeDefinitions();
    }

    @Override
    public boolean supportsCatalogsInDataManipulation() throws SQLException {
        return raw().supportsCatalogsInDataManipulation();
    }

    @Override
    public boolean supportsCatalogsInProcedureCalls() throws SQLException {
        return raw().supportsCatalogsInProcedureCalls();
    }

    @Override
    public boolean supportsCatalogsInTableDefinitions() throws SQLException {
        return raw().supportsCatalogsInTableDefinitions();
    }

    @Override
    public boolean supportsCatalogsInIndexDefinitions() throws SQLException {
        return raw().supportsCatalogsInIndexDefinitions();
    }

    @Override
    public boolean supportsCatalogsInPrivilegeDefinitions() throws SQLException {
        return raw().supportsCatalogsInPrivilegeDefinitions();
    }

    @Override
    public boolean supportsPositionedDelete() throws SQLException {
        return raw().supportsPositionedDelete();
    }

    @Override
    public boolean supportsPositionedUpdate() throws SQLException {
        return raw().supportsPositionedUpdate();
    }

    @Override
    public boolean supportsSelectForUpdate() throws SQLException {
        return raw().supportsSelectForUpdate();
    }

    @Override
    public boolean supportsStoredProcedures() throws SQLException {
        return raw().supportsStoredProcedures();
    }

    @Override
    public boolean supportsSubqueriesInComparisons() throws SQLException {
        return raw().supportsSubqueriesInComparisons();
    }

    @Override
    public boolean supportsSubqueriesInExists() throws SQLException {
        return raw().supportsSubqueriesInExists();
    }

    @Override
    public boolean supportsSubqueriesInIns() throws SQLException {
        return raw().supportsSubqueriesInIns();
    }

    @Override
    public boolean supportsSubqueriesInQuantifieds() throws SQLException {
        return raw().supportsSubqueriesInQuantifieds();
    }

    @Override
    public boolean supportsCorrelatedSubqueries() throws SQLException {
        return raw().supportsCorrelatedSubqueries();
    }

    @Override
    public boolean supportsUnion() throws SQLException {
        return raw().supportsUnion();
    }

    @Override
    public boolean supportsUnionAll() throws SQLException {
        return raw().supportsUnionAll();
    }

    @Override
    public boolean supportsOpenCursorsAcrossCommit() throws SQLException {
        return raw().supportsOpenCursorsAcrossCommit();
    }

    @Override
    public boolean supportsOpenCursorsAcrossRollback() throws SQLException {
        return raw().supportsOpenCursorsAcrossRollback();
    }

    @Override
    public boolean supportsOpenStatementsAcrossCommit() throws SQLException {
        return raw().supportsOpenStatementsAcrossCommit();
    }

    @Override
    public boolean supportsOpenStatementsAcrossRollback() throws SQLException {
        return raw().supportsOpenStatementsAcrossRollback();
    }

    @Override
    public int getMaxBinaryLiteralLength() throws SQLException {
        return raw().getMaxBinaryLiteralLength();
    }

    @Override
    public int getMaxCharLiteralLength() throws SQLException {
        return raw().getMaxCharLiteralLength();
    }

    @Override
    public int getMaxColumnNameLength() throws SQLException {
        return raw().getMaxColumnNameLength();
    }

    @Override
    public int getMaxColumnsInGroupBy() throws SQLException {
        return raw().getMaxColumnsInGroupBy();
    }

    @Override
    public int getMaxColumnsInIndex() throws SQLException {
        return raw().getMaxColumnsInIndex();
    }

    @Override
    public int getMaxColumnsInOrderBy() throws SQLException {
        return raw().getMaxColumnsInOrderBy();
    }

    @Override
    public int getMaxColumnsInSelect() throws SQLException {
        return raw().getMaxColumnsInSelect();
    }

    @Override
    public int getMaxColumnsInTable() throws SQLException {
        return raw().getMaxColumnsInTable();
    }

    @Override
    public int getMaxConnections() throws SQLException {
        return raw().getMaxConnections();
    }

    @Override
    public int getMaxCursorNameLength() throws SQLException {
        return raw().getMaxCursorNameLength();
    }

    @Override
    public int getMaxIndexLength() throws SQLException {
        return raw().getMaxIndexLength();
    }

    @Override
    public int getMaxSchemaNameLength() throws SQLException {
        return raw().getMaxSchemaNameLength();
    }

    @Override
    public int getMaxProcedureNameLength() throws SQLException {
        return raw().getMaxProcedureNameLength();
    }

    @Override
    public int getMaxCatalogNameLength() throws SQLException {
        return raw().getMaxCatalogNameLength();
    }

    @Override
    public int getMaxRowSize() throws SQLException {
        return raw().getMaxRowSize();
    }

    @Override
    public boolean doesMaxRowSizeIncludeBlobs() throws SQLException {
        return raw().doesMaxRowSizeIncludeBlobs();
    }

    @Override
    public int getMaxStatementLength() throws SQLException {
        return raw().getMaxStatementLength();
    }

    @Override
    public int getMaxStatements() throws SQLException {
        return raw().getMaxStatements();
    }

    @Override
    public int getMaxTableNameLength() throws SQLException {
        return raw().getMaxTableNameLength();
    }

    @Override
    public int getMaxTablesInSelect() throws SQLException {
        return raw().getMaxTablesInSelect();
    }

    @Override
    public int getMaxUserNameLength() throws SQLException {
        return raw().getMaxUserNameLength();
    }

    @Override
    public int getDefaultTransactionIsolation() throws SQLException {
        return raw().getDefaultTransactionIsolation();
    }

    @Override
    public boolean supportsTransactions() throws SQLException {
        return raw().supportsTransactions();
    }

    @Override
    public boolean supportsTransactionIsolationLevel(int level) throws SQLException {
        return raw().supportsTransactionIsolationLevel(level);
    }

    @Override
    public boolean supportsDataDefinitionAndDataManipulationTransactions() throws SQLException {
        return raw().supportsDataDefinitionAndDataManipulationTransactions();
    }

    @Override
    public boolean supportsDataManipulationTransactionsOnly() throws SQLException {
        return raw().supportsDataManipulationTransactionsOnly();
    }

    @Override
    public boolean dataDefinitionCausesTransactionCommit() throws SQLException {
        return raw().dataDefinitionCausesTransactionCommit();
    }

    @Override
    public boolean dataDefinitionIgnoredInTransactions() throws SQLException {
        return raw().dataDefinitionIgnoredInTransactions();
    }

    @Override
    public ResultSet getProcedures(String catalog, String schemaPattern, String procedureNamePattern)
            throws SQLException {
        return HaResultSet.wrap(raw().getProcedures(catalog, schemaPattern, procedureNamePattern), null);
    }

    @Override
    public ResultSet getProcedureColumns(String catalog, String schemaPattern, String procedureNamePattern,
            String columnNamePattern) throws SQLException {
        return HaResultSet.wrap(raw().getProcedureColumns(catalog, schemaPattern, procedureNamePattern,
                columnNamePattern), null);
    }

    @Override
    public ResultSet getTables(String catalog, String schemaPattern, String tableNamePattern, String[] types)
            throws SQLException {
        return HaResultSet.wrap(raw().getTables(catalog, schemaPattern, tableNamePattern, types), null);
    }

    @Override
    public ResultSet getSchemas() throws SQLException {
        return HaResultSet.wrap(raw().getSchemas(), null);
    }

    @Override
    public ResultSet getCatalogs() throws SQLException {
        return HaResultSet.wrap(raw().getCatalogs(), null);
    }

    @Override
    public ResultSet getTableTypes() throws SQLException {
        return HaResultSet.wrap(raw().getTableTypes(), null);
    }

    @Override
    public ResultSet getColumns(String catalog, String schemaPattern, String tableNamePattern,
            String columnNamePattern) throws SQLException {
        return HaResultSet.wrap(raw().getColumns(catalog, schemaPattern, tableNamePattern, columnNamePattern), null);
    }

    @Override
    public ResultSet getColumnPrivileges(String catalog, String schema, String table, String columnNamePattern)
            throws SQLException {
        return HaResultSet.wrap(raw().getColumnPrivileges(catalog, schema, table, columnNamePattern), null);
    }

    @Override
    public ResultSet getTablePrivileges(String catalog, String schemaPattern, String tableNamePattern)
            throws SQLException {
        return HaResultSet.wrap(raw().getTablePrivileges(catalog, schemaPattern, tableNamePattern), null);
    }

    @Override
    public ResultSet getBestRowIdentifier(String catalog, String schema, String table, int scope,
            boolean nullable) throws SQLException {
        return HaResultSet.wrap(raw().getBestRowIdentifier(catalog, schema, table, scope, nullable), null);
    }

    @Override
    public ResultSet getVersionColumns(String catalog, String schema, String table) throws SQLException {
        return HaResultSet.wrap(raw().getVersionColumns(catalog, schema, table), null);
    }

    @Override
    public ResultSet getPrimaryKeys(String catalog, String schema, String table) throws SQLException {
        return HaResultSet.wrap(raw().getPrimaryKeys(catalog, schema, table), null);
    }

    @Override
    public ResultSet getImportedKeys(String catalog, String schema, String table) throws SQLException {
        return HaResultSet.wrap(raw().getImportedKeys(catalog, schema, table), null);
    }

    @Override
    public ResultSet getExportedKeys(String catalog, String schema, String table) throws SQLException {
        return HaResultSet.wrap(raw().getExportedKeys(catalog, schema, table), null);
    }

    @Override
    public ResultSet getCrossReference(String parentCatalog, String parentSchema, String parentTable,
            String foreignCatalog, String foreignSchema, String foreignTable) throws SQLException {
        return HaResultSet.wrap(raw().getCrossReference(parentCatalog, parentSchema, parentTable, foreignCatalog,
                foreignSchema, foreignTable), null);
    }

    @Override
    public ResultSet getTypeInfo() throws SQLException {
        return HaResultSet.wrap(raw().getTypeInfo(), null);
    }

    @Override
    public ResultSet getIndexInfo(String catalog, String schema, String table, boolean unique,
            boolean approximate) throws SQLException {
        return HaResultSet.wrap(raw().getIndexInfo(catalog, schema, table, unique, approximate), null);
    }

    @Override
    public boolean supportsResultSetType(int type) throws SQLException {
        return raw().supportsResultSetType(type);
    }

    @Override
    public boolean supportsResultSetConcurrency(int type, int concurrency) throws SQLException {
        return raw().supportsResultSetConcurrency(type, concurrency);
    }

    @Override
    public boolean ownUpdatesAreVisible(int type) throws SQLException {
        return raw().ownUpdatesAreVisible(type);
    }

    @Override
    public boolean ownDeletesAreVisible(int type) throws SQLException {
        return raw().ownDeletesAreVisible(type);
    }

    @Override
    public boolean ownInsertsAreVisible(int type) throws SQLException {
        return raw().ownInsertsAreVisible(type);
    }

    @Override
    public boolean othersUpdatesAreVisible(int type) throws SQLException {
        return raw().othersUpdatesAreVisible(type);
    }

    @Override
    public boolean othersDeletesAreVisible(int type) throws SQLException {
        return raw().othersDeletesAreVisible(type);
    }

    @Override
    public boolean othersInsertsAreVisible(int type) throws SQLException {
        return raw().othersInsertsAreVisible(type);
    }

    @Override
    public boolean updatesAreDetected(int type) throws SQLException {
        return raw().updatesAreDetected(type);
    }

    @Override
    public boolean deletesAreDetected(int type) throws SQLException {
        return raw().deletesAreDetected(type);
    }

    @Override
    public boolean insertsAreDetected(int type) throws SQLException {
        return raw().insertsAreDetected(type);
    }

    @Override
    public boolean supportsBatchUpdates() throws SQLException {
        return raw().supportsBatchUpdates();
    }

    @Override
    public ResultSet getUDTs(String catalog, String schemaPattern, String typeNamePattern, int[] types)
            throws SQLException {
        return HaResultSet.wrap(raw().getUDTs(catalog, schemaPattern, typeNamePattern, types), null);
    }

    @Override
    public boolean supportsSavepoints() throws SQLException {
        return raw().supportsSavepoints();
    }

    @Override
    public boolean supportsNamedParameters() throws SQLException {
        return raw().supportsNamedParameters();
    }

    @Override
    public boolean supportsMultipleOpenResults() throws SQLException {
        return raw().supportsMultipleOpenResults();
    }

    @Override
    public boolean supportsGetGeneratedKeys() throws SQLException {
        return raw().supportsGetGeneratedKeys();
    }

    @Override
    public ResultSet getSuperTypes(String catalog, String schemaPattern, String typeNamePattern) throws SQLException {
        return HaResultSet.wrap(raw().getSuperTypes(catalog, schemaPattern, typeNamePattern), null);
    }

    @Override
    public ResultSet getSuperTables(String catalog, String schemaPattern, String tableNamePattern) throws SQLException {
        return HaResultSet.wrap(raw().getSuperTables(catalog, schemaPattern, tableNamePattern), null);
    }

    @Override
    public ResultSet getAttributes(String catalog, String schemaPattern, String typeNamePattern,
            String attributeNamePattern) throws SQLException {
        return HaResultSet.wrap(raw().getAttributes(catalog, schemaPattern, typeNamePattern, attributeNamePattern), null);
    }

    @Override
    public boolean supportsResultSetHoldability(int holdability) throws SQLException {
        return raw().supportsResultSetHoldability(holdability);
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
        return raw().getResultSetHoldability();
    }

    @Override
    public int getDatabaseMajorVersion() throws SQLException {
        return raw().getDatabaseMajorVersion();
    }

    @Override
    public int getDatabaseMinorVersion() throws SQLException {
        return raw().getDatabaseMinorVersion();
    }

    @Override
    public int getJDBCMajorVersion() throws SQLException {
        return raw().getJDBCMajorVersion();
    }

    @Override
    public int getJDBCMinorVersion() throws SQLException {
        return raw().getJDBCMinorVersion();
    }

    @Override
    public int getSQLStateType() throws SQLException {
        return raw().getSQLStateType();
    }

    @Override
    public boolean locatorsUpdateCopy() throws SQLException {
        return raw().locatorsUpdateCopy();
    }

    @Override
    public boolean supportsStatementPooling() throws SQLException {
        return raw().supportsStatementPooling();
    }

    @Override
    public RowIdLifetime getRowIdLifetime() throws SQLException {
        return raw().getRowIdLifetime();
    }

    @Override
    public ResultSet getSchemas(String catalog, String schemaPattern) throws SQLException {
        return HaResultSet.wrap(raw().getSchemas(catalog, schemaPattern), null);
    }

    @Override
    public boolean supportsStoredFunctionsUsingCallSyntax() throws SQLException {
        return raw().supportsStoredFunctionsUsingCallSyntax();
    }

    @Override
    public boolean autoCommitFailureClosesAllResultSets() throws SQLException {
        return raw().autoCommitFailureClosesAllResultSets();
    }

    @Override
    public ResultSet getClientInfoProperties() throws SQLException {
        return HaResultSet.wrap(raw().getClientInfoProperties(), null);
    }

    @Override
    public ResultSet getFunctions(String catalog, String schemaPattern, String functionNamePattern)
            throws SQLException {
        return HaResultSet.wrap(raw().getFunctions(catalog, schemaPattern, functionNamePattern), null);
    }

    @Override
    public ResultSet getFunctionColumns(String catalog, String schemaPattern, String functionNamePattern,
            String columnNamePattern) throws SQLException {
        return HaResultSet.wrap(raw().getFunctionColumns(catalog, schemaPattern, functionNamePattern,
                columnNamePattern), null);
    }

    @Override
    public ResultSet getPseudoColumns(String catalog, String schemaPattern, String tableNamePattern,
            String columnNamePattern) throws SQLException {
        return HaResultSet.wrap(
                raw().getPseudoColumns(catalog, schemaPattern, tableNamePattern, columnNamePattern), null);
    }

    @Override
    public boolean generatedKeyAlwaysReturned() throws SQLException {
        return raw().generatedKeyAlwaysReturned();
    }

    @Override
    public long getMaxLogicalLobSize() throws SQLException {
        return raw().getMaxLogicalLobSize();
    }

    @Override
    public boolean supportsRefCursors() throws SQLException {
        return raw().supportsRefCursors();
    }

    @Override
    public boolean supportsSharding() throws SQLException {
        return raw().supportsSharding();
    }
}
