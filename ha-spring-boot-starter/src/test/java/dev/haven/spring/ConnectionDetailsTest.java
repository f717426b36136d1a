package dev.haven.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.jdbc.HaDataSource;
import dev.haven.spring.autoconfigure.HavenAutoConfiguration;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A {@link JdbcConnectionDetails} bean (what a {@code @ServiceConnection} container or Docker Compose registers)
 * gives Haven its server and credentials, as it does for Spring Boot's own data source. Closed ports: the data
 * source starts without a server. {@code TestSlicesIT} runs the same on a real cluster.
 */
public class ConnectionDetailsTest {

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HavenAutoConfiguration.class, DataSourceAutoConfiguration.class));

    public static JdbcConnectionDetails details(String url, String user, String password) {
        return new JdbcConnectionDetails() {
            @Override
            public String getJdbcUrl() {
                return url;
            }

            @Override
            public String getUsername() {
                return user;
            }

            @Override
            public String getPassword() {
                return password;
            }
        };
    }

    @Test
    void aContainersMariaDbUrlBecomesHavensWithoutAnySpringDatasourceUrl() {
        runner.withBean(JdbcConnectionDetails.class, () -> details("jdbc:mariadb://127.0.0.1:7/test", "tc", "tcpw"))
                .withPropertyValues("haven.max-replica-lag=3s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    HaDataSource ds = context.getBean(HaDataSource.class);
                    assertThat(ds.getUrl()).isEqualTo("jdbc:ha:mariadb://127.0.0.1:7/test");
                    assertThat(ds.getUser()).isEqualTo("tc");
                    assertThat(ds.cluster().config().seeds()).extracting(Object::toString).containsExactly("127.0.0.1:7");
                    assertThat(ds.cluster().config().maxReplicaLag()).isEqualTo(Duration.ofSeconds(3));
                });
    }

    @Test
    void theDetailsWinOverSpringDatasourceAndKeepItsHavenParameters() {
        runner.withBean(JdbcConnectionDetails.class, () -> details("jdbc:mariadb://127.0.0.1:8/shop?connectTimeout=500", "tc", "tcpw"))
                .withPropertyValues("spring.datasource.url=jdbc:ha:mariadb://db1:3306,db2:3306/shop?ha.routing=auto&socketTimeout=700",
                        "spring.datasource.username=app", "spring.datasource.password=pw")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    HaDataSource ds = context.getBean(HaDataSource.class);
                    assertThat(ds.getUrl()).isEqualTo("jdbc:ha:mariadb://127.0.0.1:8/shop?connectTimeout=500&ha.routing=auto");
                    assertThat(ds.getUser()).isEqualTo("tc");
                    assertThat(ds.cluster().config().routing()).isEqualTo(dev.haven.core.HavenConfig.Routing.AUTO);
                });
    }

    @Test
    void aHavenUrlFromTheDetailsIsUsedAsItIs() {
        runner.withBean(JdbcConnectionDetails.class,
                        () -> details("jdbc:ha:mariadb://127.0.0.1:7,127.0.0.1:9/app?ha.maxReplicaLag=4s", "u", "p"))
                .run(context -> {
                    HaDataSource ds = context.getBean(HaDataSource.class);
                    assertThat(ds.cluster().config().seeds()).hasSize(2);
                    assertThat(ds.cluster().config().maxReplicaLag()).isEqualTo(Duration.ofSeconds(4));
                });
    }

    @Test
    void detailsOfAnotherDatabaseStopStartUpWithoutQuotingTheUrl() {
        runner.withBean(JdbcConnectionDetails.class,
                        () -> details("jdbc:postgresql://127.0.0.1:7/app?password=S3cret", "u", "p"))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining("not a MySQL or MariaDB URL");
                    assertThat(context.getStartupFailure().toString()).doesNotContain("S3cret");
                });
    }
}
