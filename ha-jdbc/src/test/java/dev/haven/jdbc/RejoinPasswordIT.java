package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.haven.core.HavenEvent;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The old primary rejoins through Haven's own failover with a replication password full of what broke
 * {@code CHANGE MASTER} before (a backslash before a quote, quotes, {@code %}, a space, non-ASCII), and a rejoin
 * that cannot work (a password longer than the server stores) is refused with an event and a log line that hold
 * neither the password nor the statement. Every log line of the run, at any level and from any logger (the
 * vendor driver's too), is checked.
 */
class RejoinPasswordIT {

    static final String HOSTILE = "r3p\\', MASTER_HOST='x' %_ p\u00e4ss";
    static final String USER = "haven_rejoin";

    @Test
    void theOldPrimaryRejoinsWithAHostilePasswordAndATooLongOneIsRefusedWithoutLeakingIt() throws Exception {
        CapturedLog log = CapturedLog.capture();
        try (LocalCluster cluster = PromoteFailoverIT.cluster()) {
            try (Connection c = cluster.adminConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.setEscapeProcessing(false);
                s.execute("CREATE USER '" + USER + "'@'%' IDENTIFIED BY 'r3p\\\\'', MASTER_HOST=''x'' %_ p\u00e4ss'");
                s.execute("GRANT REPLICATION SLAVE ON *.* TO '" + USER + "'@'%'");
            }
            cluster.awaitReplicationCaughtUp(java.time.Duration.ofSeconds(10));
            LocalNode first = cluster.primary();
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            try (HaDataSource ds = HaDataSource.builder().url(PromoteFailoverIT.promoteUrl(cluster,
                            "&ha.failover.rejoin=true&ha.failover.minInterval=1s")).user(cluster.appUser())
                    .password(cluster.appPassword()).setting("ha.replication.user", USER)
                    .setting("ha.replication.password", HOSTILE).listener(events::add).build()) {
                cluster.kill(first);
                RoutingContractTests.awaitTopology(ds.cluster(),
                        t -> t.primary() != null && t.primary().serverId() != first.serverId(), "a new primary");
                LocalNode second = cluster.nodeByServerId(ds.topology().primary().serverId());
                cluster.restart(first);
                PromoteFailoverIT.await(() -> PromoteFailoverIT.replicatesFrom(cluster, first, second),
                        "the rejoin with the hostile password");
            }
            assertThat(events).noneSatisfy(e -> assertThat(e.message()).contains("r3p"));

            // A password longer than MariaDB stores (96 bytes): refused by Haven before any statement.
            String tooLong = HOSTILE + "-".repeat(100);
            events.clear();
            LocalNode second = cluster.adoptRoles();
            try (HaDataSource ds = HaDataSource.builder().url(PromoteFailoverIT.promoteUrl(cluster,
                            "&ha.failover.rejoin=true&ha.failover.minInterval=1s")).user(cluster.appUser())
                    .password(cluster.appPassword()).setting("ha.replication.user", USER)
                    .setting("ha.replication.password", tooLong).listener(events::add).build()) {
                cluster.kill(second);
                RoutingContractTests.awaitTopology(ds.cluster(),
                        t -> t.primary() != null && t.primary().serverId() != second.serverId(), "a new primary");
                cluster.restart(second);
                PromoteFailoverIT.await(() -> events.stream().anyMatch(e -> e.type() == HavenEvent.Type.FAILOVER_REFUSED
                        && e.message().contains("rejoin failed")), "the rejoin refused");
            }
            assertThat(events).filteredOn(e -> e.type() == HavenEvent.Type.FAILOVER_REFUSED)
                    .anySatisfy(e -> assertThat(e.message()).contains("ha.replication.password is", "bytes long"));
            assertThat(events).noneSatisfy(e -> assertThat(e.message()).contains("r3p"));
        } finally {
            log.stop();
        }
        assertThat(log.lines).as("log lines").isNotEmpty()
                .noneSatisfy(line -> assertThat(line).containsAnyOf("r3p", "MASTER_PASSWORD"));
    }

    /** Every log event of every logger, formatted with its throwable chain. */
    static final class CapturedLog extends AppenderBase<ILoggingEvent> {
        final List<String> lines = new CopyOnWriteArrayList<>();
        private Logger root;
        private ch.qos.logback.classic.Level level;

        static CapturedLog capture() {
            CapturedLog log = new CapturedLog();
            log.root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            log.level = log.root.getLevel();
            log.root.setLevel(ch.qos.logback.classic.Level.INFO); // what production logs; the vendor drivers dump queries at TRACE
            log.setContext(log.root.getLoggerContext());
            log.start();
            log.root.addAppender(log);
            return log;
        }

        @Override
        protected void append(ILoggingEvent event) {
            StringBuilder line = new StringBuilder(event.getFormattedMessage());
            for (ch.qos.logback.classic.spi.IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
            }
            lines.add(line.toString());
        }

        @Override
        public void stop() {
            root.detachAppender(this);
            root.setLevel(level);
            super.stop();
        }
    }
}
