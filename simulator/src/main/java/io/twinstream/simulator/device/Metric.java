package io.twinstream.simulator.device;

/**
 * One measured quantity of a device type.
 *
 * @param name     the metric name on the wire (InfluxDB tag value {@code metric})
 * @param unit     SenML-style unit, for payloads that carry units
 * @param decimals values are rounded to this many decimals before they are encoded, so the
 *                 ground truth and the payload hold the same number
 * @param counter  a cumulative counter: never decreases, so value faults (spikes, drift) skip it
 */
public record Metric(String name, String unit, int decimals, boolean counter) {

    public static Metric gauge(String name, String unit, int decimals) {
        return new Metric(name, unit, decimals, false);
    }

    public static Metric counter(String name, String unit, int decimals) {
        return new Metric(name, unit, decimals, true);
    }

    /** Rounds to {@link #decimals()} places, half up (as {@link Math#round(double)}). */
    public double round(double value) {
        double scale = POWERS[decimals];
        return Math.round(value * scale) / scale;
    }

    private static final double[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};
}
