package dev.haven.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.haven.core.HavenEvent;
import dev.haven.core.HavenEventListener;
import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.autoconfigure.HavenAutoConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * When the starter provides an {@link HaDataSource}, and when it stays out of the way. The URLs point at a closed
 * port on this machine: the data source starts (its probes are refused at once) without any server.
 */
class HavenAutoConfigurationTest {

    static final String HAVEN_URL = "jdbc:ha:mariadb://127.0.0.1:9/app";

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HavenAutoConfiguration.class, DataSourceAutoConfiguration.class));

    @Test
    void aHavenUrlGivesAnHaDataSourceWithTheCredentialsAndSettings() {
        runner.withPropertyValues("spring.datasource.url=" + HAVEN_URL + "?ha.maxReplicaLag=9s&ha.routing=auto",
                        "spring.datasource.username=app", "spring.datasource.password=pw",
                        "haven.max-replica-lag=2s", "haven.failover.timeout=3s", "haven.consistency.mode=read-your-writes")
                .run(context -> {
                    assertThat(context).hasSingleBean(DataSource.class);
                    HaDataSource ds = context.getBean(HaDataSource.class);
                    assertThat(ds.getUrl()).startsWith(HAVEN_URL);
                    assertThat(ds.getUser()).isEqualTo("app");
                    var config = ds.cluster().config();
                    assertThat(config.maxReplicaLag()).as("the property wins over the URL").isEqualTo(Duration.ofSeconds(2));
                    assertThat(config.routing()).as("the URL's own setting stays").isEqualTo(dev.haven.core.HavenConfig.Routing.AUTO);
                    assertThat(config.failoverTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(config.consistency()).isEqualTo(dev.haven.core.HavenConfig.Consistency.READ_YOUR_WRITES);
                });
    }

    @Test
    void springBootsDurationFormatsReachHaven() {
        runner.withPropertyValues("spring.datasource.url=" + HAVEN_URL, "haven.max-replica-lag=PT2S",
                        "haven.failover.timeout=2500", "haven.probe-interval=500ms")
                .run(context -> {
                    var config = context.getBean(HaDataSource.class).cluster().config();
                    assertThat(config.maxReplicaLag()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(config.failoverTimeout()).as("a bare number is milliseconds").isEqualTo(Duration.ofMillis(2500));
                    assertThat(config.probeInterval()).isEqualTo(Duration.ofMillis(500));
                });
    }

    @Test
    void withoutTheStarterSpringBootsOwnDataSourceNeedsTheDriverClassName() {
        ApplicationContextRunner bootOnly = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class));
        bootOnly.withPropertyValues("spring.datasource.url=" + HAVEN_URL)
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("Failed to determine a suitable driver class"));
        bootOnly.withPropertyValues("spring.datasource.url=" + HAVEN_URL,
                        "spring.datasource.driver-class-name=dev.haven.jdbc.HaDriver")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    HikariDataSource pool = context.getBean(HikariDataSource.class);
                    assertThat(pool.getDriverClassName()).isEqualTo("dev.haven.jdbc.HaDriver");
                    assertThat(pool.getJdbcUrl()).isEqualTo(HAVEN_URL);
                });
    }

    @Test
    void aPlainUrlLeavesTheDataSourceToSpringBoot() {
        runner.withPropertyValues("spring.datasource.url=jdbc:mariadb://127.0.0.1:9/app", "haven.max-replica-lag=2s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(HaDataSource.class);
                    assertThat(context).hasSingleBean(HikariDataSource.class);
                });
    }

    @Test
    void noUrlNoHaven() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(HavenAutoConfiguration.class))
                .withPropertyValues("haven.max-replica-lag=2s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(HaDataSource.class);
                });
    }

    @Test
    void backsOffWhenTheApplicationDefinesADataSource() {
        runner.withPropertyValues("spring.datasource.url=" + HAVEN_URL)
                .withUserConfiguration(OwnDataSource.class)
                .run(context -> {
                    assertThat(context).doesNotHaveBean(HaDataSource.class);
                    assertThat(context).getBean(DataSource.class).isSameAs(context.getBean("ownDataSource"));
                });
    }

    @Test
    void listenerBeansAndCustomizersAreAppliedBeforeTheStart() {
        runner.withPropertyValues("spring.datasource.url=" + HAVEN_URL)
                .withUserConfiguration(Listening.class)
                .run(context -> {
                    Listening listening = context.getBean(Listening.class);
                    assertThat(listening.customized).containsExactly(context.getBean(HaDataSource.class));
                    // the first topology (the refused seed) was published after the listener was added
                    assertThat(listening.events).isNotEmpty();
                });
    }

    @Test
    void aPrimaryFencerBeanFencesThePromotionsOfTheDataSource() {
        NoFencer fencer = new NoFencer();
        runner.withPropertyValues("spring.datasource.url=" + HAVEN_URL, "haven.failover.mode=promote",
                        "haven.admin.user=admin")
                .withBean(dev.haven.core.PrimaryFencer.class, () -> fencer)
                .run(context -> assertThat(context.getBean(HaDataSource.class).getFencer()).isSameAs(fencer));
        runner.withPropertyValues("spring.datasource.url=" + HAVEN_URL, "haven.failover.mode=promote",
                        "haven.admin.user=admin")
                .withBean("one", dev.haven.core.PrimaryFencer.class, NoFencer::new)
                .withBean("other", dev.haven.core.PrimaryFencer.class, NoFencer::new)
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("one").hasStackTraceContaining("other"));
    }

    /** A fencer with nothing to do: what matters here is which one the data source got. */
    public static final class NoFencer implements dev.haven.core.PrimaryFencer {
        @Override
        public void fence(dev.haven.core.NodeAddress primary, long serverId) {
        }
    }

    @Test
    void hikariSettingsReachTheNodePoolsThroughHikarisOwnCheck() {
        // HikariCP checks the node pools' settings when the data source starts: its refusal proves the value got there
        runner.withPropertyValues("spring.datasource.url=" + HAVEN_URL,
                        "spring.datasource.hikari.maximum-pool-size=lots")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining("maximumPoolSize");
                });
    }

    @Test
    void theDataSourceIsClosedWithTheContext() {
        HaDataSource[] seen = new HaDataSource[1];
        runner.withPropertyValues("spring.datasource.url=" + HAVEN_URL)
                .run(context -> seen[0] = context.getBean(HaDataSource.class));
        assertThat(seen[0].isClosed()).isTrue();
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnDataSource {
        @Bean
        DataSource ownDataSource() {
            return new HikariDataSource();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Listening {
        final List<HavenEvent> events = new ArrayList<>();
        final List<HaDataSource> customized = new ArrayList<>();

        @Bean
        HavenEventListener recorder() {
            return e -> {
                synchronized (events) {
                    events.add(e);
                }
            };
        }

        @Bean
        HavenDataSourceCustomizer customizer() {
            return customized::add;
        }
    }
}
