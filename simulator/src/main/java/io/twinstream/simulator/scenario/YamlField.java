package io.twinstream.simulator.scenario;

import io.twinstream.model.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One value of a scenario file with where it came from, so every error can say
 * {@code demo.yaml:12: sites[0].devices.cnc.count: must be at least 1, was 0}.
 * A missing field is a YamlField without a node; reading it gives the default or an error.
 */
final class YamlField {

    private final String file;
    private final String path;
    private final Node node;
    private final int line;

    YamlField(String file, String path, Node node, int line) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.line = node != null ? node.getStartMark().getLine() + 1 : line;
    }

    boolean present() {
        return node != null && !(node instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag()));
    }

    ScenarioException error(String message) {
        return new ScenarioException(file + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    /** The fields of a mapping; keys outside {@code allowed} are an error naming the allowed ones. */
    Map<String, YamlField> mapping(Set<String> allowed) {
        if (!(node instanceof MappingNode mapping)) {
            throw error("must be a mapping (key: value lines)");
        }
        Map<String, YamlField> fields = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(tuple.getKeyNode());
            YamlField field = new YamlField(file, child(key), tuple.getValueNode(), line);
            if (allowed != null && !allowed.contains(key)) {
                throw new YamlField(file, child(key), tuple.getKeyNode(), line)
                        .error("unknown field; expected one of " + String.join(", ", allowed));
            }
            if (fields.put(key, field) != null) {
                throw field.error("given twice");
            }
        }
        return fields;
    }

    /** A mapping whose keys are names chosen by the author (e.g. device types). */
    Map<String, YamlField> namedMapping() {
        return mapping(null);
    }

    List<YamlField> sequence() {
        if (!(node instanceof SequenceNode sequence)) {
            throw error("must be a list (lines starting with '- ')");
        }
        List<YamlField> items = new ArrayList<>();
        for (int i = 0; i < sequence.getValue().size(); i++) {
            items.add(new YamlField(
                    file, path + "[" + i + "]", sequence.getValue().get(i), line));
        }
        return items;
    }

    String string() {
        if (!present()) {
            throw error("is required");
        }
        if (!(node instanceof ScalarNode scalar)) {
            throw error("must be a single value, not a list or mapping");
        }
        return scalar.getValue();
    }

    String string(String defaultValue) {
        return present() ? string() : defaultValue;
    }

    long wholeNumber(long min, long max) {
        String text = string();
        try {
            long value = Long.parseLong(text.replace("_", ""));
            if (value < min || value > max) {
                throw error("must be between " + min + " and " + max + ", was " + text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw error("must be a whole number, was '" + text + "'");
        }
    }

    long wholeNumber(long min, long max, long defaultValue) {
        return present() ? wholeNumber(min, max) : defaultValue;
    }

    double number(double min, double max) {
        String text = string();
        try {
            double value = Double.parseDouble(text.replace("_", ""));
            if (!(value >= min && value <= max)) {
                throw error("must be between " + min + " and " + max + ", was " + text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw error("must be a number, was '" + text + "'");
        }
    }

    double number(double min, double max, double defaultValue) {
        return present() ? number(min, max) : defaultValue;
    }

    Duration duration(Duration min, Duration defaultValue) {
        if (!present()) {
            if (defaultValue == null) {
                throw error("is required (a duration like 10s, 5m, 2h)");
            }
            return defaultValue;
        }
        try {
            Duration value = Durations.parse(string());
            if (value.compareTo(min) < 0) {
                throw error("must be at least " + Durations.format(min) + ", was " + string());
            }
            return value;
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    String path() {
        return path;
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
