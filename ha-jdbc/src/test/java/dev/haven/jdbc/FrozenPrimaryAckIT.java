package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.HavenEvent;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.LocalNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 10 bug 1: a primary frozen (SIGSTOP) under concurrent writers is replaced while statements and commits wait
 * on it; when it thaws (SIGCONT) those must not complete as successes. Every write the application saw
 * acknowledged must be on the new primary, none only on the old one, and the returning old primary must be fenced
 * promptly even though its own late commits wait for semi-sync acknowledgements nobody will send.
 */
class FrozenPrimaryAckIT {

    /**
     * The thawed old primary is read-only within this long: the promoter's next probe of it (a probe interval and a
     * connect) and the fencing itself. Measured 43-282 ms, and 2.9 s once on a machine at load 40; before the fix
     * the fencing queued behind the old primary's late commits for the 5 s semi-sync timeout.
     */
    private static final long FENCE_BOUND_MILLIS = 4_500;

    /**
     * A second application instance that only follows (no promotion) and would declare the primary down only
     * after a minute: it learns of the new primary from its probes alone.
     */
    private static final String OBSERVER = "ha.probeInterval=200ms&ha.suspectAfter=400ms&ha.deadAfter=60s"
            + "&ha.connectTimeout=500ms&ha.probeTimeout=500ms&ha.initialGrace=500ms&ha.failover=observe";

    private static final String FAST = "ha.probeInterval=200ms&ha.suspectAfter=400ms&ha.deadAfter=1500ms"
            + "&ha.connectTimeout=500ms&ha.probeTimeout=500ms&ha.initialGrace=500ms&ha.failover.timeout=15s";

