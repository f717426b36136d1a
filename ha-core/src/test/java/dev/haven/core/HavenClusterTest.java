package dev.haven.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HavenClusterTest {

    @Test
    void autoFailbackIsRefusedRatherThanSilentlyIgnored() {
        AtomicInteger connects = new AtomicInteger();
        NodeConnector connector = (node, connectTimeout, socketTimeout) -> {
            connects.incrementAndGet();
            throw new java.sql.SQLException("unreachable");
        };
        HavenConfig config = HavenConfig.builder().seeds("db1").failover(HavenConfig.FailoverMode.PROMOTE)
                .failoverAutoFailback(true).build();
        assertThatThrownBy(() -> HavenCluster.start(config, connector))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ha.failover.autoFailback: 'true' is not available")
                .hasMessageContaining("allowed: false");
        org.assertj.core.api.Assertions.assertThat(connects).hasValue(0);
    }
}
