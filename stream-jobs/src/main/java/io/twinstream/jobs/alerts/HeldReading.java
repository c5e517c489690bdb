package io.twinstream.jobs.alerts;

/**
 * A reading held until the watermark passes it, reduced to what the rules need: its time and its
 * metrics. The device's dimensions are kept once in {@link WatchedDevice}, and so are the metric
 * names when they are the device's usual ones (the array is shared, not copied per reading): a held
 * reading takes about 90 bytes instead of the 600 of a deserialized {@code Reading}. A Flink POJO.
 */
public final class HeldReading {

    public long ts;
    public String[] metricNames;
    public double[] metricValues;

    public HeldReading() {}

    HeldReading(long ts, String[] metricNames, double[] metricValues) {
        this.ts = ts;
        this.metricNames = metricNames;
        this.metricValues = metricValues;
    }
}
