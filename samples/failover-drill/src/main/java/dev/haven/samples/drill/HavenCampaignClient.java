package dev.haven.samples.drill;

import dev.haven.core.HavenConfig;
import dev.haven.core.HavenEvent;
import dev.haven.jdbc.HaDataSource;
import dev.haven.testkit.LocalCluster;
import dev.haven.testkit.campaign.Bounds;
import dev.haven.testkit.campaign.CampaignClient;
import dev.haven.testkit.campaign.CampaignClock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Haven as the campaign's client: {@code dataSources} {@link HaDataSource}s on the cluster (as that many
 * application instances would have), the drill's Haven URL in promote (or observe) mode plus the {@code --set}
 * settings, and {@code followers} more in observe mode beside promoting ones. A follower learns of a promotion
 * only from what its own probes see, later than the instance that made it: the window in which a replaced
 * primary's acknowledgement could reach an application (failover-safety.md). A follower takes the {@code --set}
 * settings but the fencer, which only a promoting instance calls. The checker's bounds come from the configuration Haven actually runs with:
 * <ul>
 *   <li>an operation may take {@code ha.failover.timeout} (waiting for a primary) plus the socket timeout (the
 *       statement on it) plus the pool's borrow wait (twice {@code ha.connectTimeout}) plus a 2 s margin for a
 *       loaded machine;</li>
 *   <li>a read may miss a write acknowledged up to {@code ha.maxReplicaLag} plus 1 s earlier (the lag's
 *       whole-second resolution and the probe interval), as in the other scenarios;</li>
 *   <li>read-your-writes is promised when {@code ha.consistency=read-your-writes}.</li>
 * </ul>
 * Its threads are those named {@code haven-} except the test kit's proxies ({@code haven-proxy-}).
 */
final class HavenCampaignClient implements CampaignClient {

    static final long OPERATION_MARGIN_MILLIS = 2000;
    static final long STALENESS_MARGIN_MILLIS = 1000;

    private final List<HaDataSource> dataSources = new ArrayList<>();
    private final List<String> afterClose = Collections.synchronizedList(new ArrayList<>());
    private final Bounds bounds;
    private final HavenEvents events = new HavenEvents();
    private volatile boolean closed;

    HavenCampaignClient(LocalCluster cluster, CampaignClock clock, int count, int followers, boolean promote,
            Map<String, String> settings) throws Exception {
        Map<String, String> followerSettings = new java.util.LinkedHashMap<>(settings);
        followerSettings.remove("ha.failover.fencer");
        for (int i = 0; i < count + followers; i++) {
            boolean follower = i >= count;
            String instance = follower ? "follower" + (i - count + 1) : "app" + (i + 1);
            DrillOptions mode = DrillOptions.parse(new String[] {"--failover",
                    promote && !follower ? "promote" : "observe"});
            String url = Client.HAVEN.url(cluster, mode) + "&ha.admin.password=" + cluster.adminPassword();
            HaDataSource.Builder builder = HaDataSource.builder().url(url).user(cluster.appUser())
                    .password(cluster.appPassword()).listener(event -> onEvent(clock, instance, event)).listener(events);
            (follower ? followerSettings : settings).forEach(builder::setting);
            HaDataSource ds = builder.build();
            dataSources.add(ds);
            ds.getConnection().close(); // started: the first topology is known before the workload
        }
        HavenConfig config = dataSources.get(0).cluster().config();
        long failover = config.failoverTimeout().toMillis();
        long borrow = 2 * config.connectTimeout().toMillis();
        bounds = new Bounds(failover + Client.SOCKET_TIMEOUT_MILLIS + borrow + OPERATION_MARGIN_MILLIS,
                config.maxReplicaLag().toMillis() + STALENESS_MARGIN_MILLIS,
                config.consistency() == HavenConfig.Consistency.READ_YOUR_WRITES);
    }

    private void onEvent(CampaignClock clock, String instance, HavenEvent event) {
        if (closed) {
            afterClose.add(instance + " " + event);
            return;
        }
        switch (event.type()) {
            case PROMOTED, FENCED, NODE_DOWN, ROLE_CHANGED, FAILOVER_STARTED, FAILOVER_FINISHED ->
                    clock.note(event.type() == HavenEvent.Type.PROMOTED ? "promotion" : "haven",
                            instance + " " + event.type() + " " + event.address()
                                    + (event.message() == null ? "" : ": " + event.message()));
            default -> { }
        }
    }

    /** Replay and commit-outcome events, over every data source. */
    HavenEvents events() {
        return events;
    }

    @Override
    public List<DataSource> dataSources() {
        return List.copyOf(dataSources);
    }

    @Override
    public Bounds bounds() {
        return bounds;
    }

    @Override
    public void close() {
        for (HaDataSource ds : dataSources) {
            ds.close();
        }
        closed = true;
    }

    @Override
    public boolean ownsThread(Thread thread) {
        String name = thread.getName();
        return name.startsWith("haven-") && !name.startsWith("haven-proxy-");
    }

    @Override
    public List<String> eventsAfterClose() {
        synchronized (afterClose) {
            return List.copyOf(afterClose);
        }
    }
}
