package dev.haven.core.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An executed-transactions position in one of the two GTID formats, comparable with
 * {@link #covers(GtidSet)}.
 *
 * <ul>
 *   <li>MariaDB ({@code @@gtid_slave_pos}, {@code @@gtid_binlog_pos}): {@code domain-server-seq}
 *       comma lists, e.g. {@code 0-1-100,1-2-50}. Within a domain sequence numbers only grow, so
 *       a position covers another if, for every domain of the other, its own seq in that domain is
 *       at least as high. The server id plays no part.</li>
 *   <li>MySQL ({@code @@gtid_executed}): interval sets per source UUID (and, from 8.3, per tag),
 *       e.g. {@code 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100:105,uuid2:tag:1-5}. A set covers
 *       another if it contains every one of the other's transactions.</li>
 * </ul>
 * Parsed once (when a node is snapshotted or a write commits); {@link #covers} then allocates
 * nothing, so routing can call it. Positions of different formats never cover each other, except
 * that every position covers the empty one. Immutable.
 */
public abstract class GtidSet {

    /** The empty position: covered by every position, covers only itself. */
    public static final GtidSet EMPTY = new MariaDb(new long[0], new long[0], "");

    private final String text;

    GtidSet(String text) {
        this.text = text;
    }

    /**
     * Parses either format; {@code null} or blank is {@link #EMPTY}.
     *
     * @throws IllegalArgumentException if the text is in neither format
     */
    public static GtidSet parse(String text) {
        if (text == null || text.isBlank()) {
            return EMPTY;
        }
        return text.indexOf(':') >= 0 ? parseMySql(text) : parseMariaDb(text);
    }

    /** Whether every transaction of {@code other} is in this set. */
    public abstract boolean covers(GtidSet other);

    /** Whether the set holds no transaction. */
    public abstract boolean isEmpty();

    /**
     * How many transactions of {@code other} this set lacks: what a server at this position would lose if it
     * became the primary while {@code other} is the most advanced position known. MariaDB positions count the
     * sequence numbers missing per replication domain.
     *
     * @return the count, {@link Long#MAX_VALUE} when the formats differ and {@code other} is not empty
     */
    public abstract long missing(GtidSet other);

    /** Every transaction in this set or in {@code other}: the most advanced position of the two, per domain or source. */
    public GtidSet union(GtidSet other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        if (other.getClass() != getClass()) {
            throw new IllegalArgumentException("cannot join GTID positions of different formats: '" + this + "' and '"
                    + other + "'");
        }
        return parse(text + "," + other.text);
    }

    /** The canonical text: MariaDB sorted by domain, MySQL sorted and merged, lower case. */
    @Override
    public final String toString() {
        return text;
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof GtidSet && ((GtidSet) o).text.equals(text);
    }

    @Override
    public final int hashCode() {
        return text.hashCode();
    }

    // ------------------------------------------------------------------ MariaDB

    private static GtidSet parseMariaDb(String text) {
        TreeMap<Long, long[]> byDomain = new TreeMap<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String[] f = p.split("-", -1);
            if (f.length != 3) {
                throw new IllegalArgumentException("'" + text + "' is not a GTID position: '" + p
                        + "' is not domain-server-seq (MariaDB) and there is no uuid:interval (MySQL)");
            }
            long domain = unsigned(text, f[0]);
            long server = unsigned(text, f[1]);
            long seq = unsigned(text, f[2]);
            long[] known = byDomain.get(domain);
            if (known == null || Long.compareUnsigned(seq, known[1]) > 0) {
                byDomain.put(domain, new long[] {server, seq});
            }
        }
        long[] domains = new long[byDomain.size()];
        long[] seqs = new long[byDomain.size()];
        StringBuilder canonical = new StringBuilder();
        int i = 0;
        for (Map.Entry<Long, long[]> e : byDomain.entrySet()) {
            domains[i] = e.getKey();
            seqs[i] = e.getValue()[1];
            if (i > 0) {
                canonical.append(',');
            }
            canonical.append(Long.toUnsignedString(e.getKey())).append('-')
                    .append(Long.toUnsignedString(e.getValue()[0])).append('-')
                    .append(Long.toUnsignedString(e.getValue()[1]));
            i++;
        }
        return new MariaDb(domains, seqs, canonical.toString());
    }

    private static long unsigned(String whole, String digits) {
        String d = digits.trim();
        if (d.isEmpty()) {
            throw new IllegalArgumentException("'" + whole + "' is not a GTID position: empty number");
        }
        for (int i = 0; i < d.length(); i++) {
            if (d.charAt(i) < '0' || d.charAt(i) > '9') {
                throw new IllegalArgumentException("'" + whole + "' is not a GTID position: '" + d + "' is not a number");
            }
        }
        try {
            return Long.parseUnsignedLong(d);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + whole + "' is not a GTID position: '" + d + "' is too large", e);
        }
    }

    static final class MariaDb extends GtidSet {
        private final long[] domains;   // sorted ascending
        private final long[] seqs;      // highest seq per domain, unsigned

        MariaDb(long[] domains, long[] seqs, String text) {
            super(text);
            this.domains = domains;
            this.seqs = seqs;
        }

        @Override
        public boolean isEmpty() {
            return domains.length == 0;
        }

        @Override
        public long missing(GtidSet other) {
            if (other.isEmpty()) {
                return 0;
            }
            if (!(other instanceof MariaDb)) {
                return Long.MAX_VALUE;
            }
            MariaDb o = (MariaDb) other;
            long count = 0;
            int i = 0;
            for (int j = 0; j < o.domains.length; j++) {
                while (i < domains.length && domains[i] < o.domains[j]) {
                    i++;
                }
                long have = i < domains.length && domains[i] == o.domains[j] ? seqs[i] : 0;
                if (Long.compareUnsigned(o.seqs[j], have) > 0) {
                    count += o.seqs[j] - have;
                }
            }
            return count;
        }

        @Override
        public boolean covers(GtidSet other) {
            if (other.isEmpty()) {
                return true;
            }
            if (!(other instanceof MariaDb)) {
                return false;
            }
            MariaDb o = (MariaDb) other;
            int i = 0;
            for (int j = 0; j < o.domains.length; j++) {
                long domain = o.domains[j];
                while (i < domains.length && domains[i] < domain) {
                    i++;
                }
                if (i == domains.length || domains[i] != domain || Long.compareUnsigned(seqs[i], o.seqs[j]) < 0) {
                    return false;
                }
            }
            return true;
        }
    }

    // ------------------------------------------------------------------ MySQL

    private static GtidSet parseMySql(String text) {
        TreeMap<String, List<long[]>> bySource = new TreeMap<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String[] f = p.split(":", -1);
            String uuid = f[0].trim().toLowerCase(Locale.ROOT);
            if (!isUuid(uuid) || f.length < 2) {
                throw new IllegalArgumentException("'" + text + "' is not a GTID set: '" + p + "' is not uuid:interval[:interval...]");
            }
            String source = uuid;
            boolean sawInterval = false;
            for (int k = 1; k < f.length; k++) {
                String iv = f[k].trim();
                if (!iv.isEmpty() && (Character.isLetter(iv.charAt(0)) || iv.charAt(0) == '_')) {
                    source = uuid + ":" + iv.toLowerCase(Locale.ROOT);
                    continue;
                }
                int dash = iv.indexOf('-');
                long start = unsigned(text, dash < 0 ? iv : iv.substring(0, dash));
                long end = dash < 0 ? start : unsigned(text, iv.substring(dash + 1));
                if (start < 1 || end < start) {
                    throw new IllegalArgumentException("'" + text + "' is not a GTID set: bad interval '" + iv + "'");
                }
                bySource.computeIfAbsent(source, s -> new ArrayList<>()).add(new long[] {start, end});
                sawInterval = true;
            }
            if (!sawInterval) {
                throw new IllegalArgumentException("'" + text + "' is not a GTID set: '" + p + "' has no interval");
            }
        }
        String[] sources = bySource.keySet().toArray(new String[0]);
        long[][] intervals = new long[sources.length][];
        StringBuilder canonical = new StringBuilder();
        for (int s = 0; s < sources.length; s++) {
            intervals[s] = merge(bySource.get(sources[s]));
            if (s > 0) {
                canonical.append(',');
            }
            canonical.append(sources[s]);
            for (int k = 0; k < intervals[s].length; k += 2) {
                canonical.append(':').append(intervals[s][k]);
                if (intervals[s][k + 1] != intervals[s][k]) {
                    canonical.append('-').append(intervals[s][k + 1]);
                }
            }
        }
        return new MySql(sources, intervals, canonical.toString());
    }

    /** Sorts and merges overlapping or adjacent intervals into a flat [start0, end0, start1, end1, ...]. */
    private static long[] merge(List<long[]> list) {
        list.sort((a, b) -> Long.compare(a[0], b[0]));
        long[] out = new long[list.size() * 2];
        int n = 0;
        for (long[] iv : list) {
            if (n > 0 && iv[0] <= out[n - 1] + 1) {
                out[n - 1] = Math.max(out[n - 1], iv[1]);
            } else {
                out[n++] = iv[0];
                out[n++] = iv[1];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static boolean isUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    static final class MySql extends GtidSet {
        private final String[] sources;   // sorted; "uuid" or "uuid:tag"
        private final long[][] intervals; // per source, merged, flat start/end pairs

        MySql(String[] sources, long[][] intervals, String text) {
            super(text);
            this.sources = sources;
            this.intervals = intervals;
        }

        @Override
        public boolean isEmpty() {
            return sources.length == 0;
        }

        @Override
        public long missing(GtidSet other) {
            if (other.isEmpty()) {
                return 0;
            }
            if (!(other instanceof MySql)) {
                return Long.MAX_VALUE;
            }
            MySql o = (MySql) other;
            long count = 0;
            for (int j = 0; j < o.sources.length; j++) {
                int i = Arrays.binarySearch(sources, o.sources[j]);
                count += uncovered(i >= 0 ? intervals[i] : new long[0], o.intervals[j]);
            }
            return count;
        }

        /** How many numbers of merged interval list {@code inner} are outside merged list {@code outer}. */
        private static long uncovered(long[] outer, long[] inner) {
            long count = 0;
            for (int b = 0; b < inner.length; b += 2) {
                long start = inner[b];
                long end = inner[b + 1];
                long covered = 0;
                for (int a = 0; a < outer.length; a += 2) {
                    long lo = Math.max(start, outer[a]);
                    long hi = Math.min(end, outer[a + 1]);
                    if (lo <= hi) {
                        covered += hi - lo + 1;
                    }
                }
                count += end - start + 1 - covered;
            }
            return count;
        }

        @Override
        public boolean covers(GtidSet other) {
            if (other.isEmpty()) {
                return true;
            }
            if (!(other instanceof MySql)) {
                return false;
            }
            MySql o = (MySql) other;
            int i = 0;
            for (int j = 0; j < o.sources.length; j++) {
                while (i < sources.length && sources[i].compareTo(o.sources[j]) < 0) {
                    i++;
                }
                if (i == sources.length || !sources[i].equals(o.sources[j]) || !contains(intervals[i], o.intervals[j])) {
                    return false;
                }
            }
            return true;
        }

        /** Whether merged interval list {@code outer} contains every interval of {@code inner}. */
        private static boolean contains(long[] outer, long[] inner) {
            int a = 0;
            for (int b = 0; b < inner.length; b += 2) {
                while (a < outer.length && outer[a + 1] < inner[b]) {
                    a += 2;
                }
                if (a == outer.length || outer[a] > inner[b] || outer[a + 1] < inner[b + 1]) {
                    return false;
                }
            }
            return true;
        }
    }
}
