package dev.haven.testkit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 support: one {@link LocalCluster} shared by all tests of a class, started before the first and closed
 * after the last (also when tests fail), with every fault healed before each test ({@link LocalCluster#healAll()}).
 *
 * <pre>{@code
 * class ReplicaReadsIT {
 *     @RegisterExtension
 *     static final LocalClusterExtension CLUSTER = new LocalClusterExtension(LocalCluster.builder().replicas(3));
 *
 *     @Test
 *     void readsGoToReplicas() {
 *         LocalCluster cluster = CLUSTER.cluster();
 *         ...
 *     }
 * }
 * }</pre>
 *
 * The cluster runs the builder's server: {@link LocalCluster.Builder#server}, by default the one the system property
 * {@code haven.server} names ({@link ServerFlavor#configured()}), so that one test class runs on each server by
 * running it once per server (the build's failsafe executions do). A server this machine cannot run (MySQL without
 * {@code libaio.so.1}) skips the class with that reason.
 *
 * <p>Test methods and constructors may also declare a {@link LocalCluster} parameter. Healing does not undo
 * {@link LocalCluster#promote}: a class whose tests promote should expect the topology they leave behind.
 */
public final class LocalClusterExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {

    private final LocalCluster.Builder builder;
    private volatile LocalCluster cluster;

    /** A cluster with the default settings: a primary and two semi-synchronous replicas. */
    public LocalClusterExtension() {
        this(LocalCluster.builder());
    }

    public LocalClusterExtension(LocalCluster.Builder builder) {
        this.builder = builder;
    }

    /** The running cluster; only valid between the class's first and last test. */
    public LocalCluster cluster() {
        LocalCluster current = cluster;
        if (current == null) {
            throw new IllegalStateException("the cluster is started before the first test of the class");
        }
        return current;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (cluster == null) {
            String unavailable = builder.server().unavailableReason();
            Assumptions.assumeTrue(unavailable == null, unavailable);
            cluster = builder.start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        cluster().healAll();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LocalCluster current = cluster;
        cluster = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return cluster();
    }
}
