package dev.haven.core.internal.discovery;

import dev.haven.core.ServerState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/** The variables every discovery reads first: identity, software, writability. */
final class BaseState {

    final long serverId;
    final String version;
    final ServerState.Flavor flavor;
    final boolean readOnly;

    private BaseState(long serverId, String version, boolean readOnly) {
        this.serverId = serverId;
        this.version = version;
        this.flavor = ServerStateParser.flavor(version);
        this.readOnly = readOnly;
    }

    static BaseState read(Connection connection) throws SQLException {
        Map<String, String> row = Rows.single(connection,
                "SELECT @@server_id AS server_id, @@version AS version, @@read_only AS read_only");
        return of(row);
    }

    static BaseState of(Map<String, String> row) {
        return new BaseState(Rows.getLong(row, 0, "server_id"), row.get("version"), Rows.getFlag(row, "read_only"));
    }

    /** Whether this is MySQL (not MariaDB) of at least the given version. */
    boolean atLeastMysql(int major, int minor, int patch) {
        if (flavor != ServerState.Flavor.MYSQL || version == null) {
            return false;
        }
        int[] parts = new int[3];
        int index = 0;
        int value = 0;
        boolean digits = false;
        for (int i = 0; i < version.length() && index < 3; i++) {
            char c = version.charAt(i);
            if (Character.isDigit(c)) {
                value = value * 10 + (c - '0');
                digits = true;
            } else {
                if (digits) {
                    parts[index++] = value;
                }
                value = 0;
                digits = false;
                if (c != '.') {
                    break;
                }
            }
        }
        if (digits && index < 3) {
            parts[index] = value;
        }
        if (parts[0] != major) {
            return parts[0] > major;
        }
        if (parts[1] != minor) {
            return parts[1] > minor;
        }
        return parts[2] >= patch;
    }
}
