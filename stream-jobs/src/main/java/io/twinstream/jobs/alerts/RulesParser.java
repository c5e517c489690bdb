package io.twinstream.jobs.alerts;

import io.twinstream.jobs.metrics.WindowSize;
import io.twinstream.model.yaml.YamlField;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

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
        YamlField document = YamlField.read(source, yamlText, RuleException::new);
        YamlField list = document.field(document.mapping(TOP), "rules");
        if (!list.present()) {
            throw list.error("is required: a list of rules");
        }
        List<YamlField> items = list.sequence();
        if (items.isEmpty()) {
            throw list.error("is empty; an alerts job without rules raises nothing (device status still runs):"
                    + " give at least one rule");
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (YamlField item : items) {
            Rule rule = rule(item);
            if (!names.add(rule.name())) {
                throw item.error("the name " + rule.name() + " is used twice");
            }
            rules.add(rule);
        }
        return new RuleSet(rules);
    }

    private static Rule rule(YamlField item) {
        Map<String, YamlField> itemFields = item.mapping(RULE_FIELDS);
        YamlField nameField = item.field(itemFields, "name");
        String name = nameField.string();
        if (!NAME.matcher(name).matches()) {
            throw nameField.error("must be letters, digits, '-', '_' or '.', was " + name);
        }
        YamlField rule = item.named("rule " + name); // errors from here on name the rule
        Map<String, YamlField> fields = rule.mapping(RULE_FIELDS);
        YamlField matchField = rule.field(fields, "match");
        Map<String, YamlField> match = matchField.mapping(MATCH_FIELDS);
        String metric = matchField.field(match, "metric").string(null);
        if (metric == null || metric.isBlank()) {
            throw matchField.error("metric is required: which metric the rule watches");
        }
        com.google.re2j.Pattern deviceId = null;
        YamlField deviceIdField = matchField.field(match, "deviceId");
        if (deviceIdField.present()) {
            try {
                deviceId = com.google.re2j.Pattern.compile(deviceIdField.string());
            } catch (com.google.re2j.PatternSyntaxException e) {
                throw deviceIdField.error("not a regular expression RE2 accepts (no backreferences or lookaround): "
                        + e.getDescription());
            }
        }
        return new Rule(
                name,
                rule.field(fields, "severity").string("warning"),
                new Rule.Match(
                        matchField.field(match, "domain").string(null),
                        matchField.field(match, "site").string(null),
                        matchField.field(match, "deviceType").string(null),
                        deviceId,
                        metric),
                source(rule.field(fields, "value")),
                condition(rule, fields),
                rule.field(fields, "for").duration(Duration.ZERO, Duration.ZERO),
                rule.field(fields, "clearFor").duration(Duration.ZERO, Duration.ZERO),
                rule.field(fields, "message").string("{rule}: {device} {metric} {value} (threshold {threshold})"),
                during(rule.field(fields, "during"), rule.field(fields, "timezone")));
    }

    private static final Pattern DURING = Pattern.compile("(\\d{2}:\\d{2})\\s*-\\s*(\\d{2}:\\d{2})");

    /** {@code during: "22:00-06:00"} with an optional {@code timezone: Europe/Moscow} (default UTC). */
    private static Rule.During during(YamlField during, YamlField timezone) {
        if (!during.present()) {
            if (timezone.present()) {
                throw timezone.error("only goes with during");
            }
            return null;
        }
        String text = during.string();
        java.util.regex.Matcher m = DURING.matcher(text.trim());
        java.time.LocalTime from;
        java.time.LocalTime to;
        try {
            if (!m.matches()) {
                throw new java.time.format.DateTimeParseException("", "", 0);
            }
            from = java.time.LocalTime.parse(m.group(1));
            to = java.time.LocalTime.parse(m.group(2));
        } catch (java.time.format.DateTimeParseException e) {
            throw during.error("must be local times of day like \"22:00-06:00\", was '" + text + "'");
        }
        if (from.equals(to)) {
            throw during.error("from and to are the same time; leave during out for always");
        }
        java.time.ZoneId zone;
        try {
            zone = timezone.present() ? java.time.ZoneId.of(timezone.string()) : java.time.ZoneOffset.UTC;
        } catch (java.time.DateTimeException e) {
            throw timezone.error("not a time zone like Europe/Moscow or UTC, was '" + timezone.string() + "'");
        }
        return new Rule.During(from, to, zone);
    }

    private static Rule.Condition condition(YamlField rule, Map<String, YamlField> fields) {
        int given = (fields.containsKey("above") ? 1 : 0)
                + (fields.containsKey("below") ? 1 : 0)
                + (fields.containsKey("outside") ? 1 : 0);
        if (given != 1) {
            throw rule.error("needs exactly one of above, below, outside");
        }
        if (fields.containsKey("above")) {
            double above = number(rule.field(fields, "above"));
            double clearBelow = number(rule.field(fields, "clearBelow"), above);
            refuse(rule, fields, "clearAbove", "above");
            if (clearBelow > above) {
                throw rule.error("clearBelow (" + clearBelow + ") must not be above the threshold above (" + above
                        + "), or the alert would clear while it still holds");
            }
            return new Rule.Condition(
                    Rule.Condition.Kind.ABOVE, Double.NEGATIVE_INFINITY, above, Double.NEGATIVE_INFINITY, clearBelow);
        }
        if (fields.containsKey("below")) {
            double below = number(rule.field(fields, "below"));
            double clearAbove = number(rule.field(fields, "clearAbove"), below);
            refuse(rule, fields, "clearBelow", "below");
            if (clearAbove < below) {
                throw rule.error("clearAbove (" + clearAbove + ") must not be below the threshold below (" + below
                        + "), or the alert would clear while it still holds");
            }
            return new Rule.Condition(
                    Rule.Condition.Kind.BELOW, below, Double.POSITIVE_INFINITY, clearAbove, Double.POSITIVE_INFINITY);
        }
        YamlField outside = rule.field(fields, "outside");
        List<YamlField> range = outside.sequence();
        if (range.size() != 2) {
            throw outside.error("must be [low, high]");
        }
        double low = number(range.get(0));
        double high = number(range.get(1));
        if (!(low < high)) {
            throw outside.error("low (" + low + ") must be below high (" + high + ")");
        }
        double clearAbove = number(rule.field(fields, "clearAbove"), low);
        double clearBelow = number(rule.field(fields, "clearBelow"), high);
        if (clearAbove < low || clearBelow > high || !(clearAbove < clearBelow)) {
            throw rule.error("clearAbove (" + clearAbove + ") and clearBelow (" + clearBelow + ") must lie inside ["
                    + low + ", " + high + "], clearAbove below clearBelow");
        }
        return new Rule.Condition(Rule.Condition.Kind.OUTSIDE, low, high, clearAbove, clearBelow);
    }

    private static void refuse(YamlField rule, Map<String, YamlField> fields, String key, String kind) {
        if (fields.containsKey(key)) {
            throw rule.error(key + " does not go with " + kind + " (hysteresis runs the other way)");
        }
    }

    private static Rule.Source source(YamlField value) {
        String on = value.string("reading");
        if (on.equals("reading")) {
            return Rule.Source.READING;
        }
        String[] parts = on.trim().split("\\s+");
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
            throw value.error("must be 'reading' or '<10s|1m> <mean|min|max|sum|count>', was '" + on + "'");
        }
        return new Rule.Source(window, field);
    }

    /** A finite number. */
    private static double number(YamlField field) {
        return field.number(-Double.MAX_VALUE, Double.MAX_VALUE);
    }

    /** A finite number, or {@code otherwise} when the field is absent. */
    private static double number(YamlField field, double otherwise) {
        return field.number(-Double.MAX_VALUE, Double.MAX_VALUE, otherwise);
    }
}
