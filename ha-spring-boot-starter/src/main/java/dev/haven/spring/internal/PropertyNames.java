package dev.haven.spring.internal;

import dev.haven.core.HavenConfig;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Haven's keys as Spring Boot property names, and back: {@code ha.} becomes {@code haven.}, each camel-case word is
 * kebab-cased, and a key that also heads a group of keys takes {@code .mode} ({@code ha.failover} is
 * {@code haven.failover.mode}, because {@code haven.failover.timeout} exists). {@code ha.seeds} has no property.
 */
public final class PropertyNames {

    /** Haven's key of every property, by property name. */
    private static final Map<String, String> KEYS = new TreeMap<>();
    private static final Pattern HAVEN_KEY = Pattern.compile("(?<![\\w.-])ha(\\.[A-Za-z]+)+");

    static {
        for (HavenConfig.Setting setting : HavenConfig.settings()) {
            String property = propertyOf(setting.key());
            if (property != null) {
                KEYS.put(property, setting.key());
            }
        }
    }

    private PropertyNames() {
    }

    /** The property of a Haven key such as {@code ha.maxReplicaLag}; {@code null} for {@code ha.seeds}. */
    public static String propertyOf(String key) {
        if (key.equals("ha.seeds")) {
            return null;
        }
        StringBuilder sb = new StringBuilder("haven");
        for (String segment : key.substring("ha.".length()).split("\\.")) {
            sb.append('.');
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                if (Character.isUpperCase(c)) {
                    sb.append('-').append(Character.toLowerCase(c));
                } else {
                    sb.append(c);
                }
            }
        }
        for (HavenConfig.Setting other : HavenConfig.settings()) {
            if (other.key().toLowerCase(Locale.ROOT).startsWith(key.toLowerCase(Locale.ROOT) + ".")) {
                return sb.append(".mode").toString();
            }
        }
        return sb.toString();
    }

    /**
     * Where {@link dev.haven.spring.HavenProperties} holds a key's value, as a bean path: {@code failover.minInterval}
     * for {@code ha.failover.minInterval}, {@code failover.mode} for {@code ha.failover}; {@code null} for
     * {@code ha.seeds}.
     */
    public static String beanPathOf(String key) {
        String property = propertyOf(key);
        if (property == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        boolean upper = false;
        for (char c : property.substring("haven.".length()).toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }

    /** Haven's key of a property, {@code null} if the property is not one of Haven's settings. */
    public static String keyOf(String property) {
        return KEYS.get(property);
    }

    /** Every property, by name, with its Haven key. */
    public static Map<String, String> all() {
        return java.util.Collections.unmodifiableMap(KEYS);
    }

    /**
     * A message of Haven's in the application's terms: each {@code ha.*} key it names is written as its property
     * ({@code ha.maxReplicaLag} as {@code haven.max-replica-lag}), unless the value came from the URL, whose
     * parameters keep their {@code ha.*} names. {@code setKeys}: the keys set as properties; {@code url}: the
     * data source URL, whose query is searched for the others.
     */
    public static String translate(String message, java.util.Collection<String> setKeys, String url) {
        int q = url == null ? -1 : url.indexOf('?');
        String query = q < 0 ? "" : url.substring(q).toLowerCase(Locale.ROOT);
        Matcher m = HAVEN_KEY.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String token = m.group();
            String key = longestKnownKey(token);
            boolean inUrl = key != null && !setKeys.contains(key)
                    && (query.contains("?" + key.toLowerCase(Locale.ROOT) + "=")
                    || query.contains("&" + key.toLowerCase(Locale.ROOT) + "="));
            String property = key == null || inUrl ? null : propertyOf(key);
            String replacement = property == null ? token : property + token.substring(key.length());
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String longestKnownKey(String token) {
        String candidate = token;
        while (true) {
            for (HavenConfig.Setting setting : HavenConfig.settings()) {
                if (setting.key().equalsIgnoreCase(candidate)) {
                    return setting.key();
                }
            }
            int dot = candidate.lastIndexOf('.');
            if (dot <= "ha".length()) {
                return null;
            }
            candidate = candidate.substring(0, dot);
        }
    }

    /** The description of a setting, for messages: what is allowed. */
    public static HavenConfig.Setting setting(String key) {
        for (HavenConfig.Setting setting : HavenConfig.settings()) {
            if (setting.key().equalsIgnoreCase(key)) {
                return setting;
            }
        }
        return null;
    }
}
