package io.twinstream.jobs.functions;

import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.model.Reading;
import java.util.Arrays;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Folds one device's readings in a window into count, sum, min and max per metric, incrementally:
 * one accumulator per device and window in state, not the readings. Per device rather than per
 * device and metric: a reading is one state update and one timer, not one per metric, and it needs
 * no second shuffle after de-duplication (same key).
 */
public final class WindowAggregate
        implements AggregateFunction<Reading, WindowAggregate.Accumulator, WindowAggregate.Accumulator> {

    private static final long serialVersionUID = 1L;

    /**
     * Per metric (parallel arrays, in order of first appearance) count, sum, min, max so far, and
     * where the device is (from its first reading in the window). A Flink POJO (public fields), so
     * it is not serialized by Kryo.
     */
    public static final class Accumulator {
        public String domain;
        public String site;
        public String deviceType;
        public String[] metrics = new String[0];
        public long[] counts = new long[0];
        public double[] sums = new double[0];
        public double[] mins = new double[0];
        public double[] maxs = new double[0];

        /** Adds a reading's values; the device's place comes from the first reading. */
        /** Metric {@code i}'s count, sum, min and max. */
        public Aggregate aggregate(int i) {
            return new Aggregate(counts[i], sums[i], mins[i], maxs[i]);
        }

        public void add(Reading reading) {
            if (domain == null) {
                domain = reading.domain();
                site = reading.site();
                deviceType = reading.deviceType();
            }
            String[] names = reading.metricNames();
            double[] values = reading.metricValues();
            for (int n = 0; n < names.length; n++) {
                // A device sends its metrics in the same order each time: try the same slot first.
                int i = n < metrics.length && metrics[n].equals(names[n]) ? n : indexOf(names[n]);
                double value = values[n];
                counts[i]++;
                sums[i] += value;
                mins[i] = Math.min(mins[i], value);
                maxs[i] = Math.max(maxs[i], value);
            }
        }

        /** Whether a value of {@code metric} has been added. */
        public boolean has(String metric) {
            for (String m : metrics) {
                if (m.equals(metric)) {
                    return true;
                }
            }
            return false;
        }

        void add(String metric, long count, double sum, double min, double max) {
            int i = indexOf(metric);
            counts[i] += count;
            sums[i] += sum;
            mins[i] = Math.min(mins[i], min);
            maxs[i] = Math.max(maxs[i], max);
        }

        /** The metric's slot, added (empty) on its first value: a device has a handful of metrics. */
        private int indexOf(String metric) {
            for (int i = 0; i < metrics.length; i++) {
                if (metrics[i].equals(metric)) {
                    return i;
                }
            }
            int i = metrics.length;
            metrics = Arrays.copyOf(metrics, i + 1);
            metrics[i] = metric;
            counts = Arrays.copyOf(counts, i + 1);
            sums = Arrays.copyOf(sums, i + 1);
            mins = Arrays.copyOf(mins, i + 1);
            mins[i] = Double.POSITIVE_INFINITY;
            maxs = Arrays.copyOf(maxs, i + 1);
            maxs[i] = Double.NEGATIVE_INFINITY;
            return i;
        }
    }

    @Override
    public Accumulator createAccumulator() {
        return new Accumulator();
    }

    @Override
    public Accumulator add(Reading reading, Accumulator acc) {
        acc.add(reading);
        return acc;
    }

    @Override
    public Accumulator getResult(Accumulator acc) {
        return acc;
    }

    @Override
    public Accumulator merge(Accumulator a, Accumulator b) {
        if (a.domain == null) {
            a.domain = b.domain;
            a.site = b.site;
            a.deviceType = b.deviceType;
        }
        for (int i = 0; i < b.metrics.length; i++) {
            a.add(b.metrics[i], b.counts[i], b.sums[i], b.mins[i], b.maxs[i]);
        }
        return a;
    }
}
