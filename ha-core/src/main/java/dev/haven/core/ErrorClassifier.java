package dev.haven.core;

import java.io.EOFException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Classifies failures from MySQL and MariaDB (either Connector/J) into {@link ErrorKind}s. It walks
 * the whole chain, causes and {@link SQLException#getNextException()} alike, and returns the most
 * consequential kind found: {@code NODE_GONE}, then {@code NOT_PRIMARY}, then {@code APPLICATION},
 * else {@code OTHER}. Vendor error codes decide first, then the SQLState class, then the exception
 * type.
 *
 * <p>Decisions worth knowing:
 * <ul>
 *   <li>{@code NODE_GONE}: SQLState class {@code 08}; client codes 2002, 2003, 2005 (host does not
 *       resolve), 2006, 2013, 2055; server codes 1053 (shutdown in progress), 1152/1184 (aborted
 *       connection), 1158-1161 (network read/write errors), 1927 and 3169 (connection killed),
 *       3032 (offline mode); 1040 (too many connections, SQLState 08004) and 1129 (host blocked)
 *       too, because the node refuses this application: the detector's own probe connection decides
 *       when it is back. Socket timeouts, refused connections and EOFs in the cause chain also count,
 *       which is how a hung server surfaces.</li>
 *   <li>{@code NOT_PRIMARY}: 1290 when its message is about {@code --read-only} or
 *       {@code --super-read-only} (1290 is also used for {@code --secure-file-priv} and others,
 *       which are {@code OTHER}); 1836 (read-only mode); 3100 (Group Replication refused the
 *       commit: the member is not a writable primary).</li>
 *   <li>{@code APPLICATION}: 1792 (write inside a {@code READ ONLY} transaction: the application
 *       asked for it, another node would not help); deadlocks 1213, lock waits 1205 and 3572;
 *       constraint, data and syntax errors; statement timeouts (1317, 3024, 1969 and a
 *       {@link SQLTimeoutException} without a socket cause); SQLState classes 21, 22, 23, 40, 42, 44
 *       and {@code 45000} (SIGNAL).</li>
 *   <li>{@code OTHER}: authentication (1045, SQLState 28000) and everything unrecognised, including
 *       Haven's own {@link NoPrimaryException}.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class ErrorClassifier {

    private static final int MAX_CHAIN = 32;

    private static final Map<Integer, ErrorKind> CODES;

    static {
        Map<Integer, ErrorKind> m = new HashMap<>();
        for (int code : new int[] {1040, 1053, 1129, 1152, 1158, 1159, 1160, 1161, 1184, 1927, 2002, 2003, 2005, 2006, 2013,
                2055, 3032, 3169}) {
            m.put(code, ErrorKind.NODE_GONE);
        }
        for (int code : new int[] {1290, 1836, 3100}) {
            m.put(code, ErrorKind.NOT_PRIMARY);
        }
        for (int code : new int[] {1022, 1048, 1054, 1062, 1064, 1142, 1143, 1146, 1205, 1213, 1216, 1217, 1264, 1292, 1317,
                1364, 1365, 1366, 1406, 1451, 1452, 1586, 1644, 1792, 1969, 3024, 3101, 3572, 3819, 4025}) {
            m.put(code, ErrorKind.APPLICATION);
        }
        CODES = Collections.unmodifiableMap(m);
    }

    private static final Set<String> APPLICATION_STATE_CLASSES = Set.of("21", "22", "23", "40", "42", "44");

    private ErrorClassifier() {
    }

    /** The kind of {@code error}, from the whole chain; {@code OTHER} for {@code null}. */
    public static ErrorKind classify(Throwable error) {
        ErrorKind worst = ErrorKind.OTHER;
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>();
        if (error != null) {
            todo.push(error);
        }
        while (!todo.isEmpty() && seen.size() < MAX_CHAIN) {
            Throwable t = todo.pop();
            if (!seen.add(t)) {
                continue;
            }
            ErrorKind kind = classifyOne(t);
            if (kind.ordinal() < worst.ordinal()) {
                worst = kind;
                if (worst == ErrorKind.NODE_GONE) {
                    return worst;
                }
            }
            if (t instanceof SQLException && ((SQLException) t).getNextException() != null) {
                todo.push(((SQLException) t).getNextException());
            }
            if (t.getCause() != null) {
                todo.push(t.getCause());
            }
        }
        return worst;
    }

    /** The kind of one throwable, ignoring its chain. */
    static ErrorKind classifyOne(Throwable t) {
        if (t instanceof NoPrimaryException) {
            return ErrorKind.OTHER;
        }
        if (t instanceof SQLException) {
            return classifySql((SQLException) t);
        }
        if (t instanceof SocketTimeoutException || t instanceof SocketException || t instanceof EOFException
                || t instanceof UnknownHostException) {
            return ErrorKind.NODE_GONE;
        }
        return ErrorKind.OTHER;
    }

    private static ErrorKind classifySql(SQLException e) {
        ErrorKind byCode = CODES.get(e.getErrorCode());
        if (byCode == ErrorKind.NOT_PRIMARY && e.getErrorCode() == 1290) {
            return mentionsReadOnly(e.getMessage()) ? ErrorKind.NOT_PRIMARY : ErrorKind.OTHER;
        }
        if (byCode != null) {
            return byCode;
        }
        String state = e.getSQLState();
        if (state != null && state.length() >= 2) {
            String stateClass = state.substring(0, 2);
            if (stateClass.equals("08")) {
                return ErrorKind.NODE_GONE;
            }
            if (APPLICATION_STATE_CLASSES.contains(stateClass) || state.equals("45000")) {
                return ErrorKind.APPLICATION;
            }
        }
        if (e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || e instanceof SQLRecoverableException) {
            return ErrorKind.NODE_GONE;
        }
        if (e instanceof SQLTimeoutException || e instanceof SQLIntegrityConstraintViolationException
                || e instanceof SQLSyntaxErrorException || e instanceof SQLDataException
                || e instanceof SQLTransactionRollbackException) {
            return ErrorKind.APPLICATION;
        }
        return ErrorKind.OTHER;
    }

    private static boolean mentionsReadOnly(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("read-only") || m.contains("read_only");
    }
}
