package dev.haven.core;

import java.util.Locale;

/**
 * A server's network address: host name or IP literal, and TCP port.
 *
 * <p>Written as {@code host:port}; IPv6 literals go in brackets ({@code [::1]:3307}); the port
 * defaults to {@value #DEFAULT_PORT}. Host names are compared case-insensitively (they are
 * stored in lower case), so {@code DB1:3306} and {@code db1:3306} are the same node. Immutable.
 */
public final class NodeAddress implements Comparable<NodeAddress> {

    /** The MySQL and MariaDB default port, used when an address names no port. */
    public static final int DEFAULT_PORT = 3306;

    private final String host;
    private final int port;
    private final String text;

    private NodeAddress(String host, int port) {
        this.host = host;
        this.port = port;
        this.text = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * An address from its parts.
     *
     * @param host host name, IPv4 literal or IPv6 literal (without brackets)
     * @param port 1 to 65535
     * @throws IllegalArgumentException if the host is empty or malformed or the port out of range
     */
    public static NodeAddress of(String host, int port) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.indexOf(':') >= 0) {
            checkIpv6(host, h);
        } else {
            checkHostName(host, h);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
        }
        return new NodeAddress(h, port);
    }

    /**
     * Parses {@code host}, {@code host:port}, {@code [ipv6]} or {@code [ipv6]:port}; the port
     * defaults to {@value #DEFAULT_PORT}.
     *
     * @throws IllegalArgumentException with a message saying what is wrong and what is allowed
     */
    public static NodeAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no address given; expected host:port, e.g. db1:3306 or [::1]:3306");
        }
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty address; expected host:port, e.g. db1:3306 or [::1]:3306");
        }
        String host;
        String portText = null;
        if (s.charAt(0) == '[') {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + s + "' has no closing ']'; expected [ipv6]:port, e.g. [::1]:3306");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (rest.charAt(0) != ':') {
                    throw new IllegalArgumentException("'" + s + "' has text after ']' that is not ':port'");
                }
                portText = rest.substring(1);
            }
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("'" + s + "' looks like an IPv6 address; put it in brackets, e.g. [" + s + "]:3306");
            }
            host = colon < 0 ? s : s.substring(0, colon);
            portText = colon < 0 ? null : s.substring(colon + 1);
        }
        int port = DEFAULT_PORT;
        if (portText != null) {
            port = parsePort(s, portText);
        }
        try {
            return of(host, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + s + "': " + e.getMessage(), e);
        }
    }

    private static int parsePort(String whole, String portText) {
        if (portText.isEmpty() || portText.length() > 5) {
            throw new IllegalArgumentException("'" + whole + "' has no valid port; expected a number 1-65535");
        }
        int port = 0;
        for (int i = 0; i < portText.length(); i++) {
            char c = portText.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("'" + whole + "' has no valid port; expected a number 1-65535");
            }
            port = port * 10 + (c - '0');
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + whole + "' has port " + port + " out of range 1-65535");
        }
        return port;
    }

    private static void checkHostName(String original, String h) {
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
            if (!ok) {
                throw new IllegalArgumentException("host '" + original + "' contains '" + c + "'; allowed: letters, digits, '.', '-', '_'");
            }
        }
    }

    private static void checkIpv6(String original, String h) {
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            boolean ok = (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.';
            if (!ok) {
                throw new IllegalArgumentException("IPv6 address '" + original + "' contains '" + c + "'");
            }
        }
    }

    /** The host in lower case; an IPv6 literal without brackets. */
    public String host() {
        return host;
    }

    /** The TCP port. */
    public int port() {
        return port;
    }

    @Override
    public int compareTo(NodeAddress o) {
        int c = host.compareTo(o.host);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeAddress && ((NodeAddress) o).port == port && ((NodeAddress) o).host.equals(host);
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }

    /** {@code host:port}, or {@code [ipv6]:port}; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return text;
    }
}
