package dev.haven.testkit;

import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGenerator;

/**
 * A JUnit display name generator that appends the server a suite runs on, {@code [mysql-8.0]}, to every test class
 * and method name, so that reports tell the runs of one class on different servers apart. The build sets it with
 * {@code junit.jupiter.displayname.generator.default=dev.haven.testkit.ServerDisplayNames}; the server is
 * {@link ServerFlavor#configured()}.
 */
public class ServerDisplayNames extends DisplayNameGenerator.Standard {

    private final String suffix = " [" + ServerFlavor.configured().id() + "]";

    public ServerDisplayNames() {
    }

    @Override
    public String generateDisplayNameForClass(Class<?> testClass) {
        return super.generateDisplayNameForClass(testClass) + suffix;
    }

    @Override
    public String generateDisplayNameForNestedClass(List<Class<?>> enclosingInstanceTypes, Class<?> nestedClass) {
        return super.generateDisplayNameForNestedClass(enclosingInstanceTypes, nestedClass) + suffix;
    }

    @Override
    public String generateDisplayNameForMethod(List<Class<?>> enclosingInstanceTypes, Class<?> testClass,
                                               Method testMethod) {
        return super.generateDisplayNameForMethod(enclosingInstanceTypes, testClass, testMethod) + suffix;
    }
}
