package io.twinstream.jobs.alerts;

import io.twinstream.jobs.alerts.Rule.Source.Field;

/**
 * One device's open window of one size for one metric, as the window rules see it: count, sum,
 * min and max of its readings so far. A Flink POJO kept in keyed state until the window closes.
 */
public final class WindowAccumulator {

    public long start;
    public long count;
    public double sum;
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;

    public static WindowAccumulator startingAt(long start) {
        WindowAccumulator window = new WindowAccumulator();
        window.start = start;
        return window;
    }

    public void add(double value) {
        count++;
        sum += value;
        min = Math.min(min, value);
        max = Math.max(max, value);
    }

    public double get(Field field) {
        return switch (field) {
            case MEAN -> sum / count;
            case MIN -> min;
            case MAX -> max;
            case SUM -> sum;
            case COUNT -> count;
        };
    }
}
