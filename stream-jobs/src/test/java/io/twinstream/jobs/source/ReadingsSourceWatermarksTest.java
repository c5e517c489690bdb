package io.twinstream.jobs.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.jobs.deadletter.RejectedRecord;
import io.twinstream.model.Reading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.types.Either;
import org.apache.flink.util.clock.RelativeClock;
import org.apache.flink.util.clock.SystemClock;
import org.junit.jupiter.api.Test;

/**
 * A partition's watermark generator. It must say nothing while its partition has no new reading:
 * the source marks a quiet, caught-up partition idle, and the same watermark sent again every
 * 200 ms (what Flink's bounded out-of-orderness generator does) would make it active again.
 */
class ReadingsSourceWatermarksTest {

    private static final long T = 1_767_600_000_000L;

    /** What the generator sent: watermarks as their timestamps. */
    private static final class Sent implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            watermarks.add(null);
        }

        @Override
        public void markActive() {}
    }

    private static WatermarkGenerator<Either<Reading, RejectedRecord>> generator() {
        return ReadingsSource.watermarks(Duration.ofSeconds(5))
                .createWatermarkGenerator(new WatermarkGeneratorSupplier.Context() {
                    @Override
                    public MetricGroup getMetricGroup() {
                        return new UnregisteredMetricsGroup();
                    }

                    @Override
                    public RelativeClock getInputActivityClock() {
                        return SystemClock.getInstance();
                    }
                });
    }

    private static Either<Reading, RejectedRecord> reading(long ts) {
        return Either.Left(
                new Reading("city", "north", "noise", "noise-1", ts, 1, ts, new String[] {"db"}, new double[] {1}));
    }

    @Test
    void shouldSendAWatermarkOnlyWhenItRises() {
        WatermarkGenerator<Either<Reading, RejectedRecord>> generator = generator();
        Sent sent = new Sent();
        generator.onPeriodicEmit(sent); // no reading yet: nothing (not Long.MIN_VALUE)
        generator.onEvent(reading(T), T, sent);
        generator.onPeriodicEmit(sent);
        generator.onPeriodicEmit(sent);
        generator.onEvent(reading(T - 2000), T - 2000, sent); // out of order: the watermark stays
        generator.onPeriodicEmit(sent);
        generator.onEvent(reading(T + 1000), T + 1000, sent);
        generator.onPeriodicEmit(sent);
        generator.onPeriodicEmit(sent);

        assertThat(sent.watermarks).containsExactly(T - 5000 - 1, T + 1000 - 5000 - 1);
    }
}
