package dev.haven.core.internal;

import dev.haven.core.StatementKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The uncached work behind {@code SqlClassifier}: a MySQL/MariaDB lexer and a few rules per leading
 * keyword. See {@code SqlClassifier} for what is recognised.
 *
 * <p>Limits: with {@code NO_BACKSLASH_ESCAPES} a string ending in a backslash is mis-lexed (the
 * rest of the text is then taken as a string, which errs towards not-a-read); stored functions are
 * assumed to be reads.
 */
public final class SqlAnalyzer {

    private static final Set<String> SIDE_EFFECT_FUNCTIONS = Set.of(
            "GET_LOCK", "RELEASE_LOCK", "RELEASE_ALL_LOCKS", "IS_FREE_LOCK", "IS_USED_LOCK",
            "LAST_INSERT_ID", "ROW_COUNT", "FOUND_ROWS", "NEXTVAL", "SETVAL", "LASTVAL");

    private static final Set<String> WRITE_VERBS = Set.of(
            "INSERT", "UPDATE", "DELETE", "REPLACE", "LOAD", "CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME",
            "GRANT", "REVOKE", "OPTIMIZE", "REPAIR", "CHECK", "FLUSH", "INSTALL", "UNINSTALL", "IMPORT",
            "LOCK", "UNLOCK", "CALL", "DO", "HANDLER", "CHANGE", "RESET", "PURGE", "KILL", "SHUTDOWN",
            "RESTART", "CLONE", "BINLOG", "CACHE", "STOP", "BACKUP");

