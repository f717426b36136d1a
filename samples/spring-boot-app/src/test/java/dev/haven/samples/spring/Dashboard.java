package dev.haven.samples.spring;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of a Grafana dashboard: every panel target's {@code expr} and every query variable's {@code query}, with
 * the metric names and the exact-match label selectors ({@code name{label="value"}}) they use.
 */
record Dashboard(List<String> expressions) {

    /** A metric with the labels an expression requires exactly ({@code =} matchers without Grafana variables). */
    record Selector(String metric, Map<String, String> labels) {
    }

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "offset", "and", "or", "unless", "inf", "nan");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\\w:])");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)\\s*\"([^\"]*)\"");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

    static Dashboard read(Path file) throws IOException {
        String json = Files.readString(file);
        List<String> expressions = new ArrayList<>();
        expressions.addAll(JsonPath.<List<String>>read(json, "$..targets[*].expr"));
        for (Object query : JsonPath.<List<Object>>read(json, "$.templating.list[?(@.type == 'query')].query")) {
            // Grafana writes a variable's query as a string or as {"query": "...", ...}
            expressions.add(query instanceof Map<?, ?> m ? String.valueOf(m.get("query")) : String.valueOf(query));
        }
        return new Dashboard(expressions);
    }

    /** Every metric name the expressions use. */
    Set<String> metricNames() {
        Set<String> names = new LinkedHashSet<>();
        for (String expr : expressions) {
            Matcher lv = LABEL_VALUES.matcher(expr);
            if (lv.find()) {
                names.add(lv.group(1)); // label_values(metric, label): the label is not a metric
                continue;
            }
            String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // strings
                    .replaceAll("\\{[^}]*}", " ")                                 // label matchers
                    .replaceAll("\\[[^]]*]", " ");                                // ranges
            bare = LABEL_LIST.matcher(bare).replaceAll(" ");                      // by (node, state) ...
            Matcher m = IDENTIFIER.matcher(bare);
            while (m.find()) {
                String word = m.group(1);
                int next = m.end();
                while (next < bare.length() && Character.isWhitespace(bare.charAt(next))) {
                    next++;
                }
                boolean function = next < bare.length() && bare.charAt(next) == '(';
                if (!function && !KEYWORDS.contains(word.toLowerCase())) {
                    names.add(word);
                }
            }
        }
        return names;
    }

    /** Every selector with exact label matchers, e.g. {@code haven_node_health{state="up"}}. */
    List<Selector> exactSelectors() {
        List<Selector> selectors = new ArrayList<>();
        for (String expr : expressions) {
            Matcher s = SELECTOR.matcher(expr);
            while (s.find()) {
                Map<String, String> labels = new LinkedHashMap<>();
                Matcher m = MATCHER.matcher(s.group(2));
                while (m.find()) {
                    if (m.group(2).equals("=") && !m.group(3).contains("$")) {
                        labels.put(m.group(1), m.group(3));
                    }
                }
                if (!labels.isEmpty()) {
                    selectors.add(new Selector(s.group(1), labels));
                }
            }
        }
        return selectors;
    }
}
