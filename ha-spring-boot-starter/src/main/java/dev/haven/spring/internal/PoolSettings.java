package dev.haven.spring.internal;

import com.zaxxer.hikari.HikariConfig;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * {@code spring.datasource.hikari.*} as HikariCP properties for every node's pool: {@code maximum-pool-size=20}
 * becomes {@code maximumPoolSize=20}, any HikariCP setting by its relaxed name; {@code data-source-properties.X}
 * becomes the vendor driver property {@code X}. Values go to HikariCP as written, and HikariCP checks them when the
 * data source starts. The URL, credentials and pool name are Haven's per node, so {@code jdbc-url},
 * {@code username}, {@code password} and {@code pool-name} are ignored here ({@code spring.datasource.url},
 * {@code username} and {@code password} are used).
 */
public final class PoolSettings {

    private static final Log log = LogFactory.getLog(PoolSettings.class);
    private static final String PREFIX = "spring.datasource.hikari";
    private static final Set<String> PER_NODE = Set.of("jdbcUrl", "username", "password", "poolName");
    /** HikariConfig's settable properties by their normalised name (lower case, no dashes or underscores). */
    private static final Map<String, String> PROPERTIES = new HashMap<>();

    static {
        for (Method m : HikariConfig.class.getMethods()) {
            if (m.getName().startsWith("set") && m.getName().length() > 3 && m.getParameterCount() == 1
                    && !Modifier.isStatic(m.getModifiers())) {
                String name = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                PROPERTIES.put(normalise(name), name);
            }
        }
    }

    private PoolSettings() {
    }

    /** The pool settings written under {@code spring.datasource.hikari}, as HikariCP property names. */
    public static Properties from(Environment environment) {
        Map<String, String> raw = Binder.get(environment)
                .bind(PREFIX, Bindable.mapOf(String.class, String.class))
                .orElse(Map.of());
        Properties properties = new Properties();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            String head = normalise(dot < 0 ? key : key.substring(0, dot));
            if (dot > 0 && (head.equals("datasourceproperties") || head.equals("datasource"))) {
                properties.setProperty("dataSource." + key.substring(dot + 1), e.getValue());
                continue;
            }
            String name = dot < 0 ? PROPERTIES.get(head) : null;
            if (name == null) {
                throw new HavenConfigurationException(PREFIX + "." + key, null, null,
                        "not a HikariCP setting; the node pools take HikariCP's settings, such as maximum-pool-size,"
                                + " minimum-idle, connection-timeout, idle-timeout, max-lifetime,"
                                + " data-source-properties.<vendor property>",
                        "Correct or remove " + PREFIX + "." + key + ".", null);
            }
            if (PER_NODE.contains(name)) {
                log.info(PREFIX + "." + key + " is ignored: Haven sets each node's " + name
                        + " itself (from spring.datasource.url, username and password)");
                continue;
            }
            properties.setProperty(name, e.getValue());
        }
        return properties;
    }

    private static String normalise(String name) {
        return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }
}
