package dev.haven.samples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.resilience.annotation.EnableResilientMethods;

/**
 * A Spring Boot application on Haven, configured only by {@code application.yml}: {@code spring.datasource.url} is a
 * {@code jdbc:ha:mariadb://} URL, so the Haven starter provides the data source; Flyway migrates the schema on the
 * primary; {@code @Transactional(readOnly = true)} services read on replicas and the others write on the primary;
 * every response names the {@code @@server_id} that served it. With {@code haven.replay.mode=on} and
 * {@code haven.commit-outcome=marker}, a failover costs a request a pause, not an error: an interrupted transaction is
 * replayed or its commit's outcome looked up, and the rare one that must run again ({@code 40001}) is retried
 * ({@code @Retryable}, {@link RetryNotCommitted}).
 *
 * <p>Run it against a database of your own with {@code DB_HOSTS}, {@code DB_PASSWORD}, {@code DB_ADMIN_USER} and
 * {@code DB_ADMIN_PASSWORD} set, or against a local test cluster with {@code LocalClusterLauncher} (README, "Spring Boot
 * sample").
 */
@SpringBootApplication
@EnableResilientMethods
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
