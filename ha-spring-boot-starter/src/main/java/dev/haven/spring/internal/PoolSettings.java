package dev.haven.spring.internal;

import com.zaxxer.hikari.HikariConfig;
import dev.haven.core.NodeAddress;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.core.env.Environment;

/**
 * {@code spring.datasource.hikari.*} for every node's pool: bound by Spring Boot's {@link Binder} onto a template
 * {@link HikariConfig} (relaxed names, Spring Boot's conversions, a typo or a bad value refused with its property
 * before anything starts), then copied onto each node's configuration when its pool is created: the properties
 * that were written, and the vendor driver properties ({@code data-source-properties.*}) the URL does not set
 * itself. Each node's URL, credentials and pool name are Haven's, so {@code jdbc-url}, {@code username},
 * {@code password} and {@code pool-name} are ignored here; pools are named {@link PoolNames#of}.
 */
public final class PoolSettings implements BiConsumer<NodeAddress, HikariConfig> {

    private static final Log log = LogFactory.getLog(PoolSettings.class);
    static final String PREFIX = "spring.datasource.hikari";
    private static final Set<String> PER_NODE = Set.of("jdbcUrl", "username", "password", "poolName");

    private final HikariConfig template;
    /** The template's properties that were written, by HikariCP's name ({@code maximumPoolSize}). */
    private final Set<String> written;

    private PoolSettings(HikariConfig template, Set<String> written) {
        this.template = template;
        this.written = written;
    }

    /**
     * Binds {@code spring.datasource.hikari.*}.
     *
     * @throws HavenConfigurationException naming the property, for one HikariCP does not have or a value that
     *                                     does not convert
     */
    public static PoolSettings bind(Environment environment) {
        HikariConfig template = new HikariConfig();
        Set<String> written = new LinkedHashSet<>();
        int depth = ConfigurationPropertyName.of(PREFIX).getNumberOfElements();
        BindHandler recording = new AbstractBindHandler(new NoUnboundElementsBindHandler(BindHandler.DEFAULT)) {
            @Override
            public Object onSuccess(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
                    Object result) {
                if (name.getNumberOfElements() > depth) {
                    written.add(camel(name.getElement(depth, ConfigurationPropertyName.Form.DASHED)));
                }
                return super.onSuccess(name, target, context, result);
            }
        };
        try {
            Binder.get(environment).bind(PREFIX, Bindable.ofInstance(template), recording);
        } catch (BindException e) {
            throw refused(e);
        }
        for (String name : PER_NODE) {
            if (written.remove(name)) {
                log.info(PREFIX + "." + dashed(name) + " is ignored: Haven sets each node's " + name
                        + " itself (from spring.datasource.url, username and password)");
            }
        }
        return new PoolSettings(template, written);
    }

    private static HavenConfigurationException refused(BindException e) {
        String property = e.getName() == null ? PREFIX : e.getName().toString();
        if (e.getCause() instanceof UnboundConfigurationPropertiesException) {
            var unbound = ((UnboundConfigurationPropertiesException) e.getCause()).getUnboundProperties();
            var first = unbound.iterator().next();
            property = first.getName().toString();
            return new HavenConfigurationException(property, null,
                    first.getOrigin() == null ? null : first.getOrigin().toString(),
                    "not a HikariCP setting; the node pools take HikariCP's settings, such as maximum-pool-size,"
                            + " minimum-idle, connection-timeout, idle-timeout, max-lifetime,"
                            + " data-source-properties.<vendor property>",
                    "Correct or remove " + property + ".", e);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        var p = e.getProperty();
        return new HavenConfigurationException(property, p == null || p.getValue() == null ? null : p.getValue().toString(),
                p == null || p.getOrigin() == null ? null : p.getOrigin().toString(),
                "not a valid value for HikariCP's " + camel(property.substring(property.lastIndexOf('.') + 1))
                        + " (" + root.getMessage() + ")",
                "Correct " + property + ".", e);
    }

    /** Copies the written settings onto a node's pool configuration, and names the pool. */
    @Override
    public void accept(NodeAddress node, HikariConfig config) {
        BeanWrapper from = new BeanWrapperImpl(template);
        BeanWrapper to = new BeanWrapperImpl(config);
        for (String name : written) {
            if (name.equals("dataSourceProperties")) {
                for (Map.Entry<Object, Object> e : template.getDataSourceProperties().entrySet()) {
                    config.getDataSourceProperties().putIfAbsent(e.getKey(), e.getValue()); // the URL's win
                }
            } else {
                to.setPropertyValue(name, from.getPropertyValue(name));
            }
        }
        config.setPoolName(PoolNames.of(node));
    }

    /** The properties that were written, by HikariCP's name, for tests and logs. */
    Set<String> written() {
        return Set.copyOf(written);
    }

    private static String camel(String dashed) {
        StringBuilder sb = new StringBuilder();
        boolean upper = false;
        for (char c : dashed.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }

    private static String dashed(String camel) {
        return camel.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
    }
}
