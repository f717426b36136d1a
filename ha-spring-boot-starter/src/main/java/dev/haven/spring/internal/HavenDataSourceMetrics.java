package dev.haven.spring.internal;

import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.HavenDataSourceCustomizer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.IdentityHashMap;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * Haven's metrics for every Haven data source of the application: one {@link HavenMetrics} per data source, each
 * meter tagged {@code datasource=<bean name>}. The auto-configured data source is customized before it starts
 * (statement counts and pool metrics from its first query); the others, found by bean name when the registry is
 * bound ({@link HavenDataSources}: several, or one behind a proxy), get the node gauges and event counts from then
 * on.
 */
public final class HavenDataSourceMetrics implements MeterBinder, HavenDataSourceCustomizer {

    private final ListableBeanFactory beans;
    private final Map<HaDataSource, HavenMetrics> metrics = new IdentityHashMap<>();

    public HavenDataSourceMetrics(ListableBeanFactory beans) {
        this.beans = beans;
    }

    @Override
    public void customize(HaDataSource dataSource) {
        HavenMetrics m = new HavenMetrics(() -> dataSource);
        m.customize(dataSource);
        synchronized (metrics) {
            metrics.put(dataSource, m);
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Map.Entry<String, HaDataSource> e : HavenDataSources.find(beans).entrySet()) {
            HavenMetrics m;
            synchronized (metrics) {
                m = metrics.computeIfAbsent(e.getValue(), ds -> new HavenMetrics(() -> ds));
            }
            m.bindTo(registry, Tags.of("datasource", e.getKey()));
        }
    }
}
