package io.twinstream.jobs.alerts;

import com.google.re2j.Pattern;
import io.twinstream.jobs.metrics.WindowSize;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * One threshold rule: which values it watches, when it raises (the condition held for {@code holdFor}
 * of event time) and when it clears (the clear condition held for {@code clearFor}; the clear
 * thresholds give hysteresis, so a value hovering at the threshold does not flap).
 *
 * @param name     unique in its rule set; the {@code rule} tag of the {@code alerts} measurement
 * @param severity e.g. {@code warning}, {@code critical}
 * @param match    which devices and metric
 * @param on       the value watched ({@code value:} in the file; not {@code on:}, which YAML reads as true):
 *                 each reading's, or a window aggregate's
 * @param condition raise and clear thresholds
 * @param holdFor  how long (event time) the condition must hold before the alert is raised; 0 = at once
 * @param clearFor how long the clear condition must hold before the alert clears; 0 = at once
 * @param message  template: {@code {rule} {device} {site} {metric} {value} {threshold}} are filled in
 * @param during   the local times of day at which the rule may raise (e.g. nights only), or null for always
 */
public record Rule(
        String name,
        String severity,
        Match match,
        Source on,
        Condition condition,
        Duration holdFor,
        Duration clearFor,
        String message,
        During during)
        implements Serializable {

    /**
     * Local times of day {@code [from, to)} in {@code zone}, wrapping midnight when {@code to} is
     * before {@code from} (22:00-06:00 is the night). Outside it a rule raises nothing (a pending
     * condition starts again), but a raised alert still clears when its clear condition holds.
     */
    public record During(LocalTime from, LocalTime to, ZoneId zone) implements Serializable {

        public boolean includes(long epochMillis) {
            LocalTime at = Instant.ofEpochMilli(epochMillis).atZone(zone).toLocalTime();
            return from.isBefore(to) ? !at.isBefore(from) && at.isBefore(to) : !at.isBefore(from) || at.isBefore(to);
        }

        @Override
        public String toString() {
            return from + "-" + to + " " + zone;
        }
    }

    /** Whether the rule may raise at event time {@code epochMillis}. */
    public boolean raisesAt(long epochMillis) {
        return during == null || during.includes(epochMillis);
    }

    /**
     * Which readings a rule applies to; a null field matches anything. {@code deviceId} is an RE2
     * pattern (linear time, no backreferences or lookaround), matched against the whole id.
     */
    public record Match(String domain, String site, String deviceType, Pattern deviceId, String metric)
            implements Serializable {

        public boolean matches(
                String readingDomain, String readingSite, String readingDeviceType, String readingDeviceId) {
            return (domain == null || domain.equals(readingDomain))
                    && (site == null || site.equals(readingSite))
                    && (deviceType == null || deviceType.equals(readingDeviceType))
                    && (deviceId == null || deviceId.matcher(readingDeviceId).matches());
        }
    }

    /** What value a rule looks at: each reading's value ({@code window} null), or a field of a window aggregate. */
    public record Source(WindowSize window, Field field) implements Serializable {

        public static final Source READING = new Source(null, null);

        /** The window aggregate fields a rule can watch. */
        public enum Field {
            MEAN,
            MIN,
            MAX,
            SUM,
            COUNT
        }

        public boolean raw() {
            return window == null;
        }

        @Override
        public String toString() {
            return raw() ? "reading" : window.tag() + " " + field.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Raise and clear thresholds. {@code above}: raise when value &gt; high, clear when value &lt;
     * clearHigh. {@code below}: raise when value &lt; low, clear when value &gt; clearLow.
     * {@code outside}: raise when value &lt; low or &gt; high, clear when clearLow &lt; value &lt; clearHigh.
     */
    public record Condition(Kind kind, double low, double high, double clearLow, double clearHigh)
            implements Serializable {

        public enum Kind {
            ABOVE,
            BELOW,
            OUTSIDE
        }

        public boolean breached(double value) {
            return switch (kind) {
                case ABOVE -> value > high;
                case BELOW -> value < low;
                case OUTSIDE -> value < low || value > high;
            };
        }

        public boolean cleared(double value) {
            return switch (kind) {
                case ABOVE -> value < clearHigh;
                case BELOW -> value > clearLow;
                case OUTSIDE -> value > clearLow && value < clearHigh;
            };
        }

        /** The threshold a value crossed, for the alert event: the nearer bound for {@code outside}. */
        public double threshold(double value) {
            return switch (kind) {
                case ABOVE -> high;
                case BELOW -> low;
                case OUTSIDE -> value < low ? low : high;
            };
        }

        /** The clear threshold a value crossed, for the clear event: the nearer bound for {@code outside}. */
        public double clearThreshold(double value) {
            return switch (kind) {
                case ABOVE -> clearHigh;
                case BELOW -> clearLow;
                case OUTSIDE -> value - clearLow < clearHigh - value ? clearLow : clearHigh;
            };
        }
    }

    /** The message with this alert's particulars filled in. */
    public String message(String deviceId, String site, String metric, double value) {
        return message.replace("{rule}", name)
                .replace("{device}", deviceId)
                .replace("{site}", site)
                .replace("{metric}", metric)
                .replace("{value}", format(value))
                .replace("{threshold}", format(condition.threshold(value)));
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value)
                : Double.toString(value);
    }
}
