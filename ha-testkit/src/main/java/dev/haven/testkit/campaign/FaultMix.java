package dev.haven.testkit.campaign;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which faults, on which roles, a schedule may draw. {@link #FULL} is everything; {@link #CI} is the part of the mix
 * on which every invariant holds without a fencing agent (the checker is never weakened: a mix is narrowed
 * instead).
 *
 * <p>Given as text: {@code full}, {@code ci}, or a comma list of {@code kind:role} entries such as
 * {@code kill:primary,lag:replica} (a bare kind means every role it has).
 */
public record FaultMix(String name, List<Entry> entries) {

    /** One kind of fault on one role. */
    public record Entry(FaultKind kind, FaultKind.TargetRole role) {
        @Override
        public String toString() {
            return kind.id + ":" + role.id();
        }
    }

    /** Every fault on every role it applies to. */
    public static final FaultMix FULL = of("full", EnumSet.allOf(FaultKind.class));

    /**
     * Faults on replicas, and a slow network anywhere: the part of the mix on which every invariant holds even
     * without a fencing agent (a replaced primary thawed or healed can be found writable for an instant otherwise;
     * see docs/fault-campaign.md). CI runs {@link #FULL} with an agent.
     */
    public static final FaultMix CI = parse("ci", "kill:replica,freeze:replica,restart:replica,lag:replica,"
            + "partition:replica,slow-network:replica,slow-network:primary,exhaust-connections:replica");

    private static FaultMix of(String name, Set<FaultKind> kinds) {
        List<Entry> entries = new ArrayList<>();
        for (FaultKind kind : kinds) {
            for (FaultKind.TargetRole role : kind.roles) {
                entries.add(new Entry(kind, role));
            }
        }
        return new FaultMix(name, List.copyOf(entries));
    }

    /** {@code full}, {@code ci}, or a comma list of {@code kind[:role]}. */
    public static FaultMix parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "full" -> FULL;
            case "ci" -> CI;
            default -> parse(t, t);
        };
    }

    private static FaultMix parse(String name, String text) {
        List<Entry> entries = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String[] kr = p.split(":", 2);
            FaultKind kind = Arrays.stream(FaultKind.values()).filter(k -> k.id.equals(kr[0])).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("fault mix: '" + kr[0] + "' is not a fault;"
                            + " allowed: full, ci, or a comma list of kind[:role] with kind one of "
                            + Arrays.stream(FaultKind.values()).map(k -> k.id).toList()));
            List<FaultKind.TargetRole> roles;
            if (kr.length == 1) {
                roles = new ArrayList<>(kind.roles);
            } else {
                FaultKind.TargetRole role = Arrays.stream(FaultKind.TargetRole.values())
                        .filter(r -> r.id().equals(kr[1])).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("fault mix: '" + kr[1] + "' in '" + p
                                + "' is not a role; allowed: primary, replica"));
                if (!kind.roles.contains(role)) {
                    throw new IllegalArgumentException("fault mix: '" + p + "' is not available: " + kind.id
                            + " applies to " + kind.roles.stream().map(FaultKind.TargetRole::id).toList());
                }
                roles = List.of(role);
            }
            for (FaultKind.TargetRole role : roles) {
                Entry e = new Entry(kind, role);
                if (!entries.contains(e)) {
                    entries.add(e);
                }
            }
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("fault mix: '" + text + "' names no fault; allowed: full, ci, or a"
                    + " comma list of kind[:role]");
        }
        return new FaultMix(name, List.copyOf(entries));
    }

    @Override
    public String toString() {
        return name.equals("full") || name.equals("ci") ? name + " " + entries : entries.toString();
    }
}
