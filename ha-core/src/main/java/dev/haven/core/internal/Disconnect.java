package dev.haven.core.internal;

import java.lang.reflect.Field;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a vendor connection off from its server without waiting on the network, so that a thread blocked in a
 * statement or commit on it fails at once with a communication error.
 *
 * <p>Per driver, measured against a frozen server (SIGSTOP) with a thread waiting in {@code executeUpdate}:
 * MariaDB Connector/J 3.5's {@code abort} sees the connection busy and first opens a new connection to send
 * {@code KILL}, in the calling thread (on a frozen server that waits the connect timeout), then its socket close
 * reads from the socket under the lock the blocked writer holds: without a socket timeout it did not return at all
 * ({@code DisconnectIT}). Its socket is therefore closed directly (found by reflection; where that is not allowed, for example a
 * driver module that does not open its package, {@code abort} runs on the executor instead). mysql-connector-j's
 * {@code abort} only hands a forced close of the socket to the executor, which happens at once.
 */
public final class Disconnect {

    private static final Logger log = LoggerFactory.getLogger(Disconnect.class);

    private Disconnect() {
    }

    /** Cuts the connection off; never blocks on the network, never throws. */
    public static void cutOff(Connection c, Executor executor) {
        if (closeMariaDbSocket(c)) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    c.abort(executor);
                } catch (SQLException | RuntimeException e) {
                    log.debug("Aborting a connection failed", e);
                }
            });
        } catch (RuntimeException e) {
            log.debug("Could not abort a connection (the executor is shut down)", e);
        }
    }

    /** A new daemon thread per task, named {@code name}: for aborts, which are rare. */
    public static Executor threads(String name) {
        return task -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            t.start();
        };
    }

    private static boolean closeMariaDbSocket(Connection c) {
        if (!c.getClass().getName().startsWith("org.mariadb.jdbc.")) {
            return false;
        }
        try {
            Object client = field(c, "client", null);
            Object socket = client == null ? null : field(client, null, Socket.class);
            if (!(socket instanceof Socket)) {
                return false;
            }
            ((Socket) socket).close();
            return true;
        } catch (ReflectiveOperationException | RuntimeException | java.io.IOException e) {
            return false;
        }
    }

    private static Object field(Object target, String name, Class<?> type) throws ReflectiveOperationException {
        for (Class<?> k = target.getClass(); k != null; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (name != null ? f.getName().equals(name) : type.isAssignableFrom(f.getType())) {
                    f.setAccessible(true);
                    return f.get(target);
                }
            }
        }
        return null;
    }
}
