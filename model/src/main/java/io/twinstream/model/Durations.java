package io.twinstream.model;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way durations are written anywhere in Twinstream: configuration files and environment
 * variables, scenario and rules files, command lines. An amount (whole or decimal) and a unit:
 * {@code 250ms}, {@code 10s}, {@code 1.5m}, {@code 2h}, {@code 1d}; never negative.
 */
public final class Durations {

    /** What every error says a duration looks like. */
    public static final String EXAMPLES = "250ms, 10s, 5m, 2h or 1d";

    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
    /** About 292 million years: beyond it, milliseconds no longer fit a long. */
    private static final double MAX_MILLIS = Long.MAX_VALUE / 2.0;

    private Durations() {}

    /** @throws IllegalArgumentException saying what a duration looks like */
    public static Duration parse(String text) {
        Matcher m = FORMAT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like " + EXAMPLES);
        }
        double amount = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2)) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> amount * 86_400_000;
        };
        if (millis > MAX_MILLIS) {
            throw new IllegalArgumentException("'" + text + "' is longer than any duration Twinstream can wait");
        }
        return Duration.ofMillis(Math.round(millis));
    }

    /**
     * The same, for the value of a named setting: the error names it, e.g. "mqtt.session-expiry must
     * be a duration like 250ms, 10s, 5m, 2h or 1d, was '1 hour'".
     */
    public static Duration parse(String name, String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " must be a duration like " + EXAMPLES + ", was '" + text + "'");
        }
    }

    /** The shortest exact form: 10s, 5m, 1500ms. */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms % 86_400_000 == 0 && ms > 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
