package dev.haven.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.internal.ConfigKey;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * HavenConfig's typed getters and builder setters are a convenience over the table of settings ({@link ConfigKey}),
 * which alone declares a setting: each getter and setter named after a key ({@code ha.failover.minInterval} is
 * {@code failoverMinInterval()}) must take or return that key's type, and every getter must belong to a key. A new
 * key needs no getter (code can read it once one is added), so a key without one is not an error.
 */
class HavenConfigAccessorsTest {

    /** Methods of HavenConfig that are not a setting's getter. */
    private static final Set<String> NOT_GETTERS = Set.of("toString", "hashCode", "toBuilder", "builder", "settings",
            "getClass");
    /** Builder methods that set several keys, or parse text. */
    private static final Set<String> NOT_SETTERS = Set.of("set", "setAll", "build", "admin", "replication");

    static String accessorName(ConfigKey key) {
        String[] parts = key.key().substring("ha.".length()).split("\\.");
        StringBuilder sb = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            sb.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return sb.toString();
    }

    private static boolean compatible(ConfigKey key, Class<?> javaType) {
        Class<?> value = key.type().valueType();
        if (value == Long.class) {
            return key.type().name().equals("int") ? javaType == int.class : javaType == long.class;
        }
        if (value == Boolean.class) {
            return javaType == boolean.class;
        }
        return javaType == value;
    }

    @Test
    void everyGetterNamedAfterAKeyReturnsItsTypeAndEveryGetterHasAKey() {
        List<String> problems = new ArrayList<>();
        Map<String, ConfigKey> byName = new java.util.HashMap<>();
        for (ConfigKey k : ConfigKey.values()) {
            byName.put(accessorName(k), k);
        }
        for (Method m : HavenConfig.class.getMethods()) {
            if (m.getDeclaringClass() != HavenConfig.class || Modifier.isStatic(m.getModifiers())
                    || m.getParameterCount() != 0 || NOT_GETTERS.contains(m.getName())) {
                continue;
            }
            ConfigKey key = byName.get(m.getName());
            if (key == null) {
                problems.add("HavenConfig." + m.getName() + "() belongs to no key of ConfigKey");
            } else if (!compatible(key, m.getReturnType())) {
                problems.add("HavenConfig." + m.getName() + "() returns " + m.getReturnType().getSimpleName()
                        + " but " + key.key() + " holds " + key.type().valueType().getSimpleName());
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyBuilderSetterNamedAfterAKeyTakesItsType() {
        List<String> problems = new ArrayList<>();
        Map<String, ConfigKey> byName = new java.util.HashMap<>();
        for (ConfigKey k : ConfigKey.values()) {
            byName.put(accessorName(k), k);
        }
        for (Method m : HavenConfig.Builder.class.getMethods()) {
            if (m.getDeclaringClass() != HavenConfig.Builder.class || Modifier.isStatic(m.getModifiers())
                    || NOT_SETTERS.contains(m.getName())) {
                continue;
            }
            ConfigKey key = byName.get(m.getName());
            if (key == null) {
                problems.add("HavenConfig.Builder." + m.getName() + " belongs to no key of ConfigKey");
            } else if (m.getParameterCount() != 1 || !(compatible(key, m.getParameterTypes()[0])
                    || (key == ConfigKey.SEEDS && m.getParameterTypes()[0] == String[].class))) {
                problems.add("HavenConfig.Builder." + m.getName() + " does not take one " + key.type().valueType().getSimpleName());
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyKeyHasAValueTypeAndItsDefaultIsOfThatType() {
        for (ConfigKey k : ConfigKey.values()) {
            assertThat(k.type().valueType()).as(k.key()).isNotNull();
            if (k.defaultValue() != null) {
                assertThat(k.type().valueType().isInstance(k.defaultValue())).as(k.key() + " default").isTrue();
            }
        }
    }
}
