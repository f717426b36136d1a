package dev.haven.jdbc.internal;

import com.mysql.cj.MysqlConnection;
import com.mysql.cj.protocol.ServerSessionStateController;
import com.mysql.cj.protocol.ServerSessionStateController.ServerSessionStateChanges;
import com.mysql.cj.protocol.ServerSessionStateController.SessionStateChange;
import dev.haven.core.internal.AcknowledgedWrites;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The GTID of a commit, from the commit's own OK packet, through MySQL Connector/J's session state tracking: no
 * round trip. Loaded only for {@code jdbc:ha:mysql:} URLs (Connector/J is an optional dependency).
 *
 * <p>What the driver and the servers allow (read from Connector/J 9.x and MariaDB Connector/J 3.5.x):
 * <ul>
 *   <li>Connector/J with {@code trackSessionState=true} asks for the session-tracking capability and keeps the
 *       session state changes of the last OK packet, exposed by
 *       {@link MysqlConnection#getServerSessionStateController()}. MySQL with
 *       {@code session_track_gtids=OWN_GTID} puts the GTID of the session's commit there
 *       ({@code SESSION_TRACK_GTIDS}); MariaDB, which has no GTID tracker, reports its {@code last_gtid} variable
 *       when it is listed in {@code session_track_system_variables} ({@code SESSION_TRACK_SYSTEM_VARIABLES}).</li>
 *   <li>MariaDB Connector/J 3.5 parses the same section but keeps only the variables it uses itself (character
 *       set, isolation, auto-increment, connection id, redirect URL) and skips {@code SESSION_TRACK_GTIDS}: nothing
 *       of it reaches the application, so with it the guard reads the GTID with a query ({@link ClusterContext}).</li>
 * </ul>
 *
 * <p>Implementation notes: runs after every acknowledged write commit. Reading the last OK packet's changes walks the
 * driver's list by index (no iterator) and hands the driver's string to {@link AcknowledgedWrites#record}, which
 * parses it in place: nothing is allocated here. The driver itself allocates its parsed changes whenever an OK packet
 * carries any (measured by {@code CommitCaptureBench}).
 */
final class OkPacketGtids {

    /** The setting names, for the connection setup and messages. */
    static final String DRIVER_PROPERTY = "trackSessionState";

    private OkPacketGtids() {
    }

    /**
     * Records the GTID(s) the last OK packet on {@code raw} (the commit's) carried, if any.
     *
     * @return false when this connection does not track the session state ({@code trackSessionState=false} in the
     *         URL): the caller must read the GTID another way
     */
    static boolean record(Connection raw, AcknowledgedWrites into) throws SQLException {
        MysqlConnection c = raw.unwrap(MysqlConnection.class);
        if (!c.getSession().getServerSession().isSessionStateTrackingEnabled()) {
            return false;
        }
        ServerSessionStateController controller = c.getServerSessionStateController();
        ServerSessionStateChanges changes = controller == null ? null : controller.getSessionStateChanges();
        if (changes == null) {
            return true;
        }
        List<SessionStateChange> list = changes.getSessionStateChangesList();
        for (int i = 0, n = list.size(); i < n; i++) {
            SessionStateChange change = list.get(i);
            List<String> values = change.getValues();
            if (change.getType() == ServerSessionStateController.SESSION_TRACK_GTIDS && !values.isEmpty()) {
                into.record(values.get(0));
            } else if (change.getType() == ServerSessionStateController.SESSION_TRACK_SYSTEM_VARIABLES
                    && values.size() == 2 && "last_gtid".equals(values.get(0))) {
                into.record(values.get(1));
            }
        }
        return true;
    }

    /**
     * Asks the server of a new physical connection to report each commit's GTID in its OK packet. One statement per
     * physical connection, when the pool opens it; never per commit.
     */
    static void enable(Connection c) throws SQLException {
        if (!c.unwrap(MysqlConnection.class).getSession().getServerSession().isSessionStateTrackingEnabled()) {
            // trackSessionState=false in the URL, or a server without the capability: no OK packet carries a GTID.
            throw new SQLException("the driver does not track the session state (" + DRIVER_PROPERTY
                    + "=false in the URL?)", "0A000");
        }
        boolean mariaDb = c.getMetaData().getDatabaseProductVersion().toLowerCase(java.util.Locale.ROOT)
                .contains("mariadb");
        try (Statement s = c.createStatement()) {
            if (mariaDb) {
                // Keep what is tracked already (the driver's and the server's defaults), add last_gtid.
                s.execute("SET SESSION session_track_system_variables = IF(@@SESSION.session_track_system_variables"
                        + " = '*' OR FIND_IN_SET('last_gtid', @@SESSION.session_track_system_variables), "
                        + "@@SESSION.session_track_system_variables, CONCAT_WS(',', NULLIF("
                        + "@@SESSION.session_track_system_variables, ''), 'last_gtid'))");
            } else {
                s.execute("SET SESSION session_track_gtids = OWN_GTID");
            }
        }
    }
}
