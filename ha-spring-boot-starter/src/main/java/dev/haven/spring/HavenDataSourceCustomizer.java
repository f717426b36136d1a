package dev.haven.spring;

import dev.haven.jdbc.HaDataSource;

/**
 * Customizes the auto-configured {@link HaDataSource} before it starts: add event listeners, a routing listener, a
 * pool customizer. Every bean of this type is applied, in {@code @Order}; the starter's own metrics and Actuator
 * endpoint use it too. (Beans of type {@code dev.haven.core.HavenEventListener} are added as listeners without
 * one.)
 */
@FunctionalInterface
public interface HavenDataSourceCustomizer {

    /** Called once, before the data source starts monitoring. */
    void customize(HaDataSource dataSource);
}
