package io.twinstream.jobs.alerts;

import io.twinstream.jobs.metrics.WindowSize;
import io.twinstream.model.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a rules file (YAML) into a {@link RuleSet}, or refuses it whole with a message that names the
 * rule and the field: a job given a bad file keeps its last good rule set.
 *
 * <pre>
 * rules:
 *   - name: pm25-high
 *     severity: warning
 *     match: { domain: city, deviceType: air-quality, metric: pm25 }   # also site, deviceId (a regex)
 *     above: 50            # or below: X, or outside: [lo, hi]
 *     for: 5m              # event time the condition must hold (default 0s)
 *     clearBelow: 35       # hysteresis (default: the threshold); clearAbove for below / outside
 *     clearFor: 1m         # default 0s
 *     value: reading       # or a window aggregate: "1m mean", "10s max", …
 *     message: "{device}: PM2.5 {value} above {threshold}"
 * </pre>
 */
public final class RulesParser {

    private static final Set<String> TOP = Set.of("rules");
    private static final Set<String> RULE_FIELDS = Set.of(
            "name",
            "severity",
            "match",
            "above",
            "below",
            "outside",
            "for",
            "clearBelow",
            "clearAbove",
            "clearFor",
            "value",
            "message",
            "during",
            "timezone");
    private static final Set<String> MATCH_FIELDS = Set.of("domain", "site", "deviceType", "deviceId", "metric");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    private RulesParser() {}