    private static final Set<String> TRANSACTION_VERBS = Set.of("COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "XA");

    private static final Set<String> MAIN_VERBS_AFTER_WITH = Set.of("SELECT", "TABLE", "VALUES", "UPDATE", "DELETE", "INSERT", "REPLACE");

    private SqlAnalyzer() {
    }

    /** The kind of {@code sql}, computed from scratch. */
    public static StatementKind classify(String sql) {
        Tokens t = Tokens.of(sql);
        StatementKind result = null;
        int from = 0;
        int depth = 0;
        for (int i = 0; i <= t.size(); i++) {
            if (i < t.size()) {
                if (t.type(i) == Tokens.LPAREN) {
                    depth++;
                } else if (t.type(i) == Tokens.RPAREN) {
                    depth = Math.max(0, depth - 1);
                }
                if (t.type(i) != Tokens.SEMI || depth != 0) {
                    continue;
                }
            }
            if (i > from) {
                StatementKind kind = statement(t, from, i);
                result = result == null ? kind : combine(result, kind);
            }
            from = i + 1;
        }
        return result == null ? StatementKind.UNKNOWN : result;
    }

    private static StatementKind combine(StatementKind a, StatementKind b) {
        if (a == b) {
            return a;
        }
        boolean aData = a == StatementKind.READ || a == StatementKind.LOCKING_READ || a == StatementKind.WRITE;
        boolean bData = b == StatementKind.READ || b == StatementKind.LOCKING_READ || b == StatementKind.WRITE;
        if (!aData || !bData) {
            return StatementKind.UNKNOWN;
        }
        if (a == StatementKind.WRITE || b == StatementKind.WRITE) {
            return StatementKind.WRITE;
        }
        return StatementKind.LOCKING_READ;
    }

    private static StatementKind statement(Tokens t, int from, int to) {
        int i = from;
        while (i < to && t.type(i) == Tokens.LPAREN) {
            i++;
        }
        String verb = t.word(i);
        if (verb == null || i >= to) {
            return StatementKind.UNKNOWN;
        }
        switch (verb) {
            case "SELECT":
            case "VALUES":
            case "TABLE":
                return selectLike(t, from, to);
            case "WITH":
                return with(t, i, to);
            case "SHOW":
                return show(t, i + 1, to);
            case "EXPLAIN":
            case "DESCRIBE":
            case "DESC":
                return "ANALYZE".equals(t.word(i + 1)) ? analyze(t, i + 2, to) : StatementKind.READ;
            case "ANALYZE":
                return analyze(t, i + 1, to);
            case "HELP":
                return StatementKind.READ;
            case "SET":
                return set(t, i + 1, to);
            case "USE":
                return StatementKind.SESSION;
            case "BEGIN":
                return "NOT".equals(t.word(i + 1)) ? StatementKind.UNKNOWN : StatementKind.TRANSACTION;
            case "START":
                return "TRANSACTION".equals(t.word(i + 1)) ? StatementKind.TRANSACTION : StatementKind.WRITE;
            default:
                if (TRANSACTION_VERBS.contains(verb)) {
                    return StatementKind.TRANSACTION;
                }
                return WRITE_VERBS.contains(verb) ? StatementKind.WRITE : StatementKind.UNKNOWN;
        }
    }

    /** {@code WITH [RECURSIVE] cte AS (...), ... <main statement>}: the main verb is the first at depth 0. */
    private static StatementKind with(Tokens t, int i, int to) {
        int depth = 0;
        for (int j = i + 1; j < to; j++) {
            int type = t.type(j);
            if (type == Tokens.LPAREN) {
                depth++;
            } else if (type == Tokens.RPAREN) {
                depth--;
            } else if (depth == 0 && t.word(j) != null && MAIN_VERBS_AFTER_WITH.contains(t.word(j))) {
                String verb = t.word(j);
                return verb.equals("SELECT") || verb.equals("TABLE") || verb.equals("VALUES")
                        ? selectLike(t, i, to) : StatementKind.WRITE;
            }
        }
        return StatementKind.UNKNOWN;
    }

    /** {@code SHOW WARNINGS}, {@code ERRORS}, {@code COUNT(*) ...} and {@code PROFILE(S)} describe the previous statement's connection. */
    private static StatementKind show(Tokens t, int i, int to) {
        String what = t.word(i);
        if ("WARNINGS".equals(what) || "ERRORS".equals(what) || "COUNT".equals(what) || "PROFILE".equals(what) || "PROFILES".equals(what)) {
            return StatementKind.UNKNOWN;
        }
        return StatementKind.READ;
    }

    /**
     * {@code EXPLAIN ANALYZE} and MariaDB's {@code ANALYZE <statement>} execute the statement, so
     * they are what the statement is; {@code ANALYZE TABLE} updates statistics: a write.
     */
    private static StatementKind analyze(Tokens t, int i, int to) {
        if ("FORMAT".equals(t.word(i))) {
            i += t.type(i + 1) == Tokens.OTHER ? 3 : 2; // FORMAT = JSON | FORMAT JSON
        }
        String next = t.word(i);
        if (next == null || next.equals("TABLE") || next.equals("TABLES") || next.equals("NO_WRITE_TO_BINLOG") || next.equals("LOCAL")) {
            return StatementKind.WRITE;
        }
        return i < to ? statement(t, i, to) : StatementKind.UNKNOWN;
    }

    private static StatementKind set(Tokens t, int i, int to) {
        String first = t.word(i);
        if ("GLOBAL".equals(first) || "PERSIST".equals(first) || "PERSIST_ONLY".equals(first)
                || "PASSWORD".equals(first) || ("DEFAULT".equals(first) && "ROLE".equals(t.word(i + 1)))) {
            return StatementKind.WRITE;
        }
        if ("STATEMENT".equals(first)) {
            int depth = 0;
            for (int j = i + 1; j < to; j++) {
                if (t.type(j) == Tokens.LPAREN) {
                    depth++;
                } else if (t.type(j) == Tokens.RPAREN) {
                    depth--;
                } else if (depth == 0 && "FOR".equals(t.word(j))) {
                    return j + 1 < to ? statement(t, j + 1, to) : StatementKind.UNKNOWN;
                }
            }
            return StatementKind.UNKNOWN;
        }
        for (int j = i; j < to; j++) {
            if (t.type(j) == Tokens.VARIABLE) {
                String v = t.text(j).toUpperCase(Locale.ROOT);
                if (v.startsWith("@@GLOBAL.") || v.startsWith("@@PERSIST.") || v.startsWith("@@PERSIST_ONLY.")) {
                    return StatementKind.WRITE;
                }
            }
            if (isSideEffectCall(t, j)) {
                return StatementKind.WRITE;
            }
        }
        return StatementKind.SESSION;
    }

    private static StatementKind selectLike(Tokens t, int from, int to) {
        boolean locking = false;
        for (int j = from; j < to; j++) {
            int type = t.type(j);
            if (type == Tokens.ASSIGN || isSideEffectCall(t, j)) {
                return StatementKind.WRITE;
            }
            String w = t.word(j);
            if (w == null) {
                continue;
            }
            switch (w) {
                case "INTO":
                case "SQL_CALC_FOUND_ROWS":
                    return StatementKind.WRITE;
                case "NEXT":
                case "PREVIOUS":
                    if ("VALUE".equals(t.word(j + 1)) && "FOR".equals(t.word(j + 2))) {
                        return StatementKind.WRITE;
                    }
                    break;
                case "FOR":
                    String next = t.word(j + 1);
                    if ("UPDATE".equals(next) || "SHARE".equals(next)) {
                        locking = true;
                    }
                    break;
                case "LOCK":
                    if ("IN".equals(t.word(j + 1)) && "SHARE".equals(t.word(j + 2)) && "MODE".equals(t.word(j + 3))) {
                        locking = true;
                    }
                    break;
                default:
                    break;
            }
        }
        return locking ? StatementKind.LOCKING_READ : StatementKind.READ;
    }

    /** A call of a built-in with side effects: the bare name (not {@code schema.name}) followed by '('. */
    private static boolean isSideEffectCall(Tokens t, int j) {
        String w = t.word(j);
        return w != null && t.type(j + 1) == Tokens.LPAREN && SIDE_EFFECT_FUNCTIONS.contains(w)
                && (j == 0 || t.type(j - 1) != Tokens.DOT);
    }

    /** The token list of one SQL text. Words are kept upper-cased. */
    static final class Tokens {
        static final int WORD = 1;
        static final int STRING = 2;
        static final int QUOTED_ID = 3;
        static final int VARIABLE = 4;
        static final int ASSIGN = 5;
        static final int LPAREN = 6;
        static final int RPAREN = 7;
        static final int SEMI = 8;
        static final int DOT = 9;
        static final int OTHER = 10;
        private static final int NONE = 0;

        private final String sql;
        private final List<int[]> tokens = new ArrayList<>();
        private final List<String> words = new ArrayList<>();

        private Tokens(String sql) {
            this.sql = sql;
        }

        static Tokens of(String sql) {
            Tokens t = new Tokens(sql);
            t.lex();
            return t;
        }

        int size() {
            return tokens.size();
        }

        int type(int i) {
            return i >= 0 && i < tokens.size() ? tokens.get(i)[0] : NONE;
        }

        /** The upper-cased word at {@code i}, {@code null} if the token is not a word. */
        String word(int i) {
            return i >= 0 && i < words.size() ? words.get(i) : null;
        }

        String text(int i) {
            int[] tok = tokens.get(i);
            return sql.substring(tok[1], tok[2]);
        }

        private void add(int type, int start, int end) {
            tokens.add(new int[] {type, start, end});
            words.add(type == WORD ? sql.substring(start, end).toUpperCase(Locale.ROOT) : null);
        }

        private void lex() {
            int n = sql.length();
            int pos = 0;
            boolean inExecutableComment = false;
            while (pos < n) {
                char c = sql.charAt(pos);
                char next = pos + 1 < n ? sql.charAt(pos + 1) : '\0';
                if (Character.isWhitespace(c)) {
                    pos++;
                } else if (c == '#' || (c == '-' && next == '-' && (pos + 2 >= n || sql.charAt(pos + 2) <= ' '))) {
                    int eol = sql.indexOf('\n', pos);
                    pos = eol < 0 ? n : eol + 1;
                } else if (c == '/' && next == '*') {
                    if (pos + 2 < n && sql.charAt(pos + 2) == '!') {
                        pos = skipVersion(pos + 3);
                        inExecutableComment = true;
                    } else if (pos + 3 < n && sql.charAt(pos + 2) == 'M' && sql.charAt(pos + 3) == '!') {
                        pos = skipVersion(pos + 4);
                        inExecutableComment = true;
                    } else {
                        int close = sql.indexOf("*/", pos + 2);
                        pos = close < 0 ? n : close + 2;
                    }
                } else if (c == '*' && next == '/' && inExecutableComment) {
                    inExecutableComment = false;
                    pos += 2;
                } else if (c == '\'' || c == '"') {
                    int end = skipQuoted(pos, c, true);
                    add(STRING, pos, end);
                    pos = end;
                } else if (c == '`') {
                    int end = skipQuoted(pos, c, false);
                    add(QUOTED_ID, pos, end);
                    pos = end;
                } else if (c == '@') {
                    int end = pos + 1;
                    if (end < n && sql.charAt(end) == '@') {
                        end++;
                    }
                    if (end < n && (sql.charAt(end) == '\'' || sql.charAt(end) == '"' || sql.charAt(end) == '`')) {
                        end = skipQuoted(end, sql.charAt(end), sql.charAt(end) != '`');
                    } else {
                        while (end < n && (isWordChar(sql.charAt(end)) || sql.charAt(end) == '.')) {
                            end++;
                        }
                    }
                    add(VARIABLE, pos, end);
                    pos = end;
                } else if (c == ':' && next == '=') {
                    add(ASSIGN, pos, pos + 2);
                    pos += 2;
                } else if (c == '(') {
                    add(LPAREN, pos, ++pos);
                } else if (c == ')') {
                    add(RPAREN, pos, ++pos);
                } else if (c == ';') {
                    add(SEMI, pos, ++pos);
                } else if (c == '.') {
                    add(DOT, pos, ++pos);
                } else if (isWordChar(c)) {
                    int end = pos + 1;
                    while (end < n && isWordChar(sql.charAt(end))) {
                        end++;
                    }
                    add(WORD, pos, end);
                    pos = end;
                } else {
                    add(OTHER, pos, ++pos);
                }
            }
        }

        private int skipVersion(int pos) {
            int digits = 0;
            while (pos < sql.length() && digits < 6 && Character.isDigit(sql.charAt(pos))) {
                pos++;
                digits++;
            }
            return pos;
        }

        /** The index after the closing quote; a doubled quote is part of the text, so is an escaped one if allowed. */
        private int skipQuoted(int start, char quote, boolean backslashEscapes) {
            int n = sql.length();
            int pos = start + 1;
            while (pos < n) {
                char c = sql.charAt(pos);
                if (c == '\\' && backslashEscapes) {
                    pos += 2;
                } else if (c == quote) {
                    if (pos + 1 < n && sql.charAt(pos + 1) == quote) {
                        pos += 2;
                    } else {
                        return pos + 1;
                    }
                } else {
                    pos++;
                }
            }
            return n;
        }

        private static boolean isWordChar(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
        }
    }
}
