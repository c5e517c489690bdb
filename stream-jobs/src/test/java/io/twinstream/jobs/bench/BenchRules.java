package io.twinstream.jobs.bench;

import io.twinstream.jobs.alerts.Rule;
import io.twinstream.jobs.alerts.RuleSet;
import io.twinstream.jobs.alerts.RulesParser;
import io.twinstream.jobs.metrics.WindowSize;
import io.twinstream.model.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The alerts benchmark's 20 rules on the {@link BenchLoad} fleet (15 on raw readings, 5 on window
 * aggregates, over all four metrics, so that some devices cross each and some clear again), one more
 * rule that fires on the flush markers only (its alerts tell the benchmark
 * that every real reading has been evaluated), and an independent count of the transitions a
 * correct evaluation of them produces.
 */
final class BenchRules {

    static final String END_RULE = "bench-end";

    private BenchRules() {}

    /**
     * Thresholds near the top of each metric's range, so each rule fires for a few per cent of the
     * fleet (an alert storm would measure the sinks, not the evaluation); the rules whose values
     * cycle (o3, whose every device would raise and clear) watch the first 1,000 or 5,000 devices only.
     */
    static String yaml() {
        StringBuilder y = new StringBuilder("rules:\n");
        for (int i = 0; i < 6; i++) {
            y.append(raw("pm25-" + i, ALL, "pm25", "above: " + (105 + i) + ", clearBelow: " + (95 + i), "5s"));
        }
        for (int i = 0; i < 5; i++) {
            y.append(raw(
                    "pm10-" + i, ALL, "pm10", "above: " + (158 + 1.5 * i) + ", clearBelow: " + (140 + 1.5 * i), "3s"));
        }
        y.append(raw("no2-range", FIRST_5000, "no2", "outside: [28.5, 39.5], clearAbove: 30, clearBelow: 38", "10s"));
        y.append(raw("no2-low", FIRST_5000, "no2", "below: 28.5, clearAbove: 31", "2s"));
        y.append(raw("o3-high", FIRST_1000, "o3", "above: 70, clearBelow: 65", "3s"));
        y.append(raw("o3-peak", FIRST_1000, "o3", "above: 74, clearBelow: 72", "0s"));
        y.append(window("pm25-mean-1m", ALL, "pm25", "1m mean", "above: 100, clearBelow: 90", "1m"));
        y.append(window("pm10-max-10s", ALL, "pm10", "10s max", "above: 160, clearBelow: 150", "20s"));
        y.append(window("no2-min-1m", FIRST_5000, "no2", "1m min", "below: 28.5, clearAbove: 30", "0s"));
        y.append(window("o3-mean-10s", FIRST_1000, "o3", "10s mean", "above: 68, clearBelow: 64", "10s"));
        y.append(window("pm25-count-10s", ALL, "pm25", "10s count", "below: 5, clearAbove: 8", "0s"));
        y.append("  - { name: ")
                .append(END_RULE)
                .append(", severity: info, match: { deviceId: \"")
                .append(BenchLoad.MARKER_PREFIX)
                .append(".*\", metric: pm25 }, below: 2, for: 0s }\n");
        return y.toString();
    }

    private static final String ALL = "aq-.*";
    private static final String FIRST_5000 = "aq-00[0-4].*";
    private static final String FIRST_1000 = "aq-000.*";

    private static String raw(String name, String devices, String metric, String condition, String holdFor) {
        return window(name, devices, metric, "reading", condition, holdFor);
    }

    private static String window(
            String name, String devices, String metric, String value, String condition, String holdFor) {
        return "  - { name: " + name + ", severity: warning, match: { deviceType: " + BenchLoad.DEVICE_TYPE
                + ", deviceId: \"" + devices + "\", metric: " + metric + " }, value: " + value + ", " + condition
                + ", for: " + holdFor + " }\n";
    }

    static RuleSet rules() {
        return RulesParser.parse("bench-rules.yaml", yaml());
    }

    /** The transitions of the real devices' readings (each once, in order), counted independently of the job. */
    static long expectedTransitions(BenchLoad load) {
        RuleSet rules = rules();
        long transitions = 0;
        for (int d = 0; d < load.devices(); d++) {
            List<Reading> readings = new ArrayList<>(load.readingsPerDevice());
            for (int k = 0; k < load.readingsPerDevice(); k++) {
                readings.add(load.reading(d, k));
            }
            Reading first = readings.get(0);
            for (Rule rule : rules.rules()) {
                if (!rule.match().matches(first.domain(), first.site(), first.deviceType(), first.deviceId())) {
                    continue;
                }
                int m = List.of(BenchLoad.METRICS).indexOf(rule.match().metric());
                transitions += rule.on().raw() ? raw(rule, readings, m) : windowed(rule, readings, m);
            }
        }
        return transitions;
    }

    private static long raw(Rule rule, List<Reading> readings, int metric) {
        Machine machine = new Machine(rule);
        for (Reading r : readings) {
            machine.step(r.ts(), r.ts(), r.metricValues()[metric]);
        }
        return machine.transitions;
    }

    private static long windowed(Rule rule, List<Reading> readings, int metric) {
        WindowSize size = rule.on().window();
        Machine machine = new Machine(rule);
        long start = Long.MIN_VALUE;
        List<Double> values = new ArrayList<>();
        for (Reading r : readings) {
            long s = size.startOf(r.ts());
            if (s != start && !values.isEmpty()) {
                machine.step(start, start + size.length().toMillis(), aggregate(rule, values));
                values.clear();
            }
            start = s;
            values.add(r.metricValues()[metric]);
        }
        machine.step(start, start + size.length().toMillis(), aggregate(rule, values));
        return machine.transitions;
    }

    private static double aggregate(Rule rule, List<Double> values) {
        return switch (rule.on().field().name().toLowerCase(Locale.ROOT)) {
            case "mean" ->
                values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            case "min" -> values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            case "max" -> values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            case "sum" -> values.stream().mapToDouble(Double::doubleValue).sum();
            default -> values.size();
        };
    }

    /**
     * The documented semantics: raised once the condition held for {@code for}, cleared once the clear
     * condition held for {@code clearFor}.
     */
    private static final class Machine {
        final Rule rule;
        boolean raised;
        long since = -1;
        long transitions;

        Machine(Rule rule) {
            this.rule = rule;
        }

        void step(long from, long to, double value) {
            boolean holds =
                    raised ? rule.condition().cleared(value) : rule.condition().breached(value);
            if (!holds) {
                since = -1;
                return;
            }
            if (since < 0) {
                since = from;
            }
            long needed = (raised ? rule.clearFor() : rule.holdFor()).toMillis();
            if (to - since >= needed) {
                raised = !raised;
                since = -1;
                transitions++;
            }
        }
    }
}
