/**
 * Haven's engine: the topology model, failure detection, routing and SQL/error classification.
 * Knows no vendor driver, no pool and no Spring.
 *
 * <p>The public face: {@link dev.haven.core.HavenConfig} (one validated configuration),
 * the model ({@link dev.haven.core.NodeAddress}, {@link dev.haven.core.Node},
 * {@link dev.haven.core.Topology}, {@link dev.haven.core.ReplicationPosition}), the live
 * {@link dev.haven.core.ClusterState} with its events, the {@link dev.haven.core.Router}, and the
 * {@link dev.haven.core.SqlClassifier} and {@link dev.haven.core.ErrorClassifier}. Everything else
 * lives in {@code dev.haven.core.internal} and may change without notice.
 */
package dev.haven.core;
