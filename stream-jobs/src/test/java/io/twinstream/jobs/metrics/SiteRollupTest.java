package io.twinstream.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SiteRollupTest {

    private static final Instant START = Instant.parse("2026-01-05T08:00:10Z");
    private static final long END = START.toEpochMilli() + 10_000 - 1;

    private static final SiteKey KEY = new SiteKey("city", "north", "noise", "db", "10s", START.toEpochMilli());

    private KeyedOneInputStreamOperatorTestHarness<SiteKey, SiteContribution, SiteWindow> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new SiteRollup(Duration.ofSeconds(60))),
                SiteContribution::key,
                TypeInformation.of(SiteKey.class));
        harness.setup(TypeInformation.of(SiteWindow.class)
                .createSerializer(harness.getExecutionConfig().getSerializerConfig()));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    /** Device windows' first emissions: their whole aggregate and their number. */
    private void devices(int devices, Aggregate values) throws Exception {
        harness.processElement(new SiteContribution(KEY, values, devices, false), END);
    }

    /** A late reading's correction: its value, and a device if the metric was new to its device window. */
    private void correction(double value, int newDevices) throws Exception {
        harness.processElement(new SiteContribution(KEY, Aggregate.of(value), newDevices, true), END);
    }

    private List<SiteWindow> output() {
        return harness.extractOutputValues();
    }

    @Test
    void shouldCombineTheDevicesOnceTheWatermarkPassesTheWindow() throws Exception {
        devices(1, Aggregate.of(40).plus(60)); // n-1, from one device-window instance
        devices(1, Aggregate.of(55)); // n-2, from another
        assertThat(output()).as("nothing before the window is complete").isEmpty();

        harness.processWatermark(END);

        assertThat(output())
                .containsExactly(new SiteWindow(
                        "city",
                        "north",
                        "noise",
                        "db",
                        WindowSize.TEN_SECONDS,
                        START,
                        new Aggregate(3, 155, 40, 60),
                        2));
    }

    @Test
    void shouldEmitACorrectedWindowForEachLateReading() throws Exception {
        devices(1, Aggregate.of(40));
        harness.processWatermark(END);
        correction(80, 0); // a late reading of n-1, whose window had the metric
        correction(10, 1); // a device whose only reading was late

        assertThat(output())
                .extracting(SiteWindow::values, SiteWindow::devices)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(new Aggregate(1, 40, 40, 40), 1),
                        org.assertj.core.groups.Tuple.tuple(new Aggregate(2, 120, 40, 80), 1),
                        org.assertj.core.groups.Tuple.tuple(new Aggregate(3, 130, 10, 80), 2));
    }

    @Test
    void shouldDropItsStateAfterTheAllowedLateness() throws Exception {
        devices(1, Aggregate.of(40));
        harness.processWatermark(END);
        assertThat(harness.numKeyedStateEntries()).isPositive();

        harness.processWatermark(END + 60_001);

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    /** An open window's early shares (what devices gained since their last tick). */
    private void early(int newDevices, Aggregate gained) throws Exception {
        harness.processElement(new SiteContribution(KEY, gained, newDevices, false, true), START.toEpochMilli());
    }

    @Test
    void shouldEmitEachEarlySumMarkedAndAFinalValueMadeOfTheWholeWindowsOnly() throws Exception {
        early(1, Aggregate.of(40));
        early(1, Aggregate.of(55));
        early(0, Aggregate.of(60).plus(40)); // n-1 again: no new device

        harness.processWatermark(END - 1);
        devices(1, Aggregate.of(40).plus(60));
        devices(1, Aggregate.of(55));
        harness.processWatermark(END);
        early(0, Aggregate.of(99)); // after the final value (cannot happen: the watermark follows a tick's shares)

        assertThat(output())
                .extracting(SiteWindow::values, SiteWindow::devices, SiteWindow::isFinal)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(new Aggregate(1, 40, 40, 40), 1, false),
                        org.assertj.core.groups.Tuple.tuple(new Aggregate(2, 95, 40, 55), 2, false),
                        org.assertj.core.groups.Tuple.tuple(new Aggregate(4, 195, 40, 60), 2, false),
                        org.assertj.core.groups.Tuple.tuple(new Aggregate(3, 155, 40, 60), 2, true));
        harness.processWatermark(END + 60_001);
        assertThat(harness.numKeyedStateEntries())
                .as("early sums dropped with the rest")
                .isZero();
    }
}
