/**
 * A hand-written, no-op JDBC driver for benchmarks and unit tests (no server), in the manner of HikariCP's own {@code mocks}: final classes, no
 * Mockito, no {@link java.lang.reflect.Proxy}, nothing on the network. {@link dev.haven.testkit.stub.StubDriver}
 * answers for a fixed three-server MariaDB "cluster" ({@link dev.haven.testkit.stub.StubCluster}): the health
 * monitor's queries get the rows a healthy primary and two replicas would return, and every other query a
 * one-row, one-column constant. Connections keep their session state (auto-commit, read-only, isolation, catalog,
 * schema, network timeout) in plain fields so that pools see a plausible connection.
 *
 * <p>The driver is never registered with {@link java.sql.DriverManager} (no {@code META-INF/services} entry, no
 * static registration): it accepts {@code jdbc:mariadb:} and {@code jdbc:mysql:} URLs, and must not capture real
 * ones in the same JVM.
 */
package dev.haven.testkit.stub;
