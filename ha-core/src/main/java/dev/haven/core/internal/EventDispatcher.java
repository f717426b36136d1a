package dev.haven.core.internal;

import dev.haven.core.HavenEvent;
import dev.haven.core.HavenEventListener;
import dev.haven.core.NodeAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;

/**
 * Logs events and hands them to listeners.
 *
 * <p>Implementation notes: listeners live in a copy-on-write array read without a lock; the
 * message is built only if the event's log level is enabled or a listener exists, and the event
 * object only if a listener exists. Listener failures are logged and swallowed.
 */
public final class EventDispatcher {

    /** The logger of every event, so that one line of logging configuration controls them all. */
    public static final String LOGGER_NAME = "dev.haven.events";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);
    private static final HavenEventListener[] NONE = new HavenEventListener[0];

    private final Clock clock;
    private volatile HavenEventListener[] listeners = NONE;

    public EventDispatcher(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public synchronized void addListener(HavenEventListener listener) {
        Objects.requireNonNull(listener, "listener");
        HavenEventListener[] copy = Arrays.copyOf(listeners, listeners.length + 1);
        copy[copy.length - 1] = listener;
        listeners = copy;
    }

    public synchronized void removeListener(HavenEventListener listener) {
        HavenEventListener[] current = listeners;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == listener) {
                HavenEventListener[] copy = new HavenEventListener[current.length - 1];
                System.arraycopy(current, 0, copy, 0, i);
                System.arraycopy(current, i + 1, copy, i, current.length - i - 1);
                listeners = copy;
                return;
            }
        }
    }

    /**
     * Logs the event at its level and delivers it to listeners.
     *
     * @param detail extra words for the message, {@code null} for none; never credentials
     */
    public void emit(HavenEvent.Type type, NodeAddress address, String oldValue, String newValue, String detail) {
        HavenEventListener[] current = listeners;
        boolean logged = isLogged(type);
        if (!logged && current.length == 0) {
            return;
        }
        String message = describe(type, address, oldValue, newValue, detail);
        if (logged) {
            log(type, message);
        }
        if (current.length == 0) {
            return;
        }
        HavenEvent event = new HavenEvent(type, address, oldValue, newValue, clock.instant(), message);
        for (HavenEventListener l : current) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("Event listener {} failed on {}", l, type, e);
            }
        }
    }

    static String describe(HavenEvent.Type type, NodeAddress address, String oldValue, String newValue, String detail) {
        StringBuilder sb = new StringBuilder();
        if (address != null) {
            sb.append(address).append(' ');
        }
        switch (type) {
            case NODE_UP: sb.append("is UP"); break;
            case NODE_SUSPECT: sb.append("is SUSPECT"); break;
            case NODE_DOWN: sb.append("is DOWN"); break;
            case ROLE_CHANGED: sb.append("changed role"); break;
            case LAG_OVER: sb.append("stopped serving reads"); break;
            case LAG_UNDER: sb.append("serves reads again"); break;
            case TOPOLOGY_CHANGED: sb.append("topology changed"); break;
            case FAILOVER_STARTED: sb.append("failover started"); break;
            case FAILOVER_FINISHED: sb.append("failover finished"); break;
            case PROMOTED: sb.append("promoted to primary"); break;
            case FENCED: sb.append("fenced"); break;
            case FAILOVER_REFUSED: sb.append("failover refused"); break;
            case AUTHENTICATION_FAILED: sb.append("refused the login"); break;
            case CONFIGURATION_WARNING: sb.append("configuration warning"); break;
            case REPLAY_STARTED: sb.append("replaying an interrupted transaction"); break;
            case REPLAY_SUCCEEDED: sb.append("replayed an interrupted transaction"); break;
            case REPLAY_MISMATCH: sb.append("replay did not match"); break;
            case COMMIT_OUTCOME_RESOLVED: sb.append("resolved an interrupted commit"); break;
            default: sb.append(type); break;
        }
        if (oldValue != null || newValue != null) {
            sb.append(" (").append(oldValue == null ? "new" : oldValue).append(" -> ").append(newValue).append(')');
        }
        if (detail != null) {
            sb.append(": ").append(detail);
        }
        return sb.toString();
    }

    private static boolean isLogged(HavenEvent.Type type) {
        switch (type) {
            case NODE_DOWN:
            case ROLE_CHANGED:
            case FAILOVER_STARTED:
            case PROMOTED:
            case FENCED:
            case FAILOVER_REFUSED:
            case AUTHENTICATION_FAILED:
            case CONFIGURATION_WARNING:
            case REPLAY_MISMATCH:
                return LOG.isWarnEnabled();
            case TOPOLOGY_CHANGED:
                return LOG.isDebugEnabled();
            default:
                return LOG.isInfoEnabled();
        }
    }

    private static void log(HavenEvent.Type type, String message) {
        switch (type) {
            case NODE_DOWN:
            case ROLE_CHANGED:
            case FAILOVER_STARTED:
            case PROMOTED:
            case FENCED:
            case FAILOVER_REFUSED:
            case AUTHENTICATION_FAILED:
            case CONFIGURATION_WARNING:
            case REPLAY_MISMATCH:
                LOG.warn("{} {}", type, message);
                break;
            case TOPOLOGY_CHANGED:
                LOG.debug("{} {}", type, message);
                break;
            default:
                LOG.info("{} {}", type, message);
                break;
        }
    }
}
