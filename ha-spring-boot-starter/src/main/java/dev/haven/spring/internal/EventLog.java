package dev.haven.spring.internal;

import dev.haven.core.HavenEvent;
import dev.haven.core.HavenEventListener;
import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.HavenDataSourceCustomizer;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most recent of each data source's events (node up, suspect and down, role changes, lag, failover, promotion,
 * fencing; not the bare topology epochs), oldest first, at most {@link #CAPACITY} per data source: what the
 * {@code haven} endpoint shows. Registered before the data source starts (the auto-configured one), or on a running
 * one's cluster when the application made the data source itself.
 */
public final class EventLog implements HavenDataSourceCustomizer {

    /** How many events are kept per data source. */
    public static final int CAPACITY = 100;

    private final Map<HaDataSource, ArrayDeque<HavenEvent>> logs = new IdentityHashMap<>();

    @Override
    public void customize(HaDataSource dataSource) {
        dataSource.addListener(log(dataSource));
    }

    /** Listens to a data source that did not go through {@link #customize} (one the application built). */
    public void attachIfNeeded(HaDataSource dataSource) throws SQLException {
        boolean known;
        synchronized (logs) {
            known = logs.containsKey(dataSource);
        }
        if (!known) {
            dataSource.cluster().addListener(log(dataSource));
        }
    }

    /** A listener recording into the data source's log; not this object, so that it is no listener bean. */
    private HavenEventListener log(HaDataSource dataSource) {
        ArrayDeque<HavenEvent> events;
        synchronized (logs) {
            events = logs.computeIfAbsent(dataSource, d -> new ArrayDeque<>(CAPACITY));
        }
        return event -> record(events, event);
    }

    private static void record(ArrayDeque<HavenEvent> events, HavenEvent event) {
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

    /** The events kept for a data source, oldest first. */
    public List<HavenEvent> recent(HaDataSource dataSource) {
        ArrayDeque<HavenEvent> events;
        synchronized (logs) {
            events = logs.get(dataSource);
        }
        if (events == null) {
            return List.of();
        }
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }
}
