package dev.haven.samples.drill;

import java.util.List;
import java.util.Set;

/**
 * Where a {@link DrillRun} runs, and what it does there besides the workload: the seam between the measurement
 * code (workers, timeline, write recovery, lost writes) and the cluster. {@link LocalClusterEnvironment} starts a
 * fresh {@code LocalCluster}, injects the scenario's fault, plays the orchestrator and samples the servers through
 * their proxies; {@link ExternalEnvironment} uses a cluster given by a {@code jdbc:ha:} URL, where the operator
 * injects the fault by hand, and watches it through Haven.
 *
 * <p>Called in this order: {@link #prepare}, {@link #open}, {@link #samplers} (as the workload starts),
 * {@link #act} (returns when the workload should stop), the client's close, {@link #storedIds}, {@link #close}.
 */
interface DrillEnvironment extends AutoCloseable {

    /** Starts or reaches the cluster and makes sure the table exists. */
    void prepare() throws Exception;

    /**
     * The value of the table's {@code run_id} column that marks this run's rows, or null when the table belongs to
     * this run alone (then it has no such column).
     */
    String runId();

    /** Timeline buckets of {@link DrillRun#BUCKET_MILLIS} ms: enough for the whole run and its wind-down. */
    int buckets();

    /**
     * Ms into the run from which a failed write counts for {@code writeRtoMillis}, until {@link DrillRun#faultAt}
     * is set by {@link #act}.
     */
    long faultExpectedAt();

    /** Opens the client the workload uses. */
    Client.Target open() throws Exception;

    /** Threads that sample the cluster for the run's figures; started with the workers, stopped at the end. */
    List<Thread> samplers(DrillRun run);

    /** Does the environment's part of the run (fault, orchestrator); returns when the workload should stop. */
    void act(DrillRun run, Client.Target target) throws Exception;

    /** Whether {@code maxWritableNodes} was measured; when not, the run reports it as unavailable. */
    boolean writableSampled();

    /**
     * After the workload and the client's close: the ids of this run's rows on the final primary, or null when no
     * node can be checked (the reason printed).
     */
    Set<Long> storedIds(DrillRun run);

    /**
     * Whether the environment has the counter table {@code drill_counter (k, n)} with the row {@code k = 0}: the
     * counter workload ({@code duplicateAppliedWrites}) runs only then.
     */
    default boolean counter() {
        return false;
    }

    /** After {@link #storedIds}: the counter's value on the same final primary, or null when it cannot be read. */
    default Long storedCounter() {
        return null;
    }
}
