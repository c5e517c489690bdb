package io.twinstream.jobs.metrics;

/**
 * Count, sum, min and max of a metric's values in one window: what {@code device_metrics} and
 * {@code site_metrics} store (mean derived). Combining is associative and commutative, so a window
 * can be built reading by reading and a site's window from its devices' windows.
 */
public record Aggregate(long count, double sum, double min, double max) {

    public Aggregate {
        if (count < 1) {
            throw new IllegalArgumentException("an aggregate holds at least one value, count was " + count);
        }
        if (min > max) {
            throw new IllegalArgumentException("min " + min + " is above max " + max);
        }
    }

    public static Aggregate of(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("values are finite (ingest rejects others), was " + value);
        }
        return new Aggregate(1, value, value, value);
    }

    public Aggregate plus(Aggregate other) {
        return new Aggregate(count + other.count, sum + other.sum, Math.min(min, other.min), Math.max(max, other.max));
    }

    public Aggregate plus(double value) {
        return plus(of(value));
    }

    public double mean() {
        return sum / count;
    }
}
