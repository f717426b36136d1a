package dev.haven.spring;

import dev.haven.core.HavenConfig;
import dev.haven.spring.internal.PropertyNames;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Renders, from Haven's table of settings alone, the Spring Boot metadata that the configuration processor cannot
 * know (descriptions, defaults, hints) and the configuration reference {@code docs/configuration.md}.
 * {@link ConfigurationSourceTest} checks the files in the repository against it, and rewrites them on request.
 */
final class ConfigurationReference {

    private ConfigurationReference() {
    }

    /** The Java type of a setting's Spring Boot property. */
    static Class<?> propertyType(HavenConfig.Setting setting) {
        Class<?> value = setting.valueType();
        if (value == Long.class) {
            return setting.type().equals("int") ? Integer.class : Long.class;
        }
        if (value == Map.class) {
            return String.class; // written as the URL writes it: db1:3306=eu-1a,db2:3306=eu-1b
        }
        return value;
    }

    private static String metadataDescription(HavenConfig.Setting setting) {
        return setting.description() + " Haven's " + setting.key() + "; allowed: " + setting.allowedValues() + ".";
    }

    /** {@code META-INF/additional-spring-configuration-metadata.json}. */
    static String metadataJson() {
        StringBuilder properties = new StringBuilder();
        StringBuilder hints = new StringBuilder();
        for (HavenConfig.Setting setting : HavenConfig.settings()) {
            String name = PropertyNames.propertyOf(setting.key());
            if (name == null) {
                continue;
            }
            properties.append(properties.length() == 0 ? "" : ",\n").append("    {\n")
                    .append("      \"name\": ").append(json(name)).append(",\n")
                    .append("      \"type\": ").append(json(propertyType(setting).getName())).append(",\n")
                    .append("      \"description\": ").append(json(metadataDescription(setting)));
            String def = setting.defaultValue();
            if (def != null && !def.isEmpty()) {
                properties.append(",\n      \"defaultValue\": ").append(jsonDefault(setting, def));
            }
            properties.append("\n    }");
            if (!setting.choices().isEmpty()) {
                hints.append(hints.length() == 0 ? "" : ",\n").append("    {\n")
                        .append("      \"name\": ").append(json(name)).append(",\n")
                        .append("      \"values\": [\n");
                List<String> choices = setting.choices();
                for (int i = 0; i < choices.size(); i++) {
                    hints.append("        {\n          \"value\": ").append(json(choices.get(i))).append("\n        }")
                            .append(i + 1 < choices.size() ? ",\n" : "\n");
                }
                hints.append("      ]\n    }");
            }
        }
        return "{\n  \"properties\": [\n" + properties + "\n  ],\n  \"hints\": [\n" + hints + "\n  ]\n}\n";
    }

    private static String jsonDefault(HavenConfig.Setting setting, String def) {
        Class<?> type = propertyType(setting);
        if (type == Boolean.class || type == Integer.class || type == Long.class) {
            return def;
        }
        return json(def);
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    /** {@code docs/configuration.md}. */
    static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Configuration reference\n\n")
                .append("<!-- Generated from Haven's table of settings (ha-core, dev.haven.core.internal.ConfigKey) by\n")
                .append("     ha-spring-boot-starter's ConfigurationSourceTest, which fails when this file differs from the\n")
                .append("     table. Do not edit by hand: change ConfigKey, then rewrite this file with\n")
                .append("     ").append(ConfigurationSourceTest.REWRITE_HINT).append(" -->\n\n")
                .append("Each setting is written one of three ways:\n\n")
                .append("- as a parameter of the JDBC URL: `jdbc:ha:mysql://db1:3306,db2:3306/app?ha.maxReplicaLag=2s`;\n")
                .append("- in code: `HavenConfig.builder().set(\"ha.maxReplicaLag\", \"2s\")`, the typed setters of\n")
                .append("  `HavenConfig.Builder`, or `HaDataSource.setSetting(\"ha.maxReplicaLag\", \"2s\")`;\n")
                .append("- with the Spring Boot starter, as a property: `haven.max-replica-lag=2s`, which wins over the URL's\n")
                .append("  parameter. The URL's host list is `ha.seeds`, which has no property.\n\n")
                .append("Durations are a whole number with unit `ms`, `s`, `m` or `h` (`500ms`, `2s`). The Spring Boot\n")
                .append("properties are typed (`java.time.Duration`, enums, `Boolean`, `Integer`, `Long`), so they also take\n")
                .append("Spring Boot's formats: `PT2S`, or a bare number of milliseconds (`2000`). Enumerated values are written\n")
                .append("in kebab-case (`round-robin`); upper case and underscores are accepted too. A value outside what is\n")
                .append("allowed is refused with a message naming the key, the value and what is allowed; passwords are\n")
                .append("never shown. Rules that tie settings together (`ha.deadAfter` longer than `ha.suspectAfter`,\n")
                .append("`ha.lagHysteresis` shorter than `ha.maxReplicaLag`, ...) are checked when the configuration is built.\n\n")
                .append("| URL key | Spring Boot property | Type | Default | Allowed | Description |\n")
                .append("|---|---|---|---|---|---|\n");
        for (HavenConfig.Setting setting : HavenConfig.settings()) {
            String property = PropertyNames.propertyOf(setting.key());
            String def = setting.defaultValue();
            String type = setting.type() + (setting.unit().isEmpty() || setting.unit().equals("duration") ? ""
                    : " (" + setting.unit() + ")");
            md.append("| `").append(setting.key()).append("` | ")
                    .append(property == null ? "(the URL's hosts)" : "`" + property + "`").append(" | ")
                    .append(cell(type)).append(" | ")
                    .append(def == null ? (setting.required() ? "required" : "none") : def.isEmpty() ? "empty" : "`" + def + "`")
                    .append(" | ").append(cell(setting.allowedValues()))
                    .append(" | ").append(cell(setting.description())).append(" |\n");
        }
        return md.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    static boolean isDuration(HavenConfig.Setting setting) {
        return setting.valueType() == Duration.class;
    }
}
