package dev.haven.spring.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.autoconfigure.HavenAutoConfiguration;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalClusterExtension;
import dev.haven.testkit.LocalNode;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;

/**
 * On a real cluster, with Spring Boot's Hibernate auto-configuration ({@link JpaTransactionManager}, Boot's default
 * connection handling): {@code @Transactional(readOnly = true)} runs on a replica, read-write transactions on the
 * primary, as {@code @@server_id} shows.
 */
class ReadOnlyTransactionsJpaIT {

    @RegisterExtension
    static final LocalClusterExtension CLUSTER = new LocalClusterExtension();

    static LocalCluster cluster;

    @BeforeAll
    static void schema() throws Exception {
        cluster = CLUSTER.cluster();
        try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS items (id BIGINT PRIMARY KEY, name VARCHAR(64))");
        }
        cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
    }

    @Test
    void readOnlyTransactionsRunOnReplicasAndReadWriteOnesOnThePrimary() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(HavenAutoConfiguration.class, DataSourceAutoConfiguration.class,
                        HibernateJpaAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
                        TransactionAutoConfiguration.class))
                .withUserConfiguration(JpaConfiguration.class)
                .withPropertyValues(
                        "spring.datasource.url=jdbc:ha:mariadb://" + cluster.hostList() + "/app",
                        "spring.datasource.username=" + cluster.appUser(),
                        "spring.datasource.password=" + cluster.appPassword(),
                        // tolerant of a loaded machine: a slow probe must not send reads to the primary
                        "haven.probe-interval=200ms", "haven.suspect-after=1500ms", "haven.dead-after=2500ms",
                        "haven.initial-grace=500ms")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(PlatformTransactionManager.class)).isInstanceOf(JpaTransactionManager.class);
                    HaDataSource ds = context.getBean(HaDataSource.class);
                    awaitReadable(ds);
                    Items items = context.getBean(Items.class);
                    long primary = cluster.primary().serverId();
                    List<Long> replicas = new ArrayList<>();
                    for (LocalNode n : cluster.replicas()) {
                        replicas.add((long) n.serverId());
                    }

                    assertThat(items.save(1, "first")).as("a read-write transaction").isEqualTo(primary);
                    assertThat(items.save(2, "second")).isEqualTo(primary);
                    cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));

                    Set<Long> readers = new HashSet<>();
                    for (int i = 0; i < 6; i++) {
                        Items.Read read = items.read(1 + i % 2);
                        assertThat(read.serverIdBefore()).as("one transaction, one node").isEqualTo(read.serverIdAfter());
                        assertThat(read.name()).as("the entity, read on the replica").isIn("first", "second");
                        readers.add(read.serverIdBefore());
                    }
                    assertThat(readers).as("read-only transactions ran on replicas only").isSubsetOf(replicas);
                    assertThat(readers).as("round robin reached both replicas").hasSize(2);
                    // alternating on one thread: no read-only flag left on a connection
                    assertThat(items.save(3, "third")).isEqualTo(primary);
                    assertThat(items.read(1).serverIdBefore()).isIn(replicas);
                    assertThat(items.rename(1, "renamed")).isEqualTo(primary);
                });
    }

    private static void awaitReadable(HaDataSource ds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        var t = ds.topology();
        while (t.readReplicas().size() < 2) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("replicas not readable: " + t);
            }
            ds.cluster().state().awaitTopologyAfter(t.epoch(), left);
            t = ds.topology();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @AutoConfigurationPackage
    static class JpaConfiguration {
        @Bean
        Items items() {
            return new Items();
        }
    }

    /** Transactions as a JPA application writes them. */
    public static class Items {

        @PersistenceContext
        private EntityManager em;

        /** What a read-only transaction saw, and where. */
        public record Read(long serverIdBefore, String name, long serverIdAfter) {
        }

        @Transactional
        public long save(long id, String name) {
            em.persist(new Item(id, name));
            em.flush();
            return serverId();
        }

        @Transactional
        public long rename(long id, String name) {
            em.createQuery("UPDATE Item i SET i.name = :name WHERE i.id = :id")
                    .setParameter("name", name).setParameter("id", id).executeUpdate();
            return serverId();
        }

        @Transactional(readOnly = true)
        public Read read(long id) {
            long before = serverId();
            Item item = em.find(Item.class, id);
            return new Read(before, item == null ? null : item.getName(), serverId());
        }

        private long serverId() {
            return ((Number) em.createNativeQuery("SELECT @@server_id").getSingleResult()).longValue();
        }
    }
}
