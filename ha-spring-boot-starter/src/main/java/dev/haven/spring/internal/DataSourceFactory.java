package dev.haven.spring.internal;

import dev.haven.core.HavenConfig;
import dev.haven.core.HavenEventListener;
import dev.haven.core.PrimaryFencer;
import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.HavenDataSourceCustomizer;
import dev.haven.spring.HavenProperties;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.Environment;

/**
 * Builds and starts the auto-configured {@link HaDataSource}. Every {@code haven.*} value goes to Haven's one
 * configuration as the text written ({@code HavenConfig.Builder.set}, the same check the URL's parameters get), one
 * property at a time first so that a bad value is reported under its own property name, then together with the
 * URL when the data source starts, which checks the rules that tie settings together.
 */
public final class DataSourceFactory {

    private DataSourceFactory() {
    }

    /**
     * @throws HavenConfigurationException when a property, the URL or the settings together are not valid
     */
    public static HaDataSource create(String url, String username, String password, HavenProperties haven,
            Environment environment, List<HavenEventListener> listeners, List<HavenDataSourceCustomizer> customizers,
            PrimaryFencer fencer) {
        Map<String, String> settings = haven.settings();
        checkEach(settings, environment);
        PoolSettings pool = PoolSettings.bind(environment);

        HaDataSource ds = new HaDataSource();
        ds.setUrl(url);
        ds.setUser(username);
        ds.setPassword(password);
        settings.forEach(ds::setSetting);
        ds.setPoolCustomizer(pool);
        listeners.forEach(ds::addListener);
        ds.setFencer(fencer);
        customizers.forEach(c -> c.customize(ds));
        try {
            ds.start();
        } catch (SQLException | IllegalArgumentException e) {
            ds.close();
            if (e instanceof SQLException && !"08001".equals(((SQLException) e).getSQLState())) {
                throw new IllegalStateException("Haven could not start: " + e.getMessage(), e);
            }
            String reason = PropertyNames.translate(String.valueOf(e.getMessage()), settings.keySet(), url);
            throw new HavenConfigurationException(null, null, null, reason,
                    "Correct spring.datasource.url (a jdbc:ha:mysql://host,host/db or jdbc:ha:mariadb://... URL;"
                            + " its ha.* parameters are Haven's settings), the haven.* properties named above,"
                            + " or spring.datasource.hikari.*.", e);
        }
        return ds;
    }

    /** Each property on its own, so that a bad value is reported under its property name, value and origin. */
    private static void checkEach(Map<String, String> settings, Environment environment) {
        for (Map.Entry<String, String> e : settings.entrySet()) {
            try {
                HavenConfig.builder().set(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                HavenConfig.Setting setting = PropertyNames.setting(e.getKey());
                boolean secret = setting != null && setting.secret();
                String property = PropertyNames.propertyOf(e.getKey());
                String reason = PropertyNames.translate(String.valueOf(ex.getMessage()), settings.keySet(), null);
                if (secret) {
                    reason = reason.replace(e.getValue(), "****");
                }
                String allowed = setting == null ? "" : "; allowed: " + setting.allowedValues();
                String fallback = setting == null || setting.defaultValue() == null || setting.defaultValue().isEmpty()
                        ? "" : ", or remove it for the default (" + setting.defaultValue() + ")";
                ConfigurationProperty written = written(environment, property);
                String value = written == null || written.getValue() == null ? e.getValue() : written.getValue().toString();
                if (!secret && !value.equals(e.getValue())) {
                    // Haven's message quotes the value as converted by Spring Boot (PT0.5S is 500ms): show it written
                    reason = reason.replace("'" + e.getValue() + "'", "'" + value + "'");
                }
                throw new HavenConfigurationException(property, secret ? "****" : value,
                        written == null || written.getOrigin() == null ? null : written.getOrigin().toString(), reason,
                        "Update " + property + " in your configuration" + allowed + fallback + ".", ex);
            }
        }
    }

    /** A property as written (its text and where: a file and line), if Spring knows. */
    static ConfigurationProperty written(Environment environment, String property) {
        try {
            ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
            for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
                ConfigurationProperty p = source.getConfigurationProperty(name);
                if (p != null) {
                    return p;
                }
            }
        } catch (RuntimeException e) {
            // a courtesy for the message
        }
        return null;
    }
}
