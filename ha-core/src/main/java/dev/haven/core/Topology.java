package dev.haven.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable snapshot of the cluster: every known node, the primary, and the replicas reads may
 * go to. The live topology is held by {@link ClusterState}, swapped whole on every change; routing
 * reads one snapshot and never locks.
 *
 * <p>Everything routing needs is computed once, here: the primary, the array of read-eligible
 * replicas, and, when this application has a zone ({@code ha.zone}), the eligible replicas in that
 * zone. The {@link #epoch()} grows with every published snapshot.
 *
 * <p>The primary is the node with role {@link Role#PRIMARY} that is not {@link Health#DOWN}. If
 * several qualify, an {@code UP} one is preferred over {@code SUSPECT} ones; if that still leaves
 * more than one, there is no primary: writes wait rather than risk a split brain.
 */
public final class Topology {

    private static final Node[] NO_NODES = new Node[0];

    private final long epoch;
    private final List<Node> nodes;
    private final Node primary;
    private final String localZone;
    private final Node[] readReplicas;
    private final Node[] preferredReadReplicas;
    private final List<Node> readReplicaList;

    private Topology(long epoch, List<Node> nodes, String localZone) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch " + epoch + " is negative");
        }
        this.epoch = epoch;
        this.nodes = List.copyOf(nodes);
        this.localZone = localZone;
        Set<NodeAddress> seen = new HashSet<>();
        List<Node> readable = new ArrayList<>();
        List<Node> local = new ArrayList<>();
        Node upPrimary = null;
        Node suspectPrimary = null;
        int upPrimaries = 0;
        int suspectPrimaries = 0;
        for (Node n : this.nodes) {
            if (!seen.add(n.address())) {
                throw new IllegalArgumentException("node " + n.address() + " appears twice in the topology");
            }
            if (n.role() == Role.PRIMARY && n.health() == Health.UP) {
                upPrimary = n;
                upPrimaries++;
            } else if (n.role() == Role.PRIMARY && n.health() == Health.SUSPECT) {
                suspectPrimary = n;
                suspectPrimaries++;
            }
            if (n.eligibleForReads()) {
                readable.add(n);
                if (localZone != null && localZone.equals(n.zone())) {
                    local.add(n);
                }
            }
        }
        if (upPrimaries == 1) {
            this.primary = upPrimary;
        } else if (upPrimaries == 0 && suspectPrimaries == 1) {
            this.primary = suspectPrimary;
        } else {
            this.primary = null;
        }
        this.readReplicas = readable.toArray(NO_NODES);
        this.preferredReadReplicas = local.isEmpty() ? readReplicas : local.toArray(NO_NODES);
        this.readReplicaList = List.copyOf(readable);
    }

    /** The snapshot before anything is known: epoch 0, no nodes. */
    public static Topology empty(String localZone) {
        return new Topology(0, List.of(), localZone);
    }

    /**
     * A snapshot of {@code nodes} at {@code epoch}.
     *
     * @param localZone this application's zone ({@code ha.zone}), {@code null} for none
     * @throws IllegalArgumentException if an address appears twice or the epoch is negative
     */
    public static Topology of(long epoch, List<Node> nodes, String localZone) {
        return new Topology(epoch, Objects.requireNonNull(nodes, "nodes"), localZone);
    }

    /** The next snapshot: {@code nodes} at {@code epoch() + 1}, same local zone. */
    public Topology successor(List<Node> nodes) {
        return new Topology(epoch + 1, Objects.requireNonNull(nodes, "nodes"), localZone);
    }

    /** Grows by at least one with every published snapshot. */
    public long epoch() {
        return epoch;
    }

    /** Every known node, in the order given. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The node that takes writes, or {@code null} when there is none (see the class comment). */
    public Node primary() {
        return primary;
    }

    /** The replicas reads may go to (UP, replicating, not lagging), in node order. */
    public List<Node> readReplicas() {
        return readReplicaList;
    }

    /** This application's zone, {@code null} if none. */
    public String localZone() {
        return localZone;
    }

    /** The node at an address, {@code null} if unknown. */
    public Node node(NodeAddress address) {
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.address().equals(address)) {
                return n;
            }
        }
        return null;
    }

    /** Read-eligible replicas; shared, must not be modified. */
    Node[] readReplicaArray() {
        return readReplicas;
    }

    /** Read-eligible replicas in the local zone if there are any, else all read-eligible replicas; shared. */
    Node[] preferredReadArray() {
        return preferredReadReplicas;
    }

    @Override
    public String toString() {
        return "Topology{epoch=" + epoch + ", primary=" + (primary == null ? "none" : primary.address())
                + ", readable=" + Arrays.toString(addresses(readReplicas)) + ", nodes=" + nodes + '}';
    }

    private static NodeAddress[] addresses(Node[] nodes) {
        NodeAddress[] a = new NodeAddress[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            a[i] = nodes[i].address();
        }
        return a;
    }
}
