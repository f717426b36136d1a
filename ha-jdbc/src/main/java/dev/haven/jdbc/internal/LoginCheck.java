package dev.haven.jdbc.internal;

import dev.haven.core.HavenCluster;
import dev.haven.core.HavenConfig;
import dev.haven.core.HavenEvent;
import dev.haven.core.Health;
import dev.haven.core.Node;
import dev.haven.core.NodeAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A wrong user or password found at start, instead of every statement waiting {@code ha.failover.timeout} for a
 * primary that no login can reach.
 *
 * <ul>
 *   <li>The monitor's login (the application's, or {@code ha.admin.*} when set): when no node answered a probe and
 *       at least one refused the login (SQLState {@code 28000}), the start fails with SQLState {@code 28000}, naming
 *       the user and the nodes. A node that refused while others answered gets an
 *       {@link HavenEvent.Type#AUTHENTICATION_FAILED} event and no traffic (it never turns {@code UP}).</li>
 *   <li>The application's login, when the monitor logs in as someone else: one connection to each node the monitor
 *       found {@code UP}. Refused by all of them: the start fails likewise; by some: an event for each.</li>
 * </ul>
 * Never names a password.
 */
final class LoginCheck {

    private static final Logger log = LoggerFactory.getLogger(LoginCheck.class);
    static final String SQLSTATE = "28000";
    private static final int ACCESS_DENIED = 1045;

    private LoginCheck() {
    }

    static void atStart(HaUrl url, HavenCluster cluster, VendorNodeConnector monitoring) throws SQLException {
        HavenConfig config = url.config();
        Set<NodeAddress> refused = cluster.authenticationFailures();
        List<NodeAddress> up = new ArrayList<>();
        for (Node n : cluster.topology().nodes()) {
            if (n.health() == Health.UP) {
                up.add(n.address());
            }
        }
        String monitorKeys = config.adminUser() != null ? "ha.admin.user and ha.admin.password"
                : "the data source's user and password";
        if (up.isEmpty() && !refused.isEmpty()) {
            throw refusedEverywhere(monitoring.user(), refused, monitorKeys,
                    refused.size() < config.seeds().size() ? " (the other seeds did not answer)" : "");
        }
        if (config.adminUser() == null || (Objects.equals(config.adminUser(), url.user())
                && Objects.equals(config.adminPassword(), url.password()))) {
            return; // the application logs in as the monitor does, which worked
        }
        VendorNodeConnector application = VendorNodeConnector.create(url, url.user(), url.password());
        Set<NodeAddress> appRefused = new TreeSet<>();
        for (NodeAddress node : up) {
            try (Connection c = application.connect(node, config.connectTimeout(), config.probeTimeout())) {
                // the login works
            } catch (SQLException e) {
                if (SQLSTATE.equals(e.getSQLState()) || e.getErrorCode() == ACCESS_DENIED) {
                    appRefused.add(node);
                } else {
                    log.debug("Could not check the application's login on {}: SQLState {}, error {}", node,
                            e.getSQLState(), e.getErrorCode());
                }
            }
        }
        if (!up.isEmpty() && appRefused.size() == up.size()) {
            throw refusedEverywhere(url.user(), appRefused, "the data source's user and password", "");
        }
        for (NodeAddress node : appRefused) {
            cluster.state().emit(HavenEvent.Type.AUTHENTICATION_FAILED, node, null, null,
                    "the application's login" + (url.user() == null ? "" : " as '" + url.user() + "'")
                            + " was refused (SQLState 28000): check the data source's user and password for this node;"
                            + " statements routed to it fail");
        }
    }

    private static SQLException refusedEverywhere(String user, Set<NodeAddress> nodes, String keys, String note) {
        return new SQLInvalidAuthorizationSpecException("Access denied: the login"
                + (user == null ? " with no user" : " as '" + user + "'") + " was refused by " + nodes
                + note + " (SQLState 28000); check " + keys + ". Nothing can work with this login, so the data"
                + " source does not start.", SQLSTATE, ACCESS_DENIED);
    }
}
