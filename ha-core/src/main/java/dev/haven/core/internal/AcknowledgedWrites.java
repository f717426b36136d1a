package dev.haven.core.internal;

import dev.haven.core.ReplicationPosition;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The highest GTID of every write this data source saw acknowledged, per MySQL source UUID or MariaDB replication
 * domain: what the client-side RPO guard ({@link Failover#guardAcknowledgedWrites}) requires of a candidate.
 *
 * <p>Why the highest one suffices: a primary writes its binary log in commit order, and a replica receives it in
 * that order, so a replica that has a source's (or domain's) highest acknowledged GTID has every earlier one of that
 * source too. {@link #position()} therefore asks for that one GTID per source ({@code uuid:N}, {@code D-S-N}), not
 * for the whole history: a replica whose old history has a gap (skipped or purged long ago) is not held against it.
 *
 * <p>Implementation notes: {@link #record} runs after every acknowledged write commit, on the application's
 * thread. Its common input is one GTID ({@code uuid:N} from MySQL's {@code session_track_gtids=OWN_GTID},
 * {@code D-S-N} from MariaDB's {@code last_gtid}); that is parsed in place and raises a per-source maximum with
 * a compare-and-set, no lock and no allocation. A new source (rare: once per primary's UUID or domain) copies the
 * small array of sources. Anything else (a set of several GTIDs, or a tagged MySQL GTID) goes through
 * {@link GtidSet#parse}, which allocates. {@link #position()} builds its answer each time it is asked, which
 * happens when a promotion is considered, not per commit.
 */
public final class AcknowledgedWrites {

    /** One MySQL source UUID ({@code uuid} set, {@code domain} -1) or one MariaDB domain ({@code uuid} null). */
    private static final class Source {
        final String uuid;
        final long domain;
        final AtomicLong highest = new AtomicLong();
        /** The MariaDB server_id of the highest GTID; informative only (a MariaDB position ignores it). */
        volatile long serverId;

        Source(String uuid, long domain) {
            this.uuid = uuid;
            this.domain = domain;
        }
    }

    private static final Source[] NONE = new Source[0];

    private volatile Source[] sources = NONE;

    /**
     * Records a GTID (or GTID set) the primary reported for an acknowledged commit. Text that is no GTID is
     * ignored: the guard cannot protect what it cannot read, and an acknowledged commit must not fail for it.
     */
    public void record(CharSequence gtid) {
        if (gtid == null || gtid.length() == 0) {
            return;
        }
        if (!recordOneMySql(gtid) && !recordOneMariaDb(gtid)) {
            recordSet(gtid.toString());
        }
    }

    /** Whether nothing was recorded yet. */
    public boolean isEmpty() {
        return sources.length == 0;
    }

    /** The highest acknowledged GTID per source as a position ({@code uuid:N,...} or {@code D-S-N,...}). */
    public ReplicationPosition position() {
        Source[] all = sources;
        if (all.length == 0) {
            return ReplicationPosition.EMPTY;
        }
        StringBuilder mysql = new StringBuilder();
        StringBuilder mariadb = new StringBuilder();
        for (Source s : all) {
            long n = s.highest.get();
            if (n <= 0) {
                continue;
            }
            if (s.uuid != null) {
                (mysql.length() == 0 ? mysql : mysql.append(',')).append(s.uuid).append(':').append(n);
            } else {
                (mariadb.length() == 0 ? mariadb : mariadb.append(',')).append(s.domain).append('-')
                        .append(s.serverId).append('-').append(n);
            }
        }
        // One server family per cluster; should both ever appear, the MySQL part is what the servers can compare.
        return ReplicationPosition.parse(mysql.length() > 0 ? mysql.toString() : mariadb.toString());
    }

    @Override
    public String toString() {
        return position().toString();
    }

    // ------------------------------------------------------------------------------------------ parsing

    /** {@code uuid:N} with a 36-character UUID: recorded, true; anything else: false. */
    private boolean recordOneMySql(CharSequence s) {
        int len = s.length();
        if (len < 38 || s.charAt(36) != ':') {
            return false;
        }
        long n = digits(s, 37, len);
        if (n <= 0) {
            return false;
        }
        Source known = knownMySqlSource(s);
        if (known == null) {
            if (!isUuid(s)) {
                return false;
            }
            known = mysqlSource(s, 36);
        }
        raise(known, n, 0);
        return true;
    }

    /** The common case: a source seen before, in the servers' lower case, found by comparing characters. */
    private Source knownMySqlSource(CharSequence s) {
        for (Source known : sources) {
            String uuid = known.uuid;
            if (uuid != null && uuid.length() == 36 && sameChars(uuid, s)) {
                return known;
            }
        }
        return null;
    }

    private static boolean sameChars(String key, CharSequence s) {
        for (int i = key.length() - 1; i >= 0; i--) { // UUIDs of one cluster differ most at the end (the node part)
            if (key.charAt(i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isUuid(CharSequence s) {
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !isHex(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@code D-S-N}: recorded, true; anything else: false. */
    private boolean recordOneMariaDb(CharSequence s) {
        int len = s.length();
        int first = indexOf(s, '-', 0);
        int second = first < 0 ? -1 : indexOf(s, '-', first + 1);
        if (first <= 0 || second <= first + 1 || second >= len - 1) {
            return false;
        }
        long domain = digits(s, 0, first);
        long server = digits(s, first + 1, second);
        long seq = digits(s, second + 1, len);
        if (domain < 0 || server < 0 || seq <= 0) {
            return false;
        }
        raise(mariaDbSource(domain), seq, server);
        return true;
    }

    /** The slow path: a set of GTIDs, or a form the fast paths do not read. */
    private void recordSet(String text) {
        GtidSet set;
        try {
            set = GtidSet.parse(text.trim());
        } catch (IllegalArgumentException e) {
            return;
        }
        if (set.isEmpty()) {
            return;
        }
        // Per element uuid:intervals[:tag:intervals...]; each interval's end raises its source's (uuid or uuid:tag).
        for (String element : set.toString().split(",")) {
            if (element.indexOf(':') < 0) {
                recordOneMariaDb(element);
                continue;
            }
            String[] parts = element.split(":");
            String key = parts[0];
            for (int i = 1; i < parts.length; i++) {
                String part = parts[i];
                if (part.isEmpty() || part.charAt(0) < '0' || part.charAt(0) > '9') {
                    key = parts[0] + ":" + part; // a tag (MySQL 8.3+): its own source to the servers
                    continue;
                }
                int dash = part.indexOf('-');
                long n = digits(part, dash < 0 ? 0 : dash + 1, part.length());
                if (n > 0) {
                    raise(mysqlSource(key, key.length()), n, 0);
                }
            }
        }
    }

    private static void raise(Source s, long n, long serverId) {
        AtomicLong highest = s.highest;
        long current = highest.get();
        while (n > current) {
            if (highest.compareAndSet(current, n)) {
                s.serverId = serverId;
                return;
            }
            current = highest.get();
        }
    }

    /** The source named by the first {@code keyLength} characters of {@code s} (a uuid, or uuid:tag). */
    private Source mysqlSource(CharSequence s, int keyLength) {
        for (Source known : sources) {
            if (known.uuid != null && known.uuid.length() == keyLength && regionEqualsIgnoreCase(known.uuid, s)) {
                return known;
            }
        }
        return add(new Source(s.subSequence(0, keyLength).toString().toLowerCase(java.util.Locale.ROOT), -1));
    }

    private Source mariaDbSource(long domain) {
        for (Source known : sources) {
            if (known.uuid == null && known.domain == domain) {
                return known;
            }
        }
        return add(new Source(null, domain));
    }

    /** Adds a source unless another thread just did; returns the one in the table. */
    private synchronized Source add(Source fresh) {
        Source[] all = sources;
        for (Source known : all) {
            if (fresh.uuid == null ? known.uuid == null && known.domain == fresh.domain
                    : fresh.uuid.equals(known.uuid)) {
                return known;
            }
        }
        Source[] grown = java.util.Arrays.copyOf(all, all.length + 1);
        grown[all.length] = fresh;
        sources = grown;
        return fresh;
    }

    private static boolean regionEqualsIgnoreCase(String key, CharSequence s) {
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) != Character.toLowerCase(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int indexOf(CharSequence s, char c, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** The decimal number in {@code [from, to)}, or -1 if it is empty, has a non-digit or overflows. */
    private static long digits(CharSequence s, int from, int to) {
        if (from >= to || to - from > 18) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
