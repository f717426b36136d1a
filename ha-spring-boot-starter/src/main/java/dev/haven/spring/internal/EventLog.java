package dev.haven.spring.internal;

import dev.haven.core.HavenEvent;
import dev.haven.core.HavenEventListener;
import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.HavenDataSourceCustomizer;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent of a data source's events (node up, suspect and down, role changes, lag, failover, promotion,
 * fencing; not the bare topology epochs), oldest first, at most {@link #CAPACITY}: what the {@code haven} endpoint
 * shows. Registered before the data source starts, or on a running one's cluster when the application made the
 * data source itself.
 */
public final class EventLog implements HavenDataSourceCustomizer {

    /** How many events are kept. */
    public static final int CAPACITY = 100;

    private final ArrayDeque<HavenEvent> events = new ArrayDeque<>(CAPACITY);
    private volatile boolean attached;
    /** Not this object itself, so that it is not also registered as a {@code HavenEventListener} bean. */
    private final HavenEventListener listener = this::record;

    @Override
    public void customize(HaDataSource dataSource) {
        dataSource.addListener(listener);
        attached = true;
    }

    /** Listens to a data source that did not go through {@link #customize} (one the application built). */
    public void attachIfNeeded(HaDataSource dataSource) throws SQLException {
        if (!attached) {
            attached = true;
            dataSource.cluster().addListener(listener);
        }
    }

    private void record(HavenEvent event) {
        if (event.type() == HavenEvent.Type.TOPOLOGY_CHANGED) {
            return;
        }
        synchronized (events) {
            if (events.size() == CAPACITY) {
                events.removeFirst();
            }
            events.addLast(event);
        }
    }

    /** The events kept, oldest first. */
    public List<HavenEvent> recent() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }
}