    /**
     * {@code minFreezeMillis} 3000: the report's freeze, after which the follower has usually probed the new primary
     * already. 0: the old primary thaws the moment the promotion is announced, before the follower can have probed
     * the new primary, so the follower's statements waiting on the old primary complete (at once on MySQL, after the
     * semi-sync timeout on MariaDB) while the follower still, or again, routes writes there. {@code recovery}
     * {@code marker+replay}: the promoter's acknowledgements that cannot stand are settled by their commit markers
     * (found: acknowledged; not found: replayed), which must not let a write of the old primary's through either.
     */
    @ParameterizedTest(name = "{0}, socketTimeout={1}, freeze at least {2} ms, {3}")
    @CsvSource({"mariadb, 10000, 3000, none", "mysql, 0, 3000, none", "mariadb, 10000, 0, none", "mysql, 0, 0, none",
            "mariadb, 10000, 0, marker+replay"})
    void noAcknowledgementFromTheReplacedPrimaryReachesTheApplication(String vendor, int socketTimeout,
                                                                      int minFreezeMillis, String recovery)
            throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().replicas(2).start()) {
            try (Connection c = cluster.appConnection(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
            }
            cluster.awaitReplicationCaughtUp(Duration.ofSeconds(10));
            LocalNode oldPrimary = cluster.primary();
            List<HavenEvent> events = new CopyOnWriteArrayList<>();
            String settings = (socketTimeout > 0 ? "socketTimeout=" + socketTimeout + "&" : "") + FAST
                    + "&ha.failover=promote&ha.admin.user=" + cluster.adminUser() + "&ha.admin.password="
                    + cluster.adminPassword()
                    // an acknowledgement that cannot stand is settled by its marker instead of 08007
                    + (recovery.equals("none") ? "" : "&ha.commitOutcome=marker&ha.replay=on");
            WritableSampler sampler = new WritableSampler(cluster);
            List<Writer> writers = new ArrayList<>();
            List<HavenEvent> observed = new CopyOnWriteArrayList<>();
            String observer = (socketTimeout > 0 ? "socketTimeout=" + socketTimeout + "&" : "") + OBSERVER;
            long thawedAt;
            try (HaDataSource ds = HaDataSource.builder().url(ExternalPromotionIT.url(cluster, vendor, settings))
                    .user(cluster.appUser()).password(cluster.appPassword()).listener(events::add).build();
                 HaDataSource follower = HaDataSource.builder().url(ExternalPromotionIT.url(cluster, vendor, observer))
                         .user(cluster.appUser()).password(cluster.appPassword()).listener(observed::add).build()) {
                for (int i = 0; i < 4; i++) {
                    writers.add(new Writer(i < 2 ? ds : follower, i));
                }
                PromoteFailoverIT.await(() -> writers.stream().allMatch(w -> w.acked.size() >= 10),
                        "writes before the fault");
                long frozenAt = System.nanoTime();
                cluster.freeze(oldPrimary);
                PromoteFailoverIT.await(() -> PromoteFailoverIT.count(events, HavenEvent.Type.PROMOTED) >= 1,
                        "a promotion during the freeze");
                // The statements waiting on it can complete once it thaws.
                long left = TimeUnit.MILLISECONDS.toNanos(minFreezeMillis) - (System.nanoTime() - frozenAt);
                if (left > 0) {
                    TimeUnit.NANOSECONDS.sleep(left);
                }
                cluster.thaw(oldPrimary);
                thawedAt = System.nanoTime();
                sampler.thawed(oldPrimary, thawedAt);
                int before = writers.stream().mapToInt(w -> w.acked.size()).sum();
                PromoteFailoverIT.await(() -> writers.stream().mapToInt(w -> w.acked.size()).sum() >= before + 40,
                        "writes on the new primary");
                // Any late acknowledgement from the old primary would have arrived by now (semi-sync timeout 5 s).
                PromoteFailoverIT.await(() -> System.nanoTime() - thawedAt > TimeUnit.SECONDS.toNanos(6),
                        "the old primary's late commits to settle");
                dev.haven.core.HavenCluster followed = follower.cluster();
                PromoteFailoverIT.await(() -> followed.topology().primary() != null
                        && followed.topology().primary().serverId() != oldPrimary.serverId(), "the follower's new primary");
                assertThat(observed).as("the follower learned of the new primary by probing, not by a DOWN old primary")
                        .noneMatch(e -> e.type() == HavenEvent.Type.NODE_DOWN
                                && e.address() != null && e.address().port() == oldPrimary.port());
                for (Writer w : writers) {
                    w.stop();
                }
                for (Writer w : writers) {
                    w.join();
                }
            } finally {
                cluster.thaw(oldPrimary);
                sampler.close();
            }
            LocalNode newPrimary = cluster.adoptRoles();
            assertThat(newPrimary.serverId()).isNotEqualTo(oldPrimary.serverId());
            Set<Long> acked = new TreeSet<>();
            for (Writer w : writers) {
                acked.addAll(w.acked);
                assertThat(w.stuck).as("a writer still blocked at the end of the test").isFalse();
            }
            Set<Long> onNew = new HashSet<>(PromoteFailoverIT.rows(cluster, newPrimary));
            Set<Long> onOld = new HashSet<>(PromoteFailoverIT.rows(cluster, oldPrimary));
            Set<Long> lost = new TreeSet<>(acked);
            lost.removeAll(onNew);
            Set<Long> onlyOnOld = new TreeSet<>(onOld);
            onlyOnOld.removeAll(onNew);
            Set<Long> ackedOnlyOnOld = new TreeSet<>(onlyOnOld);
            ackedOnlyOnOld.retainAll(acked);
            System.out.printf("%s socketTimeout=%d minFreeze=%d %s: %d acknowledged, %d failed (%d of them the"
                            + " promoter's), %d rows only on the old primary, old primary read-only %d ms after the thaw"
                            + " (last writable sample at %d ms)%n", vendor, socketTimeout, minFreezeMillis, recovery,
                    acked.size(), writers.stream().mapToLong(w -> w.failed.get()).sum(),
                    writers.get(0).failed.get() + writers.get(1).failed.get(),
                    onlyOnOld.size(), sampler.fencedAfterMillis(oldPrimary),
                    sampler.writableAfterThawMillis(oldPrimary));
            assertThat(ackedOnlyOnOld).as("acknowledged writes that exist only on the replaced primary").isEmpty();
            assertThat(lost).as("acknowledged writes missing on the new primary").isEmpty();
            assertThat(sampler.fencedAfterMillis(oldPrimary)).as("ms from the thaw until the old primary was read-only")
                    .isBetween(0L, FENCE_BOUND_MILLIS);
            assertThat(events).as("the promoter fenced the old primary with the fencing it queued at the promotion,"
                    + " which the frozen server ran the moment it thawed, not after the next probe")
                    .anyMatch(e -> e.type() == HavenEvent.Type.FENCED && e.address() != null
                            && e.address().port() == oldPrimary.port() && e.message().contains("queued at the promotion"));
            assertThat(sampler.overlapAfterFence(oldPrimary))
                    .as("samples with two writable nodes later than the fencing bound").isZero();
            assertThat(cluster.writableNodes()).as("writable nodes at the end").isEqualTo(1);
        }
    }

    /** Auto-commit inserts and two-row transactions; remembers the ids of those acknowledged. */
    static final class Writer {
        final Set<Long> acked = ConcurrentHashMap.newKeySet();
        final AtomicLong failed = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;
        volatile boolean stuck;

        Writer(HaDataSource ds, int index) {
            AtomicLong next = new AtomicLong(1_000_000L * (index + 1));
            thread = new Thread(() -> {
                boolean transaction = false;
                while (running.get()) {
                    long id = next.addAndGet(2);
                    transaction = !transaction;
                    try (Connection c = ds.getConnection()) {
                        if (transaction) {
                            c.setAutoCommit(false);
                            ExternalPromotionIT.insert(c, id);
                            ExternalPromotionIT.insert(c, id + 1);
                            c.commit();
                            acked.add(id);
                            acked.add(id + 1);
                        } else {
                            ExternalPromotionIT.insert(c, id);
                            acked.add(id);
                        }
                    } catch (SQLException e) {
                        failed.incrementAndGet();
                    }
                }
            }, "test-writer-" + index);
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            running.set(false);
        }

        void join() throws InterruptedException {
            thread.join(30_000);
            stuck = thread.isAlive();
        }
    }

    /**
     * Reads {@code read_only} of every node every 50 ms over direct admin connections (one thread per node, so a
     * frozen node delays only its own samples). A sample counts at the time its answer arrived.
     */
    static final class WritableSampler implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        /** Per server_id: answer times (nanoTime) of samples that found it writable. */
        private final Map<Long, List<Long>> writableAt = new ConcurrentHashMap<>();
        private final Map<Long, List<Long>> readOnlyAt = new ConcurrentHashMap<>();
        private volatile long thawedAt = Long.MAX_VALUE;

        WritableSampler(LocalCluster cluster) {
            this.user = cluster.adminUser();
            this.password = cluster.adminPassword();
            for (LocalNode node : cluster.nodes()) {
                writableAt.put((long) node.serverId(), new CopyOnWriteArrayList<>());
                readOnlyAt.put((long) node.serverId(), new CopyOnWriteArrayList<>());
                Thread t = new Thread(() -> sample(node), "test-sampler-" + node.serverId());
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        private final String user;
        private final String password;

        private void sample(LocalNode node) {
            String url = "jdbc:mariadb://127.0.0.1:" + node.serverPort() + "/?connectTimeout=20000&socketTimeout=20000";
            Connection c = null;
            while (running.get()) {
                try {
                    if (c == null) {
                        c = DriverManager.getConnection(url, user, password);
                    }
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@GLOBAL.read_only")) {
                        rs.next();
                        long now = System.nanoTime();
                        (rs.getInt(1) == 0 ? writableAt : readOnlyAt).get((long) node.serverId()).add(now);
                    }
                } catch (SQLException e) {
                    if (c != null) {
                        try {
                            c.close();
                        } catch (SQLException ignored) {
                            // reconnect next round
                        }
                    }
                    c = null;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // done
                }
            }
        }

        void thawed(LocalNode node, long at) {
            thawedAt = at;
        }

        /** From the thaw to the first sample that found the old primary read-only. */
        long fencedAfterMillis(LocalNode old) {
            for (long at : readOnlyAt.get((long) old.serverId())) {
                if (at > thawedAt) {
                    return TimeUnit.NANOSECONDS.toMillis(at - thawedAt);
                }
            }
            return -1;
        }

        /** Samples of the old primary writable later than the fencing bound after the thaw. */
        long overlapAfterFence(LocalNode old) {
            long bound = thawedAt + TimeUnit.MILLISECONDS.toNanos(FENCE_BOUND_MILLIS);
            return writableAt.get((long) old.serverId()).stream().filter(at -> at > bound).count();
        }

        /** From the thaw to the last sample that found the old primary writable, -1 if none did. */
        long writableAfterThawMillis(LocalNode old) {
            long last = -1;
            for (long at : writableAt.get((long) old.serverId())) {
                if (at > thawedAt) {
                    last = TimeUnit.NANOSECONDS.toMillis(at - thawedAt);
                }
            }
            return last;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }
}
