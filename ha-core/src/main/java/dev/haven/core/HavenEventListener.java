package dev.haven.core;

/**
 * Receives {@link HavenEvent}s. Register with {@link ClusterState#addListener}.
 *
 * <p>Called synchronously on the thread that noticed the change (the health monitor's), in order;
 * keep it short and non-blocking, hand long work to an executor. An exception thrown by a listener
 * is logged and does not stop delivery to other listeners. Events are only allocated when at
 * least one listener is registered.
 */
@FunctionalInterface
public interface HavenEventListener {

    /** Called once per event. */
    void onEvent(HavenEvent event);
}
