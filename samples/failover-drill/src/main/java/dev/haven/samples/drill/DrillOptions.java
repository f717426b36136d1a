package dev.haven.samples.drill;

import dev.haven.jdbc.internal.HaUrl;
import java.nio.file.Path;
import java.sql.SQLException;
import dev.haven.testkit.campaign.FaultMix;
import dev.haven.testkit.campaign.Schedule;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * The drill's command line, checked.
 *
 * @param external the cluster given by {@code --url}, or null: the drill starts a local cluster per run
 */
record DrillOptions(List<Scenario> scenarios, List<Client> clients, boolean promote, int runs, Path json, Path html,
                    long promoteAfterMillis, long healAfterMillis, External external, Map<String, String> settings,
                    Random random) {

    /**
     * The {@code random} scenario's options: the first seed (run i uses seed + i - 1), the fault mix, how long
     * schedules are, how many {@code HaDataSource}s share the workload in the drill's failover mode, and how many
     * more follow them in observe mode ({@code followers}: application instances that never promote, beside
     * instances that do).
     */
    record Random(long seed, FaultMix mix, Schedule.Settings schedule, String scheduleName, int dataSources,
                  int followers) {
        static final Random DEFAULT = new Random(1, FaultMix.FULL, Schedule.Settings.DEFAULT, "default", 1, 0);
    }

    static final String USAGE = "options: --server " + String.join("|", serverIds()) + " (default mariadb-11.4),"
            + " --scenario " + String.join("|", Scenario.ids()) + " (or a comma list),"
            + " --client " + String.join("|", Client.ids()) + " (or a comma list, or all),"
            + " --failover observe|promote (Haven's mode), --runs N, --json PATH, --html PATH,"
            + " --promote-after MILLIS (the orchestrator's delay, default 1000),"
            + " --heal-after MILLIS (partition-app-only, default 3000), --set ha.KEY=VALUE (repeatable, Haven only);"
            + " with --scenario random: --seed N (run i uses N+i-1), --mix full|ci|kind:role,...,"
            + " --schedule default|short, --data-sources N, --followers N (that many more in observe mode beside"
            + " promoting ones), and Haven in promote mode unless --failover observe"
            + " (then the drill plays the orchestrator: it powers off a primary silent for --promote-after ms and"
            + " promotes the most advanced replica);"
            + " or, on a running cluster: --url jdbc:ha:mysql://...|jdbc:ha:mariadb://... --user U"
            + " [--password-env VAR] [--admin-user U --admin-password-env VAR] [--duration SECONDS]"
            + " [--runs N] [--json PATH] [--html PATH]";

    /** Options only the local-cluster mode has: the drill injects the fault and plays the orchestrator there. */
    private static final List<String> LOCAL_ONLY = List.of("--server", "--scenario", "--failover", "--promote-after",
            "--heal-after", "--seed", "--mix", "--schedule", "--data-sources", "--followers");
    /** Options only the random scenario has. */
    private static final List<String> RANDOM_ONLY = List.of("--seed", "--mix", "--schedule", "--data-sources",
            "--followers");
    /** Options only the {@code --url} mode has. */
    private static final List<String> URL_ONLY = List.of("--user", "--password-env", "--admin-user",
            "--admin-password-env", "--duration");
    static final int MAX_DURATION_SECONDS = 3600;

    /**
     * A running cluster given by {@code --url}: the operator injects the fault by hand while the drill runs.
     * Passwords are not here: only the names of the environment variables holding them.
     *
     * @param url              the {@code jdbc:ha:} URL, used as given (it may hold secrets: never print it)
     * @param user             the application's user
     * @param passwordEnv      the environment variable holding its password, or null for none
     * @param adminUser        the user {@code maxWritableNodes} is sampled with, or null: the application's
     * @param adminPasswordEnv the environment variable holding the admin password, or null
     * @param durationSeconds  how long the workload runs
     * @param failover         the URL's {@code ha.failover}, for reports
     */
    record External(String url, String user, String passwordEnv, String adminUser, String adminPasswordEnv,
                    int durationSeconds, String failover) {

        @Override
        public String toString() {
            return "External[url=" + FailoverDrill.mask(url) + ", user=" + user + ", passwordEnv=" + passwordEnv
                    + ", adminUser=" + adminUser + ", adminPasswordEnv=" + adminPasswordEnv + ", durationSeconds="
                    + durationSeconds + "]";
        }
    }

    private static List<String> serverIds() {
        List<String> ids = new java.util.ArrayList<>();
        for (dev.haven.testkit.ServerFlavor flavor : dev.haven.testkit.ServerFlavor.values()) {
            ids.add(flavor.id());
        }
        return ids;
    }

    static DrillOptions parse(String[] args) {
        List<Scenario> scenarios = List.of(Scenario.KILL_PRIMARY);
        List<Client> clients = List.of(Client.HAVEN);
        boolean promote = false;
        int runs = 1;
        Path json = Path.of("target", "failover-drill.json");
        Path html = Path.of("target", "failover-drill.html");
        long promoteAfter = 1000;
        long healAfter = 3000;
        String url = null;
        String user = null;
        String passwordEnv = null;
        String adminUser = null;
        String adminPasswordEnv = null;
        int duration = 60;
        Map<String, String> settings = new LinkedHashMap<>();
        long seed = Random.DEFAULT.seed();
        FaultMix mix = Random.DEFAULT.mix();
        Schedule.Settings schedule = Random.DEFAULT.schedule();
        String scheduleName = Random.DEFAULT.scheduleName();
        int dataSources = Random.DEFAULT.dataSources();
        int followers = Random.DEFAULT.followers();
        Set<String> given = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--password") || option.equals("--admin-password")) {
                throw new IllegalArgumentException(option + " is not available: a password on the command line"
                        + " shows in the process list and the shell history; put it in an environment variable and"
                        + " name it with " + option + "-env VAR");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("'" + option + "' needs a value; " + USAGE);
            }
            String value = args[++i];
            given.add(option);
            switch (option) {
                // The local clusters' server: the test kit's haven.server, which LocalCluster.builder() starts with.
                case "--server" -> System.setProperty("haven.server",
                        dev.haven.testkit.ServerFlavor.fromId(value).id());
                case "--scenario" -> scenarios = Scenario.parseList(value);
                case "--client" -> clients = Client.parseList(value);
                case "--failover" -> promote = switch (value) {
                    case "observe" -> false;
                    case "promote" -> true;
                    default -> throw new IllegalArgumentException("--failover: '" + value
                            + "' is not available; allowed: observe, promote");
                };
                case "--runs" -> runs = positive(option, value, 1);
                case "--json" -> json = Path.of(value);
                case "--html" -> html = Path.of(value);
                case "--promote-after" -> promoteAfter = positive(option, value, 0);
                case "--heal-after" -> healAfter = positive(option, value, 0);
                case "--url" -> url = value;
                case "--user" -> user = value;
                case "--password-env" -> passwordEnv = envName(option, value);
                case "--admin-user" -> adminUser = value;
                case "--admin-password-env" -> adminPasswordEnv = envName(option, value);
                case "--duration" -> duration = positive(option, value, 1);
                case "--set" -> setting(value, settings);
                case "--seed" -> seed = seed(value);
                case "--mix" -> mix = FaultMix.parse(value);
                case "--schedule" -> {
                    scheduleName = value;
                    schedule = switch (value) {
                        case "default" -> Schedule.Settings.DEFAULT;
                        case "short" -> Schedule.Settings.SHORT;
                        default -> throw new IllegalArgumentException("--schedule: '" + value
                                + "' is not available; allowed: default (about 30 s of workload), short (about 20 s)");
                    };
                }
                case "--data-sources" -> dataSources = positive(option, value, 1);
                case "--followers" -> followers = positive(option, value, 0);
                default -> throw new IllegalArgumentException("unknown option '" + option + "'; " + USAGE);
            }
        }
        External external = null;
        if (url != null) {
            external = external(url, user, passwordEnv, adminUser, adminPasswordEnv, duration, clients, given);
            scenarios = List.of(Scenario.MANUAL);
        } else {
            for (String option : URL_ONLY) {
                if (given.contains(option)) {
                    throw new IllegalArgumentException(option + " is for a running cluster given by --url only;"
                            + " without --url the drill starts a local cluster of its own");
                }
            }
        }
        if (scenarios.contains(Scenario.RANDOM)) {
            if (!clients.equals(List.of(Client.HAVEN))) {
                throw new IllegalArgumentException("--scenario random runs through HaDataSource: it runs with"
                        + " --client haven only");
            }
            if (scenarios.size() > 1) {
                throw new IllegalArgumentException("--scenario random runs alone: its runs are seeded fault"
                        + " schedules, not one fault; give the other scenarios in another drill");
            }
            // Promote by default: Haven replaces a lost primary itself. With --failover observe the drill plays the
            // external orchestrator Haven follows (after --promote-after ms of a silent primary).
            promote = !given.contains("--failover") || promote;
            if (followers > 0 && !promote) {
                throw new IllegalArgumentException("--followers: '" + followers + "' needs Haven in promote mode:"
                        + " followers are observe-mode instances beside promoting ones, and with --failover observe"
                        + " every instance already follows; use --data-sources N for more of them");
            }
        } else {
            for (String option : RANDOM_ONLY) {
                if (given.contains(option)) {
                    throw new IllegalArgumentException(option + " is for --scenario random only");
                }
            }
        }
        if (!settings.isEmpty() && !clients.contains(Client.HAVEN)) {
            throw new IllegalArgumentException("--set passes ha.* settings to Haven; add --client haven");
        }
        if (scenarios.contains(Scenario.SWITCHOVER) && !clients.equals(List.of(Client.HAVEN))) {
            throw new IllegalArgumentException("--scenario switchover is HaDataSource.switchover: it runs with"
                    + " --client haven only");
        }
        return new DrillOptions(List.copyOf(scenarios), List.copyOf(clients), promote, runs, json, html, promoteAfter,
                healAfter, external, Collections.unmodifiableMap(settings),
                new Random(seed, mix, schedule, scheduleName, dataSources, followers));
    }

    private static External external(String url, String user, String passwordEnv, String adminUser,
                                     String adminPasswordEnv, int duration, List<Client> clients, Set<String> given) {
        for (String option : LOCAL_ONLY) {
            if (given.contains(option)) {
                throw new IllegalArgumentException(option + " is not available with --url: "
                        + switch (option) {
                            case "--scenario" -> "the drill injects no fault on a cluster it did not start; inject"
                                    + " it by hand (kill the primary, say) while the drill runs and prints its"
                                    + " progress";
                            case "--failover" -> "Haven's failover mode is the URL's own ha.failover"
                                    + " (observe by default, or ha.failover=promote with ha.admin.user and"
                                    + " ha.admin.password)";
                            default -> "the drill plays no orchestrator and heals nothing on a cluster it did"
                                    + " not start";
                        });
            }
        }
        for (Client client : clients) {
            if (client != Client.HAVEN) {
                throw new IllegalArgumentException("--client: '" + client.id + "' is not available with --url;"
                        + " allowed: haven (the peers' replication URLs need the cluster's host list in their own"
                        + " format, primary first, which the drill cannot build for a cluster it did not start)");
            }
        }
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("jdbc:ha:mysql://") && !lower.startsWith("jdbc:ha:mariadb://")) {
            // the URL may hold a password: quote only its start
            throw new IllegalArgumentException("--url: expected jdbc:ha:mysql://host[:port][,host[:port]...]/database"
                    + "[?key=value&...] or jdbc:ha:mariadb://..., not '"
                    + url.substring(0, Math.min(url.length(), Math.max(0, url.indexOf("://")) + 3)) + "...'");
        }
        HaUrl parsed;
        try {
            parsed = HaUrl.parse(url, new Properties());
        } catch (SQLException e) {
            throw new IllegalArgumentException("--url: " + e.getMessage(), e); // Haven's messages never quote secrets
        }
        if (parsed.database() == null) {
            throw new IllegalArgumentException("--url: name the database the drill's table goes in, as in"
                    + " jdbc:ha:mariadb://db1,db2,db3/app");
        }
        if (user == null) {
            throw new IllegalArgumentException("--url needs --user U: the application's user (its password from"
                    + " --password-env VAR, an environment variable)");
        }
        if ((adminUser == null) != (adminPasswordEnv == null)) {
            throw new IllegalArgumentException("--admin-user and --admin-password-env go together: the user that"
                    + " samples maxWritableNodes, and the environment variable holding its password");
        }
        if (duration > MAX_DURATION_SECONDS) {
            throw new IllegalArgumentException("--duration: '" + duration + "' is not allowed; allowed: 1 to "
                    + MAX_DURATION_SECONDS + " seconds");
        }
        return new External(url, user, passwordEnv, adminUser, adminPasswordEnv, duration,
                parsed.config().failover().name().toLowerCase(Locale.ROOT));
    }

    /** {@code --set ha.KEY=VALUE}: checked by Haven itself when the data source starts. */
    private static void setting(String value, Map<String, String> settings) {
        int eq = value.indexOf('=');
        if (eq <= 0 || !value.toLowerCase(Locale.ROOT).startsWith("ha.")) {
            // the value may be a password: name the key only
            throw new IllegalArgumentException("--set: expected ha.KEY=VALUE, e.g. --set ha.replay=on, not '"
                    + (eq > 0 ? value.substring(0, eq) + "=..." : value) + "'");
        }
        String key = value.substring(0, eq);
        try {
            dev.haven.core.HavenConfig.builder().set(key, value.substring(eq + 1)); // before any cluster starts
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--set: " + e.getMessage(), e);
        }
        settings.put(key, value.substring(eq + 1));
    }

    private static long seed(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--seed: '" + value + "' is not allowed; allowed: a whole number");
        }
    }

    private static String envName(String option, String value) {
        if (!value.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException(option + " takes the name of an environment variable (letters,"
                    + " digits, _), not the password itself");
        }
        return value;
    }

    private static int positive(String option, String value, int min) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(option + ": '" + value + "' is not allowed; allowed: a whole number, "
                + min + " or more");
    }
}
