package dev.haven.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.spring.actuate.HavenEndpoint;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * Actuator maps the {@code haven} endpoint's operation parameters ({@code operation}, {@code target}) by name: without
 * {@code -parameters} the web endpoints fail to start ("Failed to extract parameter names"), which only an application
 * exposing endpoints over HTTP showed (the Spring Boot sample).
 */
class EndpointParameterNamesTest {

    @Test
    void everyOperationParameterKeepsItsName() {
        int operations = 0;
        for (Method m : HavenEndpoint.class.getDeclaredMethods()) {
            if (m.isAnnotationPresent(ReadOperation.class) || m.isAnnotationPresent(WriteOperation.class)
                    || m.isAnnotationPresent(DeleteOperation.class)) {
                operations++;
                for (Parameter p : m.getParameters()) {
                    assertThat(p.isNamePresent()).as("name of %s's parameter %s (compile with -parameters)",
                            m.getName(), p).isTrue();
                }
            }
        }
        assertThat(operations).isEqualTo(3); // the view, one data source's view, the write operations
    }
}
