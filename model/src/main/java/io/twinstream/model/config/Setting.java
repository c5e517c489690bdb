package io.twinstream.model.config;

import io.twinstream.model.Durations;
import java.time.Duration;
import java.util.Map;

/**
 * One configuration key, declared once: its name, type, default and what it means. The component
 * reads its value with {@link #from}, and the configuration reference ({@code docs/configuration.md})
 * is written from the same declaration ({@link SettingsTable}), so neither the default nor the
 * meaning is written twice.
 *
 * @param <T> the value's type
 */
public final class Setting<T> {

    /** Makes a value of a key's text, or throws naming what it must be. */
    @FunctionalInterface
    private interface Parser<T> {
        T parse(String key, String text);
    }

    private final String key;
    private final T defaultValue;
    private final String defaultText;
    private final String description;
    private final Parser<T> parser;

    private Setting(String key, T defaultValue, String defaultText, String description, Parser<T> parser) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.description = description;
        this.parser = parser;
    }

    /** Text as it is, {@code defaultValue} (null: none) when unset. */
    public static Setting<String> text(String key, String defaultValue, String description) {
        return new Setting<>(
                key,
                defaultValue,
                defaultValue == null ? "none" : "`" + defaultValue + "`",
                description,
                (k, text) -> text);
    }

    /** A whole number. */
    public static Setting<Integer> integer(String key, int defaultValue, String description) {
        return new Setting<>(key, defaultValue, Integer.toString(defaultValue), description, (k, text) -> {
            try {
                return Integer.parseInt(text.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(k + " must be a whole number, was '" + text + "'");
            }
        });
    }

    /** A number, {@code 1e15} or {@code 0.5}. */
    public static Setting<Double> number(String key, double defaultValue, String description) {
        return new Setting<>(key, defaultValue, "`" + numberText(defaultValue) + "`", description, (k, text) -> {
            try {
                return Double.parseDouble(text.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(k + " must be a number such as 1e15 or 0.5, was '" + text + "'");
            }
        });
    }

    /** A duration in the house syntax ({@link Durations}: {@code 250ms}, {@code 10s}, {@code 1.5m}, {@code 1d}). */
    public static Setting<Duration> duration(String key, Duration defaultValue, String description) {
        return new Setting<>(
                key, defaultValue, "`" + Durations.format(defaultValue) + "`", description, Durations::parse);
    }

    /** {@code true} or {@code false}. */
    public static Setting<Boolean> flag(String key, boolean defaultValue, String description) {
        return new Setting<>(
                key, defaultValue, "`" + defaultValue + "`", description, (k, text) -> switch (text.strip()) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new IllegalArgumentException(k + " must be true or false, was '" + text + "'");
                });
    }

    /**
     * The same key, its default shown as {@code text} in the reference: for a default the code
     * works out (from the host name, from other keys) rather than a fixed value.
     */
    public Setting<T> defaultShownAs(String text) {
        return new Setting<>(key, defaultValue, text, description, parser);
    }

    /** The value {@code values} gives the key, or the default when it gives none. */
    public T from(Map<String, String> values) {
        String text = values.get(key);
        return text == null ? defaultValue : parser.parse(key, text);
    }

    /** The value {@code values} gives the key, or {@code otherwise} (a default worked out from other keys). */
    public T from(Map<String, String> values, T otherwise) {
        String text = values.get(key);
        return text == null ? otherwise : parser.parse(key, text);
    }

    public String key() {
        return key;
    }

    /** The default as the reference shows it (Markdown). */
    public String defaultText() {
        return defaultText;
    }

    /** What the key means (Markdown). */
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return key;
    }

    private static String numberText(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e6
                ? Long.toString((long) value)
                : Double.toString(value).replace("E", "e").replace(".0e", "e");
    }
}