    /** @param source what to call the text in messages, e.g. the file name */
    public static RuleSet parse(String source, String yamlText) {
        Object document;
        try {
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yamlText);
        } catch (YAMLException e) {
            throw new RuleException(source + ": not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        Map<String, Object> top = mapping(source, "", document, TOP);
        List<Rule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Object list = top.get("rules");
        if (!(list instanceof List<?> items)) {
            throw new RuleException(source + ": rules: must be a list of rules");
        }
        if (items.isEmpty()) {
            throw new RuleException(source + ": rules: is empty; an alerts job without rules raises nothing (device"
                    + " status still runs): give at least one rule");
        }
        for (int i = 0; i < items.size(); i++) {
            Rule rule = rule(source, "rules[" + i + "]", items.get(i));
            if (!names.add(rule.name())) {
                throw new RuleException(source + ": rules[" + i + "]: the name " + rule.name() + " is used twice");
            }
            rules.add(rule);
        }
        return new RuleSet(rules);
    }

    private static Rule rule(String source, String path, Object node) {
        Map<String, Object> fields = mapping(source, path, node, RULE_FIELDS);
        String name = text(source, path, fields, "name", null);
        if (name == null || !NAME.matcher(name).matches()) {
            throw new RuleException(
                    source + ": " + path + ".name: must be letters, digits, '-', '_' or '.', was " + name);
        }
        String where = source + ": rule " + name + ": ";
        Map<String, Object> matchFields = mapping(source, path + ".match", fields.get("match"), MATCH_FIELDS);
        String metric = (String) matchFields.get("metric");
        if (metric == null || metric.isBlank()) {
            throw new RuleException(where + "match.metric is required: which metric the rule watches");
        }
        com.google.re2j.Pattern deviceId = null;
        if (matchFields.get("deviceId") != null) {
            try {
                deviceId = com.google.re2j.Pattern.compile(String.valueOf(matchFields.get("deviceId")));
            } catch (com.google.re2j.PatternSyntaxException e) {
                throw new RuleException(
                        where + "match.deviceId: not a regular expression RE2 accepts (no backreferences"
                                + " or lookaround): " + e.getDescription());
            }
        }
        Rule.Match match = new Rule.Match(
                str(matchFields.get("domain")),
                str(matchFields.get("site")),
                str(matchFields.get("deviceType")),
                deviceId,
                metric);
        Rule.Condition condition = condition(where, fields);
        return new Rule(
                name,
                text(source, path, fields, "severity", "warning"),
                match,
                source(where, fields.get("value")),
                condition,
                duration(where, "for", fields.get("for")),
                duration(where, "clearFor", fields.get("clearFor")),
                text(source, path, fields, "message", "{rule}: {device} {metric} {value} (threshold {threshold})"),
                during(where, fields.get("during"), fields.get("timezone")));
    }

    private static final Pattern DURING = Pattern.compile("(\\d{2}:\\d{2})\\s*-\\s*(\\d{2}:\\d{2})");

    /** {@code during: "22:00-06:00"} with an optional {@code timezone: Europe/Moscow} (default UTC). */
    private static Rule.During during(String where, Object during, Object timezone) {
        if (during == null) {
            if (timezone != null) {
                throw new RuleException(where + "timezone: only goes with during");
            }
            return null;
        }
        java.util.regex.Matcher m = DURING.matcher(String.valueOf(during).trim());
        java.time.LocalTime from;
        java.time.LocalTime to;
        try {
            if (!m.matches()) {
                throw new java.time.format.DateTimeParseException("", "", 0);
            }
            from = java.time.LocalTime.parse(m.group(1));
            to = java.time.LocalTime.parse(m.group(2));
        } catch (java.time.format.DateTimeParseException e) {
            throw new RuleException(
                    where + "during: must be local times of day like \"22:00-06:00\", was '" + during + "'");
        }
        if (from.equals(to)) {
            throw new RuleException(where + "during: from and to are the same time; leave during out for always");
        }
        java.time.ZoneId zone;
        try {
            zone = timezone == null ? java.time.ZoneOffset.UTC : java.time.ZoneId.of(String.valueOf(timezone));
        } catch (java.time.DateTimeException e) {
            throw new RuleException(
                    where + "timezone: not a time zone like Europe/Moscow or UTC, was '" + timezone + "'");
        }
        return new Rule.During(from, to, zone);
    }

    private static Rule.Condition condition(String where, Map<String, Object> fields) {
        int given = (fields.containsKey("above") ? 1 : 0)
                + (fields.containsKey("below") ? 1 : 0)
                + (fields.containsKey("outside") ? 1 : 0);
        if (given != 1) {
            throw new RuleException(where + "needs exactly one of above, below, outside");
        }
        if (fields.containsKey("above")) {
            double above = number(where, "above", fields.get("above"));
            double clearBelow = number(where, fields, "clearBelow", above);
            refuse(where, fields, "clearAbove", "above");
            if (clearBelow > above) {
                throw new RuleException(
                        where + "clearBelow (" + clearBelow + ") must not be above the threshold above (" + above
                                + "), or the alert would clear while it still holds");
            }
            return new Rule.Condition(
                    Rule.Condition.Kind.ABOVE, Double.NEGATIVE_INFINITY, above, Double.NEGATIVE_INFINITY, clearBelow);
        }
        if (fields.containsKey("below")) {
            double below = number(where, "below", fields.get("below"));
            double clearAbove = number(where, fields, "clearAbove", below);
            refuse(where, fields, "clearBelow", "below");
            if (clearAbove < below) {
                throw new RuleException(
                        where + "clearAbove (" + clearAbove + ") must not be below the threshold below (" + below
                                + "), or the alert would clear while it still holds");
            }
            return new Rule.Condition(
                    Rule.Condition.Kind.BELOW, below, Double.POSITIVE_INFINITY, clearAbove, Double.POSITIVE_INFINITY);
        }
        if (!(fields.get("outside") instanceof List<?> range) || range.size() != 2) {
            throw new RuleException(where + "outside must be [low, high]");
        }
        double low = number(where, "outside[0]", range.get(0));
        double high = number(where, "outside[1]", range.get(1));
        if (!(low < high)) {
            throw new RuleException(where + "outside: low (" + low + ") must be below high (" + high + ")");
        }
        double clearAbove = number(where, fields, "clearAbove", low);
        double clearBelow = number(where, fields, "clearBelow", high);
        if (clearAbove < low || clearBelow > high || !(clearAbove < clearBelow)) {
            throw new RuleException(where + "clearAbove (" + clearAbove + ") and clearBelow (" + clearBelow
                    + ") must lie inside [" + low + ", " + high + "], clearAbove below clearBelow");
        }
        return new Rule.Condition(Rule.Condition.Kind.OUTSIDE, low, high, clearAbove, clearBelow);
    }

    private static void refuse(String where, Map<String, Object> fields, String key, String kind) {
        if (fields.containsKey(key)) {
            throw new RuleException(where + key + " does not go with " + kind + " (hysteresis runs the other way)");
        }
    }

    private static Rule.Source source(String where, Object on) {
        if (on == null || "reading".equals(on)) {
            return Rule.Source.READING;
        }
        String[] parts = String.valueOf(on).trim().split("\\s+");
        WindowSize window = parts.length == 2 ? WindowSize.fromTag(parts[0]) : null;
        Rule.Source.Field field = null;
        if (parts.length == 2) {
            for (Rule.Source.Field f : Rule.Source.Field.values()) {
                if (f.name().toLowerCase(Locale.ROOT).equals(parts[1])) {
                    field = f;
                }
            }
        }
        if (window == null || field == null) {
            throw new RuleException(
                    where + "value: must be 'reading' or '<10s|1m> <mean|min|max|sum|count>', was '" + on + "'");
        }
        return new Rule.Source(window, field);
    }

    private static Duration duration(String where, String key, Object value) {
        if (value == null) {
            return Duration.ZERO;
        }
        try {
            return Durations.parse(String.valueOf(value));
        } catch (IllegalArgumentException e) {
            throw new RuleException(
                    where + key + ": must be a duration like " + Durations.EXAMPLES + ", was '" + value + "'");
        }
    }

    /** The number under {@code key}, or {@code otherwise} when the key is absent. */
    private static double number(String where, Map<String, Object> fields, String key, double otherwise) {
        return fields.containsKey(key) ? number(where, key, fields.get(key)) : otherwise;
    }

    private static double number(String where, String key, Object value) {
        if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw new RuleException(where + key + ": must be a number, was '" + value + "'");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapping(String source, String path, Object node, Set<String> allowed) {
        if (!(node instanceof Map<?, ?> map)) {
            throw new RuleException(
                    source + ": " + (path.isEmpty() ? "" : path + ": ") + "must be a mapping (key: value)");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getKey() instanceof Boolean) {
                throw new RuleException(source + ": " + path + ": a key YAML reads as true or false (on, off, yes, no):"
                        + " quote it, or for the watched value write value:");
            }
            String key = String.valueOf(e.getKey());
            if (!allowed.contains(key)) {
                throw new RuleException(source + ": " + (path.isEmpty() ? "" : path + ".") + key
                        + ": unknown field; expected one of " + new java.util.TreeSet<>(allowed));
            }
            fields.put(key, e.getValue());
        }
        return fields;
    }

    private static String text(String source, String path, Map<String, Object> fields, String key, String otherwise) {
        Object value = fields.get(key);
        if (value == null) {
            return otherwise;
        }
        if (value instanceof Map || value instanceof List) {
            throw new RuleException(source + ": " + path + "." + key + ": must be text");
        }
        return String.valueOf(value);
    }

    private static String str(Object value) {
        return value == null ? null : String.valueOf(value);
    }
}
