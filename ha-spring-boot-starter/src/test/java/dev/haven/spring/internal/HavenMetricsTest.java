package dev.haven.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import dev.haven.core.ErrorKind;
import dev.haven.core.NodeAddress;
import dev.haven.jdbc.HaDataSource;
import dev.haven.jdbc.RoutingListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@link HavenMetrics} counts through the data source's hooks, before and after a registry is bound, without a
 * server: the hooks are called as ha-jdbc calls them.
 */
class HavenMetricsTest {

    static final NodeAddress REPLICA = NodeAddress.parse("127.0.0.1:9");

    @Test
    void statementsAndRetriesCountedBeforeTheRegistryExistAreShownOnceBound() throws Exception {
        try (HaDataSource ds = new HaDataSource()) {
            ds.setUrl("jdbc:ha:mariadb://127.0.0.1:9/app");
            HavenMetrics metrics = new HavenMetrics(() -> null);
            metrics.customize(ds);
            RoutingListener routing = ds.getRoutingListener();
            routing.statementExecuted(REPLICA, true);
            routing.statementExecuted(REPLICA, true);
            routing.statementRetried(REPLICA, ErrorKind.NODE_GONE);

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            metrics.bindTo(registry);
            routing.statementExecuted(REPLICA, false);
            routing.statementRetried(null, ErrorKind.NOT_PRIMARY);

            assertThat(registry.get("haven.statements").tags("node", "127.0.0.1:9", "intent", "read")
                    .functionCounter().count()).isEqualTo(2);
            assertThat(registry.get("haven.statements").tags("node", "127.0.0.1:9", "intent", "write")
                    .functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("haven.statement.retries").tags("node", "127.0.0.1:9", "cause", "node-gone")
                    .functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("haven.statement.retries").tags("node", "none", "cause", "not-primary")
                    .functionCounter().count()).isEqualTo(1);
        }
    }

    @Test
    void anApplicationsOwnHooksAreKept() {
        HaDataSource ds = new HaDataSource();
        List<String> seen = new ArrayList<>();
        ds.setRoutingListener(new RoutingListener() {
            @Override
            public void statementExecuted(NodeAddress node, boolean forReads) {
                seen.add("executed " + node);
            }

            @Override
            public void statementRetried(NodeAddress node, ErrorKind cause) {
                seen.add("retried " + node);
            }
        });
        ds.setPoolCustomizer((node, config) -> seen.add("pool " + node));
        new HavenMetrics(() -> null).customize(ds);

        ds.getRoutingListener().statementExecuted(REPLICA, true);
        HikariConfig config = new HikariConfig();
        ds.getPoolCustomizer().accept(REPLICA, config);
        assertThat(seen).containsExactly("executed 127.0.0.1:9", "pool 127.0.0.1:9");
        assertThat(config.getMetricsTrackerFactory()).as("HikariCP's metrics for the pool").isNotNull();
    }
}
