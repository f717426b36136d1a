package dev.haven.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HavenClusterTest {

    @Test
    void promoteModeIsRefusedUntilItExistsRatherThanSilentlyIgnored() {
        AtomicInteger connects = new AtomicInteger();
        NodeConnector connector = (node, connectTimeout, socketTimeout) -> {
            connects.incrementAndGet();
            throw new java.sql.SQLException("unreachable");
        };
        HavenConfig config = HavenConfig.builder().seeds("db1").failover(HavenConfig.FailoverMode.PROMOTE).build();
        assertThatThrownBy(() -> HavenCluster.start(config, connector))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ha.failover: 'promote' is not available")
                .hasMessageContaining("allowed: observe");
        org.assertj.core.api.Assertions.assertThat(connects).hasValue(0);
    }
}
