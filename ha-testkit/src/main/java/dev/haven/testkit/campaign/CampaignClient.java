package dev.haven.testkit.campaign;

import java.util.List;
import javax.sql.DataSource;

/**
 * The client library under test, as the campaign sees it: data sources, the bounds its configuration promises,
 * and what is left of it after close. The campaign knows nothing else of it.
 */
public interface CampaignClient {

    /** The data sources the workload spreads its operations over (one or more, e.g. one per application instance). */
    List<DataSource> dataSources();

    /** The limits its configuration promises (derived from its settings by the adapter). */
    Bounds bounds();

    /** Closes every data source; returns when close() returned. */
    void close() throws Exception;

    /** Whether a live thread belongs to the client (checked right after close() returned). */
    boolean ownsThread(Thread thread);

    /** Events the client delivered to its listeners after {@link #close} returned, described; empty when none. */
    List<String> eventsAfterClose();

    /** Opens the client on a started cluster; may note what it sees on the timeline. */
    @FunctionalInterface
    interface Factory {
        CampaignClient open(dev.haven.testkit.LocalCluster cluster, CampaignClock clock) throws Exception;
    }
}
