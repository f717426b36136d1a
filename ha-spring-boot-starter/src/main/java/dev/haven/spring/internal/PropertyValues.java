package dev.haven.spring.internal;

import dev.haven.core.HavenConfig;
import dev.haven.core.internal.SettingType;
import dev.haven.spring.HavenProperties;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;

/**
 * The typed {@link HavenProperties} as Haven's settings in text, found by walking Haven's table of settings (not a
 * list of its own): each key's property is read at its bean path ({@code ha.failover.minInterval} at
 * {@code failover.minInterval}, {@code ha.failover} at {@code failover.mode}) and written the way the URL would
 * write it ({@code 2s}, {@code read-your-writes}), so Haven's own checks apply to it.
 */
public final class PropertyValues {

    private PropertyValues() {
    }

    /** The properties that are set, by Haven key, in the table's order. */
    public static Map<String, String> settings(HavenProperties properties) {
        BeanWrapper bean = new BeanWrapperImpl(properties);
        Map<String, String> settings = new LinkedHashMap<>();
        for (HavenConfig.Setting setting : HavenConfig.settings()) {
            String path = PropertyNames.beanPathOf(setting.key());
            if (path == null || !bean.isReadableProperty(path)) {
                continue; // no property (ha.seeds), or one still missing: ConfigurationSourceTest names it
            }
            Object value = bean.getPropertyValue(path);
            if (value != null) {
                settings.put(setting.key(), text(value));
            }
        }
        return settings;
    }

    /** A typed value as Haven's text. */
    static String text(Object value) {
        if (value instanceof Duration) {
            Duration d = (Duration) value;
            // Haven counts in whole milliseconds; anything finer is shown as Spring Boot wrote it and refused
            return d.toNanos() % 1_000_000 == 0 && !d.isNegative() ? SettingType.formatDuration(d) : d.toString();
        }
        if (value instanceof Enum) {
            return SettingType.kebab((Enum<?>) value);
        }
        return value.toString();
    }

    /** The settings with every secret value shown as {@code ****}. */
    public static Map<String, String> masked(Map<String, String> settings) {
        Map<String, String> shown = new LinkedHashMap<>(settings);
        for (HavenConfig.Setting setting : HavenConfig.settings()) {
            if (setting.secret()) {
                shown.computeIfPresent(setting.key(), (k, v) -> "****");
            }
        }
        return shown;
    }
}
