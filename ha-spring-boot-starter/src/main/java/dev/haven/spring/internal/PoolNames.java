package dev.haven.spring.internal;

import dev.haven.core.NodeAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names of the node pools the starter creates: {@code haven-<host>-<port>} ({@code haven-10.0.0.5-3306}), so that
 * JMX accepts them ({@code spring.datasource.hikari.register-mbeans=true}: an ObjectName value may not hold
 * {@code :}, {@code ,}, {@code =}, {@code *}, {@code ?} or quotes), with the node each stands for, for the
 * {@code node} tag of HikariCP's meters.
 */
public final class PoolNames {

    private static final Map<String, String> NODES = new ConcurrentHashMap<>();

    private PoolNames() {
    }

    /** The pool name of a node, remembered with the node. */
    public static String of(NodeAddress node) {
        String text = node.toString();
        StringBuilder name = new StringBuilder("haven-");
        for (char c : text.toCharArray()) {
            name.append(c == ':' || c == ',' || c == '=' || c == '*' || c == '?' || c == '"' || c == '\n' ? '-' : c);
        }
        String pool = name.toString();
        NODES.put(pool, text);
        return pool;
    }

    /** The node ({@code host:port}) a pool name stands for; {@code null} if it is none of Haven's. */
    public static String nodeOf(String pool) {
        String node = NODES.get(pool);
        if (node == null && pool.startsWith("haven-") && pool.indexOf(':') > 0) {
            return pool.substring("haven-".length()); // a pool named by ha-jdbc itself: haven-host:port
        }
        return node;
    }
}
