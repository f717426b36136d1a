package dev.haven.core;

/** Small factory of node snapshots for tests. */
final class TestNodes {

    private final ClusterState state;

    TestNodes(ClusterState state) {
        this.state = state;
    }

    Node.Builder node(String address) {
        return Node.builder(state.statsFor(NodeAddress.parse(address)));
    }

    Node primary(String address) {
        return node(address).role(Role.PRIMARY).health(Health.UP).build();
    }

    Node replica(String address) {
        return node(address).role(Role.REPLICA).health(Health.UP).replicating(true).lagMillis(0).build();
    }

    Node replica(String address, String zone) {
        return node(address).role(Role.REPLICA).health(Health.UP).replicating(true).lagMillis(0).zone(zone).build();
    }
}
