package dev.haven.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.haven.core.internal.SqlAnalyzer;

import java.util.function.Function;

/**
 * Classifies SQL text as {@link StatementKind#READ read}, {@link StatementKind#WRITE write},
 * {@link StatementKind#LOCKING_READ locking read}, {@link StatementKind#SESSION session},
 * {@link StatementKind#TRANSACTION transaction control} or {@link StatementKind#UNKNOWN unknown},
 * for {@code ha.routing=auto}: only {@code READ} may leave the primary.
 *
 * <p>Understands the MySQL and MariaDB lexical rules that matter: comments ({@code /* *}{@code /},
 * {@code -- }, {@code #}) and optimizer hints are skipped, but executable comments
 * ({@code /*!50100 ... *}{@code /}, MariaDB {@code /*M! ... *}{@code /}) are code; string literals
 * and quoted identifiers never look like keywords. A {@code SELECT} is not a read when it calls a
 * function whose effect or answer is tied to one server session ({@code GET_LOCK},
 * {@code RELEASE_LOCK}, {@code RELEASE_ALL_LOCKS}, {@code IS_FREE_LOCK}, {@code IS_USED_LOCK},
 * {@code LAST_INSERT_ID}, {@code ROW_COUNT}, {@code FOUND_ROWS}, {@code NEXTVAL}, {@code SETVAL},
 * {@code LASTVAL}, {@code NEXT VALUE FOR}, {@code PREVIOUS VALUE FOR}), uses
 * {@code SQL_CALC_FOUND_ROWS}, assigns a variable ({@code @v := ...}) or has an {@code INTO}
 * clause. {@code SLEEP} is a read (it has no effect on data). {@code CALL} is a write: a
 * procedure may write. Stored functions are assumed to be read-only, as the server cannot tell
 * either. Several statements separated by {@code ;} give the most restrictive kind.
 *
 * <p>Results are cached in a bounded Caffeine cache keyed by the SQL text (statements longer than
 * 8,192 characters are classified each time rather than cached). Thread-safe.
 */
public final class SqlClassifier {

    /** Default cache budget, in characters of SQL text held as keys. */
    public static final long DEFAULT_CACHE_CHARS = 4L * 1024 * 1024;

    private static final int MAX_CACHED_LENGTH = 8192;

    private final Cache<String, StatementKind> cache;
    private final Function<String, StatementKind> analyzer = SqlAnalyzer::classify;

    /** A classifier with a cache of {@link #DEFAULT_CACHE_CHARS} characters of SQL. */
    public SqlClassifier() {
        this(DEFAULT_CACHE_CHARS);
    }

    /** A classifier whose cache holds statements up to {@code cacheChars} characters in total. */
    public SqlClassifier(long cacheChars) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(cacheChars)
                .weigher((String sql, StatementKind kind) -> sql.length())
                .build();
    }

    /** The kind of {@code sql}; {@code UNKNOWN} for {@code null} or blank text. */
    public StatementKind classify(String sql) {
        if (sql == null) {
            return StatementKind.UNKNOWN;
        }
        if (sql.length() > MAX_CACHED_LENGTH) {
            return SqlAnalyzer.classify(sql);
        }
        return cache.get(sql, analyzer);
    }

    /** Statements currently cached, for tests and metrics. */
    long cachedCount() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
