package io.twinstream.model.yaml;

import io.twinstream.model.Durations;
import java.io.Reader;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One value of a YAML file with where it came from, so every error can say
 * {@code demo.yaml:12: sites[0].devices.cnc.count: must be at least 1, was 0}: how Twinstream reads
 * its YAML files (the simulator's scenarios, the alerts job's rules). The file is composed into
 * SnakeYAML's nodes, never constructed into objects, so a value is read as its text, with the type
 * the reader asks for, and keeps its line. A missing field is a YamlField without a node; reading it
 * gives the default or an error. Errors are the reader's own exception type, made by {@code errors}.
 */
public final class YamlField {

    private final String file;
    private final String path;
    private final Node node;
    private final int line;
    private final Function<String, ? extends RuntimeException> errors;

    private YamlField(
            String file, String path, Node node, int line, Function<String, ? extends RuntimeException> errors) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.line = node != null ? node.getStartMark().getLine() + 1 : line;
        this.errors = errors;
    }

    /**
     * The document in {@code text}, named {@code file} in messages.
     *
     * @param errors makes the reader's exception of a message that names the file, the line and the field
     */
    public static YamlField read(String file, Reader text, Function<String, ? extends RuntimeException> errors) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(text);
        } catch (MarkedYAMLException e) {
            throw errors.apply(file + ":" + (e.getProblemMark().getLine() + 1) + ": not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw errors.apply(file + ": not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null) {
            throw errors.apply(file + ": the file is empty");
        }
        return new YamlField(file, "", root, 1, errors);
    }

    /** The same, of a text in memory. */
    public static YamlField read(String file, String text, Function<String, ? extends RuntimeException> errors) {
        return read(file, new StringReader(text), errors);
    }

    /** Whether the field is there, and not {@code null} or empty. */
    public boolean present() {
        return node != null && !(node instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag()));
    }

    /** The reader's exception, naming the file, the field's line (its parent's when it is missing) and its path. */
    public RuntimeException error(String message) {
        return errors.apply(file + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    /** The fields of a mapping; keys outside {@code allowed} are an error naming the allowed ones. */
    public Map<String, YamlField> mapping(Set<String> allowed) {
        if (!(node instanceof MappingNode mapping)) {
            throw error("must be a mapping (key: value lines)");
        }
        Map<String, YamlField> fields = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(tuple.getKeyNode());
            YamlField field = new YamlField(file, child(key), tuple.getValueNode(), line, errors);
            if (allowed != null && !allowed.contains(key)) {
                throw new YamlField(file, child(key), tuple.getKeyNode(), line, errors)
                        .error("unknown field; expected one of " + String.join(", ", new TreeSet<>(allowed)));
            }
            if (fields.put(key, field) != null) {
                throw field.error("given twice");
            }
        }
        return fields;
    }

    /** A mapping whose keys are names chosen by the author (e.g. device types). */
    public Map<String, YamlField> namedMapping() {
        return mapping(null);
    }

    /** The field {@code key} of a mapping read with {@link #mapping}, or a missing one. */
    public YamlField field(Map<String, YamlField> fields, String key) {
        YamlField field = fields.get(key);
        return field != null ? field : new YamlField(file, child(key), null, line, errors);
    }

    public List<YamlField> sequence() {
        if (!(node instanceof SequenceNode sequence)) {
            throw error("must be a list (lines starting with '- ')");
        }
        List<YamlField> items = new ArrayList<>();
        for (int i = 0; i < sequence.getValue().size(); i++) {
            items.add(new YamlField(
                    file, path + "[" + i + "]", sequence.getValue().get(i), line, errors));
        }
        return items;
    }

    /** The same field under another name in messages: a list item once its name is known ({@code rule pm25-high}). */
    public YamlField named(String name) {
        return new YamlField(file, name, node, line, errors);
    }

    public String string() {
        if (!present()) {
            throw error("is required");
        }
        if (!(node instanceof ScalarNode scalar)) {
            throw error("must be a single value, not a list or mapping");
        }
        return scalar.getValue();
    }

    public String string(String defaultValue) {
        return present() ? string() : defaultValue;
    }

    public long wholeNumber(long min, long max) {
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

    public long wholeNumber(long min, long max, long defaultValue) {
        return present() ? wholeNumber(min, max) : defaultValue;
    }

    public double number(double min, double max) {
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

    public double number(double min, double max, double defaultValue) {
        return present() ? number(min, max) : defaultValue;
    }

    /** A duration in the house syntax, at least {@code min}; {@code defaultValue} null: required. */
    public Duration duration(Duration min, Duration defaultValue) {
        if (!present()) {
            if (defaultValue == null) {
                throw error("is required (a duration like " + Durations.EXAMPLES + ")");
            }
            return defaultValue;
        }
        Duration value;
        try {
            value = Durations.parse(string());
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
        if (value.compareTo(min) < 0) {
            throw error("must be at least " + Durations.format(min) + ", was " + string());
        }
        return value;
    }

    public String path() {
        return path;
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
