package io.twinstream.jobs.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.SiteKey;
import io.twinstream.jobs.metrics.SiteWindow;
import io.twinstream.jobs.metrics.WindowSize;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SiteRollupTest {

    private static final Instant START = Instant.parse("2026-01-05T08:00:10Z");
    private static final long END = START.toEpochMilli() + 10_000 - 1;

    private KeyedOneInputStreamOperatorTestHarness<SiteKey, DeviceWindow, SiteWindow> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new SiteRollup(Duration.ofSeconds(60))),
                SiteKey::of, TypeInformation.of(SiteKey.class));
        harness.setup(TypeInformation.of(SiteWindow.class).createSerializer(harness.getExecutionConfig().getSerializerConfig()));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void deviceWindow(String device, Aggregate values) throws Exception {
        harness.processElement(new DeviceWindow("city", "north", "noise", device, "db", WindowSize.TEN_SECONDS, START, values), END);
    }

    private List<SiteWindow> output() {
        return harness.extractOutputValues();
    }

    @Test
    void shouldCombineTheDevicesOnceTheWatermarkPassesTheWindow() throws Exception {
        deviceWindow("n-1", Aggregate.of(40).plus(60));
        deviceWindow("n-2", Aggregate.of(55));
        assertThat(output()).as("nothing before the window is complete").isEmpty();

        harness.processWatermark(END);

        assertThat(output()).containsExactly(new SiteWindow("city", "north", "noise", "db", WindowSize.TEN_SECONDS, START,
                new Aggregate(3, 155, 40, 60), 2));
    }

    @Test
    void shouldEmitACorrectedWindowWhenALateDeviceWindowReplacesItsPart() throws Exception {
        deviceWindow("n-1", Aggregate.of(40));
        harness.processWatermark(END);
        deviceWindow("n-1", Aggregate.of(40).plus(80)); // the device window re-emitted with a late reading
        deviceWindow("n-2", Aggregate.of(10));          // a device whose only reading was late

        assertThat(output()).extracting(SiteWindow::values, SiteWindow::devices).containsExactly(
                org.assertj.core.groups.Tuple.tuple(new Aggregate(1, 40, 40, 40), 1),
                org.assertj.core.groups.Tuple.tuple(new Aggregate(2, 120, 40, 80), 1),
                org.assertj.core.groups.Tuple.tuple(new Aggregate(3, 130, 10, 80), 2));
    }

    @Test
    void shouldDropItsStateAfterTheAllowedLateness() throws Exception {
        deviceWindow("n-1", Aggregate.of(40));
        harness.processWatermark(END);
        assertThat(harness.numKeyedStateEntries()).isPositive();

        harness.processWatermark(END + 60_001);

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }
}
