package io.twinstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.WindowSize;
import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.jobs.time.EventTimeClock;
import io.twinstream.model.Reading;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device-window operator of {@link MetricsTopology} itself, in a test harness: 10 s windows,
 * 60 s allowed lateness, watermarks given by the test (or by {@link EventTimeClock} on a
 * fake clock).
 */
class DeviceWindowsTest {

    private static final long T0 = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli(); // a window start

    private KeyedOneInputStreamOperatorTestHarness<String, Reading, DeviceWindow> harness;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void open() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        SingleOutputStreamOperator<DeviceWindow> windows = MetricsTopology.deviceWindows(
                env.fromData(ReadingTypes.READING, reading("n-1", 0, 1, 1)).keyBy(Reading::deviceId),
                WindowSize.TEN_SECONDS, Duration.ofSeconds(60));
        OneInputTransformation<Reading, DeviceWindow> operator =
                (OneInputTransformation<Reading, DeviceWindow>) windows.getTransformation();
        harness = new KeyedOneInputStreamOperatorTestHarness<>(operator.getOperatorFactory(),
                (org.apache.flink.api.java.functions.KeySelector<Reading, String>) operator.getStateKeySelector(),
                (org.apache.flink.api.common.typeinfo.TypeInformation<String>) operator.getStateKeyType(),
                ReadingTypes.READING.createSerializer(env.getConfig().getSerializerConfig()));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    /** A noise sensor's reading at T0 + {@code millis}: decibels and battery. */
    private static Reading reading(String device, long millis, long seq, double db) {
        long ts = T0 + millis;
        return new Reading("city", "north", "noise", device, ts, seq, ts, new String[] {"db", "battery"},
                new double[] {db, 90});
    }

    private void send(Reading r) throws Exception {
        harness.processElement(r, r.ts());
    }

    private List<String> emitted() {
        List<String> out = new ArrayList<>();
        for (DeviceWindow w : harness.extractOutputValues()) {
            out.add(w.deviceId() + " " + w.metric() + " @" + (w.start().toEpochMilli() - T0) / 1000 + "s count="
                    + w.values().count() + " sum=" + w.values().sum() + " min=" + w.values().min() + " max="
                    + w.values().max());
        }
        return out;
    }

    @Test
    void shouldEmitOneWindowPerMetricWhenTheWatermarkPassesItsEnd() throws Exception {
        send(reading("n-1", 1_000, 1, 50));
        send(reading("n-1", 4_000, 2, 70));
        send(reading("n-1", 12_000, 3, 10)); // the next window
        harness.processWatermark(T0 + 9_998);
        assertThat(emitted()).as("window [0, 10 s) not complete yet").isEmpty();

        harness.processWatermark(T0 + 9_999);

        assertThat(emitted()).containsExactly(
                "n-1 db @0s count=2 sum=120.0 min=50.0 max=70.0",
                "n-1 battery @0s count=2 sum=180.0 min=90.0 max=90.0");
    }

    @Test
    void shouldReEmitACorrectedWindowForAReadingWithinTheAllowedLateness() throws Exception {
        send(reading("n-1", 1_000, 1, 50));
        harness.processWatermark(T0 + 30_000);
        send(reading("n-1", 2_000, 2, 80)); // 28 s behind the watermark, lateness 60 s

        assertThat(emitted()).containsExactly(
                "n-1 db @0s count=1 sum=50.0 min=50.0 max=50.0",
                "n-1 battery @0s count=1 sum=90.0 min=90.0 max=90.0",
                "n-1 db @0s count=2 sum=130.0 min=50.0 max=80.0",
                "n-1 battery @0s count=2 sum=180.0 min=90.0 max=90.0");
        assertThat(harness.getSideOutput(MetricsTopology.LATE_READINGS)).isNull();
    }

    @Test
    void shouldSendAReadingBeyondTheAllowedLatenessToTheSideOutputAndNotToItsWindow() throws Exception {
        send(reading("n-1", 1_000, 1, 50));
        harness.processWatermark(T0 + 70_000); // window end 10 s + lateness 60 s passed
        send(reading("n-1", 2_000, 2, 80));

        assertThat(emitted()).containsExactly(
                "n-1 db @0s count=1 sum=50.0 min=50.0 max=50.0",
                "n-1 battery @0s count=1 sum=90.0 min=90.0 max=90.0");
        assertThat(harness.getSideOutput(MetricsTopology.LATE_READINGS)).extracting(StreamRecord::getValue)
                .extracting(Reading::seq).containsExactly(2L);
    }

    @Test
    void shouldCloseTheLastWindowOfADeviceThatWentSilentThroughTheIdleAdvance() throws Exception {
        long wall = 1_000_000;
        try (OneInputStreamOperatorTestHarness<Reading, Reading> clock =
                     new OneInputStreamOperatorTestHarness<>(new EventTimeClock<Reading>(Duration.ofSeconds(10)))) {
            clock.setProcessingTime(wall);
            clock.open();
            Reading last = reading("n-1", 3_000, 1, 42);
            clock.processElement(last, last.ts());
            clock.processWatermark(last.ts() - 5_000 - 1); // the source: 5 s out-of-orderness
            send(last);

            // The device says nothing more: the task waits for input (its mailbox loop would start the
            // idle timer). Wall time goes on; the clock's watermarks reach the windows.
            clock.getEnvironment().getMetricGroup().getIOMetricGroup().getIdleTimeMsPerSecond().markStart();
            for (int second = 1; second <= 30; second++) {
                clock.setProcessingTime(wall + second * 1000L);
                for (Object o : clock.getOutput()) {
                    if (o instanceof Watermark w) {
                        harness.processWatermark(w.getTimestamp());
                    }
                }
                clock.getOutput().clear();
                if (!emitted().isEmpty()) {
                    // out-of-orderness 5 s + idle 10 s + the rest of the window (7 s) after the reading
                    assertThat(second).as("closed after %d s of silence", second).isEqualTo(22);
                    break;
                }
            }
        }
        assertThat(emitted()).containsExactly(
                "n-1 db @0s count=1 sum=42.0 min=42.0 max=42.0",
                "n-1 battery @0s count=1 sum=90.0 min=90.0 max=90.0");
    }
}
