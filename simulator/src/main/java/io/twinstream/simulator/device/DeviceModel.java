package io.twinstream.simulator.device;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The physics of one device type: which metrics it reports and how their values move with time.
 * A model is stateless; what a device remembers (counters, thermal lag, its own baseline) lives in
 * a small per-device array that only the model reads and writes.
 */
public interface DeviceModel {

    /** The name in MQTT topics and InfluxDB tags, e.g. {@code air-quality}. */
    String type();

    /** {@code city} or {@code factory}. */
    String domain();

    /** Prefix of device ids, e.g. {@code aq} for {@code aq-000123}. */
    String idPrefix();

    List<Metric> metrics();

    /** The position of a metric in {@link #metrics()}; scenarios are checked, so it exists. */
    default int metricIndex(String name) {
        List<Metric> metrics = metrics();
        for (int i = 0; i < metrics.size(); i++) {
            if (metrics.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("'" + type() + "' has no metric '" + name + "'");
    }

    /** How many doubles of per-device memory {@link #sample} uses. */
    int stateSize();

    /** Sets a new device's baseline (its own variation around the type's typical values). */
    void init(double[] state, SplittableRandom random);

    /**
     * Writes one reading's values, unrounded, in the order of {@link #metrics()}.
     *
     * @param time    local-time view of the reading's instant
     * @param dtHours hours since this device's previous reading (0 for the first), for counters
     */
    void sample(double[] state, Clock time, double dtHours, SplittableRandom random, double[] out);

    /** The reading's time, as the models need it. */
    record Clock(long epochMillis, double hour, int dayOfWeek) {}

    /** Normal noise with standard deviation {@code sigma}. */
    static double noise(SplittableRandom random, double sigma) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return sigma * Math.sqrt(-2.0 * Math.log(u1 == 0 ? Double.MIN_VALUE : u1)) * Math.cos(2 * Math.PI * u2);
    }
}
