package io.twinstream.jobs.alerts;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An immutable set of rules, indexed by the metric they watch. */
public final class RuleSet implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<Rule> rules;
    private final Map<String, List<Rule>> byMetric = new HashMap<>();

    public RuleSet(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        for (Rule rule : this.rules) {
            byMetric.computeIfAbsent(rule.match().metric(), m -> new ArrayList<>())
                    .add(rule);
        }
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The rules watching {@code metric}, in file order; empty if none. */
    public List<Rule> forMetric(String metric) {
        return byMetric.getOrDefault(metric, List.of());
    }

    public Rule named(String name) {
        for (Rule rule : rules) {
            if (rule.name().equals(name)) {
                return rule;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return rules.size() + " rules " + rules.stream().map(Rule::name).toList();
    }
}
