package dev.haven.core.internal.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.NodeAddress;
import dev.haven.core.Role;
import dev.haven.core.ServerState;
import dev.haven.core.ServerState.Peer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Group Replication parsing on rows laid out as {@code performance_schema.replication_group_members} documents
 * them (MySQL 8.0/8.4: CHANNEL_NAME, MEMBER_ID, MEMBER_HOST, MEMBER_PORT, MEMBER_STATE, MEMBER_ROLE, ...).
 */
class GroupReplicationDiscoveryTest {

    private static final String UUID_1 = "aaaaaaaa-0000-11ef-8000-000000000001";
    private static final String UUID_2 = "aaaaaaaa-0000-11ef-8000-000000000002";
    private static final String UUID_3 = "aaaaaaaa-0000-11ef-8000-000000000003";

    private static Map<String, String> row(String... keysAndValues) {
        Map<String, String> row = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

    private static Map<String, String> member(String uuid, String host, String state, String role) {
        return row("CHANNEL_NAME", "group_replication_applier", "MEMBER_ID", uuid, "MEMBER_HOST", host,
                "MEMBER_PORT", "3306", "MEMBER_STATE", state, "MEMBER_ROLE", role, "MEMBER_VERSION", "8.4.3",
                "MEMBER_COMMUNICATION_STACK", "MYSQL");
    }

    private static final List<Map<String, String>> GROUP = List.of(
            member(UUID_1, "gr1", "ONLINE", "PRIMARY"),
            member(UUID_2, "gr2", "ONLINE", "SECONDARY"),
            member(UUID_3, "gr3", "RECOVERING", "SECONDARY"));

    private static ServerState probeOf(String uuid, String readOnly) {
        BaseState base = BaseState.of(row("server_id", "2", "version", "8.4.3", "read_only", readOnly));
        Map<String, String> self = row("server_uuid", uuid, "super_read_only", readOnly, "pos", UUID_1 + ":1-77");
        return GroupReplicationDiscovery.fromRows(NodeAddress.of("gr" + uuid.charAt(uuid.length() - 1), 3306),
                base, self, GROUP);
    }

    @Test
    void thePrimaryMemberIsThePrimary() {
        ServerState state = probeOf(UUID_1, "0");
        assertThat(state.role()).isEqualTo(Role.PRIMARY);
        assertThat(state.routable()).isTrue();
        assertThat(state.readOnly()).isFalse();
        assertThat(state.replication()).isNull();
        assertThat(state.gtidPosition()).isEqualTo(UUID_1 + ":1-77");
    }

    @Test
    void anOnlineSecondaryIsAReplicatingReplicaOfThePrimary() {
        ServerState state = probeOf(UUID_2, "1");
        assertThat(state.role()).isEqualTo(Role.REPLICA);
        assertThat(state.routable()).isTrue();
        assertThat(state.replication().sourceHost()).isEqualTo("gr1");
        assertThat(state.replication().isReplicating()).isTrue();
    }

    @Test
    void aRecoveringMemberIsNotRoutable() {
        ServerState state = probeOf(UUID_3, "1");
        assertThat(state.role()).isEqualTo(Role.REPLICA);
        assertThat(state.routable()).isFalse();
        assertThat(state.replication().isReplicating()).isFalse();
    }

    @Test
    void everyMemberIsAPeerWithItsRoleAndState() {
        assertThat(probeOf(UUID_2, "1").peers()).containsExactly(
                new Peer(NodeAddress.of("gr1", 3306), 0, Role.PRIMARY, true),
                new Peer(NodeAddress.of("gr2", 3306), 0, Role.REPLICA, true),
                new Peer(NodeAddress.of("gr3", 3306), 0, Role.REPLICA, false));
    }

    @Test
    void aMemberMissingFromTheGroupHasNoRole() {
        ServerState state = probeOf("bbbbbbbb-0000-11ef-8000-000000000009", "1");
        assertThat(state.role()).isEqualTo(Role.UNKNOWN);
        assertThat(state.routable()).isFalse();
    }
}
