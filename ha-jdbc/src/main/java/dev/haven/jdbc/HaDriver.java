package dev.haven.jdbc;

import dev.haven.core.HavenConfig;
import dev.haven.jdbc.internal.ClusterContext;
import dev.haven.jdbc.internal.HaUrl;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The {@code jdbc:ha:} driver, for any pool or framework that takes a JDBC URL:
 * {@code jdbc:ha:mysql://db1,db2,db3/app?ha.maxReplicaLag=2s} or {@code jdbc:ha:mariadb://...}.
 *
 * <p>Every connection opened with the same URL and credentials shares one cluster context (topology, monitor,
 * per-node pools): a HikariCP pool of {@code jdbc:ha:} connections runs one monitor, not one per connection. The
 * context is counted by its open connections and closed {@value #LINGER_SECONDS} seconds after the last one
 * closes, so that open-use-close patterns do not restart monitoring each time, and no thread outlives its last
 * connection for long.
 */
public final class HaDriver implements Driver {

    static final long LINGER_SECONDS = 5;

    private static final Map<String, Shared> contexts = new HashMap<>();
    private static final ScheduledThreadPoolExecutor reaper = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "haven-driver-reaper");
        t.setDaemon(true);
        return t;
    });

    static {
        reaper.setKeepAliveTime(1, TimeUnit.SECONDS);
        reaper.allowCoreThreadTimeOut(true);
        reaper.setRemoveOnCancelPolicy(true);
        try {
            DriverManager.registerDriver(new HaDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One cluster context and the number of open connections using it. */
    private static final class Shared {
        final ClusterContext context;
        int connections;
        ScheduledFuture<?> closing;

        Shared(ClusterContext context) {
            this.context = context;
        }
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null; // JDBC: another driver's URL
        }
        HaUrl parsed = HaUrl.parse(url, info == null ? new Properties() : info);
        String key = key(url, parsed, info);
        Shared shared;
        synchronized (contexts) {
            shared = contexts.get(key);
            if (shared == null) {
                shared = new Shared(ClusterContext.open(parsed, poolSettings(info)));
                contexts.put(key, shared);
            }
            shared.connections++;
            if (shared.closing != null) {
                shared.closing.cancel(false);
                shared.closing = null;
            }
        }
        Shared owner = shared;
        return shared.context.connect(() -> release(key, owner));
    }

    private static void release(String key, Shared shared) {
        synchronized (contexts) {
            if (--shared.connections == 0) {
                shared.closing = reaper.schedule(() -> closeIfUnused(key, shared), LINGER_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    private static void closeIfUnused(String key, Shared shared) {
        synchronized (contexts) {
            if (shared.connections != 0 || contexts.get(key) != shared) {
                return;
            }
            contexts.remove(key);
        }
        shared.context.close();
    }

    /** Cluster contexts open now, for tests. */
    static int openContexts() {
        synchronized (contexts) {
            return contexts.size();
        }
    }

    /** HikariCP settings for the per-node pools, given as {@code ha.pool.<hikariProperty>} properties. */
    private static Properties poolSettings(Properties info) {
        Properties pool = new Properties();
        if (info != null) {
            for (String name : info.stringPropertyNames()) {
                if (name.startsWith("haPool.")) {
                    pool.setProperty(name.substring("haPool.".length()), info.getProperty(name));
                }
            }
        }
        return pool;
    }

    /** Connections share a context when URL and credentials match; the password is kept only as a digest. */
    private static String key(String url, HaUrl parsed, Properties info) throws SQLException {
        String password = info == null ? null : info.getProperty("password");
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((password == null ? "" : password).getBytes(StandardCharsets.UTF_8));
            return url + '\u0000' + parsed.user() + '\u0000' + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new SQLException("SHA-256 is not available", e);
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && HaUrl.accepts(url);
    }

    /** Haven's {@code ha.*} settings, with their defaults and descriptions; the vendor's own are not listed. */
    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        List<HavenConfig.Setting> settings = HavenConfig.settings();
        DriverPropertyInfo[] result = new DriverPropertyInfo[settings.size()];
        for (int i = 0; i < result.length; i++) {
            HavenConfig.Setting s = settings.get(i);
            DriverPropertyInfo p = new DriverPropertyInfo(s.key(),
                    info != null && info.getProperty(s.key()) != null && !s.secret() ? info.getProperty(s.key())
                            : s.defaultValue());
            p.description = s.description() + (s.unit() == null || s.unit().isEmpty() ? "" : " Unit: " + s.unit() + ".");
            p.required = s.required();
            List<String> choices = s.choices();
            p.choices = choices == null || choices.isEmpty() ? null : choices.toArray(new String[0]);
            result[i] = p;
        }
        return result;
    }

    @Override
    public int getMajorVersion() {
        return 0;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    /** Not JDBC compliant in the certification sense: it delegates SQL to the vendor driver unchanged. */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("Haven logs through SLF4J");
    }
}
