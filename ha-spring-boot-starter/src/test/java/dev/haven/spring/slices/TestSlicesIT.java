package dev.haven.spring.slices;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.ConnectionDetailsTest;
import dev.haven.spring.jpa.Item;
import dev.haven.testkit.LocalCluster;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Spring Boot's test slices on a real cluster: a {@code jdbc:ha:} URL works in {@code @JdbcTest} and
 * {@code @DataJpaTest} with {@code @AutoConfigureTestDatabase(replace = NONE)} (the slices import Haven's
 * auto-configuration), and a {@code JdbcConnectionDetails} bean, as a {@code @ServiceConnection} container
 * registers, gives Haven its server. One cluster for all; each slice's context is closed after its tests.
 */
class TestSlicesIT {

    /** Started and closed here, not by LocalClusterExtension, whose callbacks would also run for each nested class. */
    static LocalCluster cluster;

    /** So that the nested classes read as with the extension. */
    static final class CLUSTER {
        static LocalCluster cluster() {
            return cluster;
        }
    }

    @BeforeAll
    static void startClusterWithSchema() throws Exception {
        cluster = LocalCluster.builder().start();
        try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS items (id BIGINT PRIMARY KEY, name VARCHAR(64))");
        }
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
    }

    @AfterAll
    static void closeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> "jdbc:ha:mariadb://" + CLUSTER.cluster().hostList() + "/app");
        registry.add("spring.datasource.username", () -> CLUSTER.cluster().appUser());
        registry.add("spring.datasource.password", () -> CLUSTER.cluster().appPassword());
        registry.add("haven.probe-interval", () -> "200ms");
        registry.add("haven.suspect-after", () -> "1500ms");
        registry.add("haven.dead-after", () -> "2500ms");
        registry.add("haven.initial-grace", () -> "500ms");
    }

    static long primaryId() {
        return CLUSTER.cluster().primary().serverId();
    }

    @Nested
    @JdbcTest
    @AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
    @DirtiesContext
    class Jdbc {
        @Autowired
        DataSource dataSource;
        @Autowired
        JdbcTemplate jdbc;

        @Test
        void theSliceRunsOnHavensDataSourceAndWritesGoToThePrimary() {
            assertThat(dataSource).isInstanceOf(HaDataSource.class);
            jdbc.update("INSERT INTO items (id, name) VALUES (1, 'jdbc') ON DUPLICATE KEY UPDATE name = 'jdbc'");
            assertThat(jdbc.queryForObject("SELECT @@server_id", Long.class)).isEqualTo(primaryId());
            assertThat(jdbc.queryForObject("SELECT name FROM items WHERE id = 1", String.class)).isEqualTo("jdbc");
        }
    }

    @Nested
    @DataJpaTest(properties = "spring.jpa.hibernate.ddl-auto=none")
    @AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
    @DirtiesContext
    class Jpa {
        @Autowired
        DataSource dataSource;
        @Autowired
        EntityManager entities;

        @Test
        void theSliceRunsHibernateOnHavensDataSource() {
            assertThat(dataSource).isInstanceOf(HaDataSource.class);
            entities.persist(new Item(2L, "jpa"));
            entities.flush();
            entities.clear();
            assertThat(entities.find(Item.class, 2L).getName()).isEqualTo("jpa");
            Object serverId = entities.createNativeQuery("SELECT @@server_id").getSingleResult();
            assertThat(((Number) serverId).longValue()).as("a read-write transaction runs on the primary")
                    .isEqualTo(primaryId());
        }
    }

    @Nested
    @JdbcTest
    @AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
    @DirtiesContext
    class ServiceConnection {
        @TestConfiguration(proxyBeanMethods = false)
        static class Details {
            /** What a @ServiceConnection MariaDB container registers: its one server, plain vendor URL. */
            @Bean
            JdbcConnectionDetails containerDetails() {
                return ConnectionDetailsTest.details("jdbc:mariadb://" + CLUSTER.cluster().primary().hostAndPort()
                        + "/app", CLUSTER.cluster().appUser(), CLUSTER.cluster().appPassword());
            }
        }

        @Autowired
        DataSource dataSource;
        @Autowired
        JdbcTemplate jdbc;

        @Test
        void theConnectionDetailsGiveHavenItsServerAndDiscoveryFindsTheReplicas() throws Exception {
            HaDataSource haven = (HaDataSource) dataSource;
            assertThat(haven.getUrl()).startsWith("jdbc:ha:mariadb://" + CLUSTER.cluster().primary().hostAndPort() + "/app");
            assertThat(haven.cluster().config().seeds()).hasSize(1);
            assertThat(jdbc.queryForObject("SELECT @@server_id", Long.class)).isEqualTo(primaryId());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (haven.topology().nodes().size() < CLUSTER.cluster().nodes().size() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(haven.topology().nodes()).as("replicas discovered from the one server")
                    .hasSize(CLUSTER.cluster().nodes().size());
        }
    }
}
