package dev.haven.samples.drill;

import java.nio.file.Path;
import java.util.List;

/** The drill's command line, checked. */
record DrillOptions(List<Scenario> scenarios, List<Client> clients, boolean promote, int runs, Path json, Path html,
                    long promoteAfterMillis, long healAfterMillis) {

    static final String USAGE = "options: --scenario " + String.join("|", Scenario.ids()) + " (or a comma list),"
            + " --client " + String.join("|", Client.ids()) + " (or a comma list, or all),"
            + " --failover observe|promote (Haven's mode), --runs N, --json PATH, --html PATH,"
            + " --promote-after MILLIS (the orchestrator's delay, default 1000),"
            + " --heal-after MILLIS (partition-app-only, default 3000)";

    static DrillOptions parse(String[] args) {
        List<Scenario> scenarios = List.of(Scenario.KILL_PRIMARY);
        List<Client> clients = List.of(Client.HAVEN);
        boolean promote = false;
        int runs = 1;
        Path json = Path.of("target", "failover-drill.json");
        Path html = Path.of("target", "failover-drill.html");
        long promoteAfter = 1000;
        long healAfter = 3000;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("'" + option + "' needs a value; " + USAGE);
            }
            String value = args[++i];
            switch (option) {
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
                default -> throw new IllegalArgumentException("unknown option '" + option + "'; " + USAGE);
            }
        }
        if (scenarios.contains(Scenario.SWITCHOVER) && !clients.equals(List.of(Client.HAVEN))) {
            throw new IllegalArgumentException("--scenario switchover is HaDataSource.switchover: it runs with"
                    + " --client haven only");
        }
        return new DrillOptions(List.copyOf(scenarios), List.copyOf(clients), promote, runs, json, html, promoteAfter,
                healAfter);
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
