package dev.haven.spring.internal;

import dev.haven.jdbc.HaDataSource;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * The application's Haven data sources, by bean name: every {@code DataSource} bean that is an {@link HaDataSource}
 * or wraps one ({@code isWrapperFor}/{@code unwrap}, as tracing and pooling proxies do). Health, metrics and the
 * endpoint use this instead of injecting one {@code HaDataSource}, so that several data sources, or one behind a
 * proxy, work.
 */
public final class HavenDataSources {

    private HavenDataSources() {
    }

    /** By bean name, in the context's order; a data source reachable under two names is listed once. */
    public static Map<String, HaDataSource> find(ListableBeanFactory beans) {
        Map<String, HaDataSource> found = new LinkedHashMap<>();
        for (Map.Entry<String, DataSource> e : beans.getBeansOfType(DataSource.class, false, true).entrySet()) {
            HaDataSource haven = unwrap(e.getValue());
            if (haven != null && found.values().stream().noneMatch(known -> known == haven)) {
                found.put(e.getKey(), haven);
            }
        }
        return found;
    }

    /** The Haven data source a data source is or wraps; {@code null} if none. */
    public static HaDataSource unwrap(DataSource dataSource) {
        if (dataSource instanceof HaDataSource) {
            return (HaDataSource) dataSource;
        }
        try {
            if (dataSource != null && dataSource.isWrapperFor(HaDataSource.class)) {
                return dataSource.unwrap(HaDataSource.class);
            }
        } catch (Exception e) {
            // a closed or unusual wrapper: not one of Haven's
        }
        return null;
    }
}
