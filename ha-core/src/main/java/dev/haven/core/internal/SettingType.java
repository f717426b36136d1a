package dev.haven.core.internal;

import dev.haven.core.NodeAddress;
import dev.haven.core.PromotionRule;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The value types of Haven's settings: how a value is parsed from text, checked, and printed.
 * Every failure is an {@link IllegalArgumentException} whose message names the key, the value
 * (unless secret) and what is allowed.
 *
 * @param <T> the Java type of the value
 */
public abstract class SettingType<T> {

    private final String name;
    private final Class<?> valueType;

    SettingType(String name, Class<?> valueType) {
        this.name = name;
        this.valueType = valueType;
    }

    /**
     * The Java type of a parsed value: {@link Duration}, {@link Long} (also for {@code int} settings),
     * {@link Boolean}, the enum's class, {@link String}, {@link List} or {@link Map}.
     */
    public final Class<?> valueType() {
        return valueType;
    }

    /** Short type name for documentation and {@code DriverPropertyInfo}: duration, boolean, int, ... */
    public final String name() {
        return name;
    }

    /** What is allowed, as a human phrase completing "allowed: ...". */
    public abstract String allowed();

    /** Choices for enumerated types (kebab-case), empty otherwise. */
    public List<String> choices() {
        return List.of();
    }

    /** Parses text; {@code key} is only used in messages. */
    public abstract T parse(String key, String text);

    /** Checks a typed value (bounds, null) and returns it, possibly normalised (copied). */
    public T check(String key, T value) {
        if (value == null) {
            throw new IllegalArgumentException(key + ": no value given; allowed: " + allowed());
        }
        return value;
    }

    /** The canonical text form, such that {@code parse(format(v))} equals {@code v}. */
    public String format(T value) {
        return String.valueOf(value);
    }

    /** Whether values must never be printed. */
    public boolean secret() {
        return false;
    }

    final IllegalArgumentException invalid(String key, String text, String problem) {
        return new IllegalArgumentException(key + ": '" + text + "' " + problem + "; allowed: " + allowed());
    }

    // ------------------------------------------------------------------ durations

    /** Durations written as a whole number with unit ms, s, m or h. */
    public static SettingType<Duration> duration(Duration min, Duration max) {
        return new DurationType(min, max);
    }

    static final class DurationType extends SettingType<Duration> {
        private final Duration min;
        private final Duration max;

        DurationType(Duration min, Duration max) {
            super("duration", Duration.class);
            this.min = min;
            this.max = max;
        }

        @Override
        public String allowed() {
            return "a number with unit ms, s, m or h, e.g. 2s, from " + formatDuration(min) + " to " + formatDuration(max);
        }

        @Override
        public Duration parse(String key, String text) {
            if (text == null) {
                return check(key, null);
            }
            String s = text.trim().toLowerCase(Locale.ROOT);
            int i = 0;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == 0 || i > 12) {
                throw invalid(key, text, "is not a duration");
            }
            long amount = Long.parseLong(s.substring(0, i));
            String unit = s.substring(i).trim();
            Duration d;
            switch (unit) {
                case "ms": d = Duration.ofMillis(amount); break;
                case "s": d = Duration.ofSeconds(amount); break;
                case "m": d = Duration.ofMinutes(amount); break;
                case "h": d = Duration.ofHours(amount); break;
                default: throw invalid(key, text, "is not a duration");
            }
            return checkBounds(key, d, text);
        }

        @Override
        public Duration check(String key, Duration value) {
            super.check(key, value);
            return checkBounds(key, value, formatDuration(value));
        }

        private Duration checkBounds(String key, Duration d, String shown) {
            if (d.compareTo(min) < 0) {
                throw invalid(key, shown, "is too short");
            }
            if (d.compareTo(max) > 0) {
                throw invalid(key, shown, "is too long");
            }
            return d;
        }

