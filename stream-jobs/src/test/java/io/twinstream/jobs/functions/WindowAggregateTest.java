package io.twinstream.jobs.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.model.Reading;
import org.junit.jupiter.api.Test;

class WindowAggregateTest {

    private final WindowAggregate aggregate = new WindowAggregate();

    private static Reading reading(String[] metrics, double... values) {
        return new Reading("factory", "plant-1", "cnc", "cnc-7", 1_000, 1, 1_000, metrics, values);
    }

    @Test
    void shouldKeepCountSumMinMaxPerMetricAndWhereTheDeviceIs() {
        WindowAggregate.Accumulator acc = aggregate.createAccumulator();
        aggregate.add(reading(new String[] {"spindle_temp", "vibration"}, 60, 0.5), acc);
        aggregate.add(reading(new String[] {"spindle_temp", "vibration"}, 70, 0.25), acc);

        assertThat(acc.domain + "/" + acc.site + "/" + acc.deviceType).isEqualTo("factory/plant-1/cnc");
        assertThat(acc.metrics).containsExactly("spindle_temp", "vibration");
        assertThat(acc.counts).containsExactly(2, 2);
        assertThat(acc.sums).containsExactly(130, 0.75);
        assertThat(acc.mins).containsExactly(60, 0.25);
        assertThat(acc.maxs).containsExactly(70, 0.5);
    }

    @Test
    void shouldCountAMetricOnlyInTheReadingsThatCarryIt() {
        WindowAggregate.Accumulator acc = aggregate.createAccumulator();
        aggregate.add(reading(new String[] {"temp"}, 20), acc);
        aggregate.add(reading(new String[] {"humidity", "temp"}, 55, 22), acc);

        assertThat(acc.metrics).containsExactly("temp", "humidity");
        assertThat(acc.counts).containsExactly(2, 1);
        assertThat(acc.sums).containsExactly(42, 55);
        assertThat(acc.mins).containsExactly(20, 55);
    }

    @Test
    void shouldMergeByMetricName() {
        WindowAggregate.Accumulator a = aggregate.createAccumulator();
        aggregate.add(reading(new String[] {"temp", "humidity"}, 20, 50), a);
        WindowAggregate.Accumulator b = aggregate.createAccumulator();
        aggregate.add(reading(new String[] {"humidity", "pressure"}, 40, 1013), b);

        WindowAggregate.Accumulator merged = aggregate.merge(a, b);

        assertThat(merged.metrics).containsExactly("temp", "humidity", "pressure");
        assertThat(merged.counts).containsExactly(1, 2, 1);
        assertThat(merged.sums).containsExactly(20, 90, 1013);
        assertThat(merged.mins).containsExactly(20, 40, 1013);
        assertThat(merged.maxs).containsExactly(20, 50, 1013);
    }
}
