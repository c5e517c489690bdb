package io.twinstream.jobs.functions;

import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.MetricSample;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Folds a window's samples into an {@link Aggregate}, incrementally (one accumulator per key and
 * window in state, not the samples). A window exists only once it has a sample, so the empty
 * accumulator {@link #createAccumulator()} starts from is never turned into a result.
 */
public final class WindowAggregate implements AggregateFunction<MetricSample, WindowAggregate.Accumulator, Aggregate> {

    private static final long serialVersionUID = 1L;

    /** Count, sum, min, max so far; a Flink POJO (public fields) so it is not serialized by Kryo. */
    public static final class Accumulator {
        public long count;
        public double sum;
        public double min = Double.POSITIVE_INFINITY;
        public double max = Double.NEGATIVE_INFINITY;
    }

    @Override
    public Accumulator createAccumulator() {
        return new Accumulator();
    }

    @Override
    public Accumulator add(MetricSample sample, Accumulator acc) {
        acc.count++;
        acc.sum += sample.value();
        acc.min = Math.min(acc.min, sample.value());
        acc.max = Math.max(acc.max, sample.value());
        return acc;
    }

    @Override
    public Aggregate getResult(Accumulator acc) {
        return new Aggregate(acc.count, acc.sum, acc.min, acc.max);
    }

    @Override
    public Accumulator merge(Accumulator a, Accumulator b) {
        a.count += b.count;
        a.sum += b.sum;
        a.min = Math.min(a.min, b.min);
        a.max = Math.max(a.max, b.max);
        return a;
    }
}