        @Override
        public String format(Duration value) {
            return formatDuration(value);
        }
    }

    /** The shortest exact form: {@code 1h}, {@code 90s}, {@code 1500ms}; sub-millisecond parts are dropped. */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    // ------------------------------------------------------------------ numbers and booleans

    /** Whole numbers between min and max inclusive. */
    public static SettingType<Long> number(String name, long min, long max) {
        return new NumberType(name, min, max);
    }

    static final class NumberType extends SettingType<Long> {
        private final long min;
        private final long max;

        NumberType(String name, long min, long max) {
            super(name, Long.class);
            this.min = min;
            this.max = max;
        }

        @Override
        public String allowed() {
            return max == Long.MAX_VALUE ? "a whole number, at least " + min : "a whole number from " + min + " to " + max;
        }

        @Override
        public Long parse(String key, String text) {
            if (text == null) {
                return check(key, null);
            }
            long v;
            try {
                v = Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw invalid(key, text, "is not a whole number");
            }
            return checkBounds(key, v, text);
        }

        @Override
        public Long check(String key, Long value) {
            super.check(key, value);
            return checkBounds(key, value, String.valueOf(value));
        }

        private Long checkBounds(String key, long v, String shown) {
            if (v < min || v > max) {
                throw invalid(key, shown, "is out of range");
            }
            return v;
        }
    }

    /** {@code true} or {@code false}, case-insensitive. */
    public static SettingType<Boolean> bool() {
        return BOOLEAN;
    }

    private static final SettingType<Boolean> BOOLEAN = new SettingType<>("boolean", Boolean.class) {
        @Override
        public String allowed() {
            return "true or false";
        }

        @Override
        public List<String> choices() {
            return List.of("true", "false");
        }

        @Override
        public Boolean parse(String key, String text) {
            if (text == null) {
                return check(key, null);
            }
            String s = text.trim();
            if (s.equalsIgnoreCase("true")) {
                return Boolean.TRUE;
            }
            if (s.equalsIgnoreCase("false")) {
                return Boolean.FALSE;
            }
            throw invalid(key, text, "is not a boolean");
        }
    };

    // ------------------------------------------------------------------ enums

    /** The kebab-case name of an enum constant: {@code ROUND_ROBIN} is {@code round-robin}. */
    public static String kebab(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Enum constants written in kebab-case ({@code round-robin}); upper case and underscores are accepted too. */
    public static <E extends Enum<E>> SettingType<E> enumeration(Class<E> type) {
        return new EnumType<>(type);
    }

    static final class EnumType<E extends Enum<E>> extends SettingType<E> {
        private final E[] constants;
        private final List<String> choices;

        EnumType(Class<E> type) {
            super("enum", type);
            this.constants = type.getEnumConstants();
            List<String> names = new ArrayList<>();
            for (E e : constants) {
                names.add(kebab(e));
            }
            this.choices = List.copyOf(names);
        }

        @Override
        public String allowed() {
            return String.join(", ", choices);
        }

        @Override
        public List<String> choices() {
            return choices;
        }

        @Override
        public E parse(String key, String text) {
            if (text == null) {
                return check(key, null);
            }
            String s = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (E e : constants) {
                if (kebab(e).equals(s)) {
                    return e;
                }
            }
            throw invalid(key, text, "is not a valid value");
        }

        @Override
        public String format(E value) {
            return kebab(value);
        }
    }

    // ------------------------------------------------------------------ text

    /** Optional free text; empty means unset ({@code null}). */
    public static SettingType<String> text(boolean secret) {
        return secret ? SECRET : TEXT;
    }

    private static final SettingType<String> TEXT = new TextType("string", false);
    private static final SettingType<String> SECRET = new TextType("password", true);

    static final class TextType extends SettingType<String> {
        private final boolean secret;

        TextType(String name, boolean secret) {
            super(name, String.class);
            this.secret = secret;
        }

        @Override
        public String allowed() {
            return "any text";
        }

        @Override
        public String parse(String key, String text) {
            return text == null || text.isEmpty() ? null : text;
        }

        @Override
        public String check(String key, String value) {
            return value;
        }

        @Override
        public boolean secret() {
            return secret;
        }

        @Override
        public String format(String value) {
            return secret && value != null ? "****" : value == null ? "" : value;
        }
    }

    /**
     * The name of a class implementing {@code type} with a public no-argument constructor, checked by loading it
     * (from the thread's context class loader, else Haven's); empty means none ({@code null}).
     */
    public static SettingType<String> className(Class<?> type) {
        return new ClassNameType(type);
    }

    static final class ClassNameType extends SettingType<String> {
        private final Class<?> type;

        ClassNameType(Class<?> type) {
            super("class name", String.class);
            this.type = type;
        }

        @Override
        public String allowed() {
            return "the name of a class implementing " + type.getName() + " with a public no-argument constructor";
        }

        @Override
        public String parse(String key, String text) {
            return text == null || text.trim().isEmpty() ? null : check(key, text.trim());
        }

        @Override
        public String check(String key, String value) {
            if (value != null) {
                Class<?> loaded = load(value);
                if (loaded == null) {
                    throw invalid(key, value, "is not a class that can be loaded");
                }
                if (!type.isAssignableFrom(loaded)) {
                    throw invalid(key, value, "does not implement " + type.getName());
                }
                try {
                    if (!java.lang.reflect.Modifier.isPublic(loaded.getConstructor().getModifiers())) {
                        throw invalid(key, value, "has no public no-argument constructor");
                    }
                } catch (NoSuchMethodException e) {
                    throw invalid(key, value, "has no public no-argument constructor");
                }
            }
            return value;
        }

        @Override
        public String format(String value) {
            return value == null ? "" : value;
        }

        /** The class of that name, or null when no class loader that Haven may use has it. */
        static Class<?> load(String name) {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            for (ClassLoader loader : new ClassLoader[] {context, SettingType.class.getClassLoader()}) {
                if (loader == null) {
                    continue;
                }
                try {
                    return Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    // try the next one
                }
            }
            return null;
        }
    }

    /** A zone name: letters, digits, '.', '-', '_'; empty means none ({@code null}). */
    public static SettingType<String> zoneName() {
        return ZONE;
    }

    private static final SettingType<String> ZONE = new SettingType<>("string", String.class) {
        @Override
        public String allowed() {
            return "a zone name of letters, digits, '.', '-' and '_', e.g. eu-1a";
        }

        @Override
        public String parse(String key, String text) {
            if (text == null || text.trim().isEmpty()) {
                return null;
            }
            return check(key, text.trim());
        }

        @Override
        public String check(String key, String value) {
            if (value != null && !isZoneName(value)) {
                throw invalid(key, value, "is not a zone name");
            }
            return value;
        }

        @Override
        public String format(String value) {
            return value == null ? "" : value;
        }
    };

    static boolean isZoneName(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ addresses

    /** A comma-separated list of {@code host[:port]}, IPv6 in brackets, no duplicates. */
    public static SettingType<List<NodeAddress>> addressList() {
        return ADDRESSES;
    }

    private static final SettingType<List<NodeAddress>> ADDRESSES = new SettingType<>("host list", List.class) {
        @Override
        public String allowed() {
            return "comma-separated host:port, IPv6 in brackets, port defaults to 3306, e.g. db1:3306,db2,[::1]:3307";
        }

        @Override
        public List<NodeAddress> parse(String key, String text) {
            if (text == null) {
                return check(key, null);
            }
            List<NodeAddress> list = new ArrayList<>();
            for (String part : text.split(",", -1)) {
                if (part.trim().isEmpty()) {
                    if (text.trim().isEmpty()) {
                        break;
                    }
                    throw invalid(key, text, "has an empty entry");
                }
                NodeAddress address;
                try {
                    address = NodeAddress.parse(part);
                } catch (IllegalArgumentException e) {
                    throw invalid(key, text, "is not a host list (" + e.getMessage() + ")");
                }
                if (list.contains(address)) {
                    throw invalid(key, text, "names a host twice (" + address + ")");
                }
                list.add(address);
            }
            return check(key, list);
        }

        @Override
        public List<NodeAddress> check(String key, List<NodeAddress> value) {
            super.check(key, value);
            List<NodeAddress> copy = List.copyOf(value);
            if (copy.stream().distinct().count() != copy.size()) {
                throw invalid(key, format(copy), "names a host twice");
            }
            return copy;
        }

        @Override
        public String format(List<NodeAddress> value) {
            StringBuilder sb = new StringBuilder();
            for (NodeAddress a : value) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(a);
            }
            return sb.toString();
        }
    };

    /** {@code host:port=zone} pairs. */
    public static SettingType<Map<NodeAddress, String>> zoneMap() {
        return ZONE_MAP;
    }

    private static final SettingType<Map<NodeAddress, String>> ZONE_MAP = new AddressMapType<>(
            "a comma-separated list of host:port=zone, e.g. db1:3306=eu-1a,db2:3306=eu-1b") {
        @Override
        String parseValue(String text) {
            return isZoneName(text) ? text : null;
        }

        @Override
        String formatValue(String value) {
            return value;
        }

        @Override
        boolean validValue(String value) {
            return value != null && isZoneName(value);
        }
    };

    /** {@code host:port=rule} pairs, rule one of prefer, neutral, never. */
    public static SettingType<Map<NodeAddress, PromotionRule>> promotionMap() {
        return PROMOTION_MAP;
    }

    private static final SettingType<Map<NodeAddress, PromotionRule>> PROMOTION_MAP = new AddressMapType<>(
            "a comma-separated list of host:port=rule with rule prefer, neutral or never, e.g. db3:3306=never,db1:3306=prefer") {
        @Override
        PromotionRule parseValue(String text) {
            for (PromotionRule r : PromotionRule.values()) {
                if (r.toString().equalsIgnoreCase(text)) {
                    return r;
                }
            }
            return null;
        }

        @Override
        String formatValue(PromotionRule value) {
            return value.toString();
        }
    };

    abstract static class AddressMapType<V> extends SettingType<Map<NodeAddress, V>> {
        private final String allowed;

        AddressMapType(String allowed) {
            super("map", Map.class);
            this.allowed = allowed;
        }

        abstract V parseValue(String text);

        abstract String formatValue(V value);

        boolean validValue(V value) {
            return value != null;
        }

        @Override
        public String allowed() {
            return allowed;
        }

        @Override
        public Map<NodeAddress, V> parse(String key, String text) {
            if (text == null) {
                return check(key, null);
            }
            Map<NodeAddress, V> map = new LinkedHashMap<>();
            if (text.trim().isEmpty()) {
                return Map.of();
            }
            for (String entry : text.split(",", -1)) {
                int eq = entry.lastIndexOf('=');
                if (eq < 0) {
                    throw invalid(key, text, "has an entry without '=' (" + entry.trim() + ")");
                }
                NodeAddress address;
                try {
                    address = NodeAddress.parse(entry.substring(0, eq));
                } catch (IllegalArgumentException e) {
                    throw invalid(key, text, "has a bad address (" + e.getMessage() + ")");
                }
                V value = parseValue(entry.substring(eq + 1).trim());
                if (value == null) {
                    throw invalid(key, text, "has a bad value for " + address + " ('" + entry.substring(eq + 1).trim() + "')");
                }
                if (map.put(address, value) != null) {
                    throw invalid(key, text, "names " + address + " twice");
                }
            }
            return Collections.unmodifiableMap(map);
        }

        @Override
        public Map<NodeAddress, V> check(String key, Map<NodeAddress, V> value) {
            super.check(key, value);
            for (Map.Entry<NodeAddress, V> e : value.entrySet()) {
                if (e.getKey() == null || !validValue(e.getValue())) {
                    throw invalid(key, String.valueOf(value), "has a bad entry for " + e.getKey());
                }
            }
            return Collections.unmodifiableMap(new LinkedHashMap<>(value));
        }

        @Override
        public String format(Map<NodeAddress, V> value) {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<NodeAddress, V> e : value.entrySet()) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(e.getKey()).append('=').append(formatValue(e.getValue()));
            }
            return sb.toString();
        }
    }
}
