package dev.haven.spring.autoconfigure;

import dev.haven.spring.internal.HavenDataSourceMetrics;
import dev.haven.spring.internal.PoolNames;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * Haven's Micrometer metrics, when Spring Boot's metrics support ({@code spring-boot-micrometer-metrics}) and a
 * {@link MeterRegistry} are there: a {@code HavenMetrics} binder, which also customizes the auto-configured data
 * source before it starts (statement counters, event counters, HikariCP metrics for every node's pool), and a meter
 * filter that tags HikariCP's meters of Haven's pools ({@code pool=haven-host-port}) with {@code node=host:port}.
 * Every Haven data source of the context is measured, each meter tagged {@code datasource=<bean name>}.
 * Ordered after the registries' auto-configurations, as Spring Boot's own data source metrics are.
 */
@AutoConfiguration(after = HavenAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration"})
@ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
@Conditional(OnHavenDataSourceCondition.class)
public class HavenMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    HavenDataSourceMetrics havenMetrics(ListableBeanFactory beans) {
        return new HavenDataSourceMetrics(beans);
    }

    @Bean
    MeterFilter havenPoolMeterFilter() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getName().startsWith("hikaricp.")) {
                    String pool = id.getTag("pool");
                    String node = pool == null ? null : PoolNames.nodeOf(pool);
                    if (node != null && id.getTag("node") == null) {
                        return id.withTag(Tag.of("node", node));
                    }
                }
                return id;
            }
        };
    }
}
