package io.twinstream.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.jobs.time.EventTimeClock;
import io.twinstream.model.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * The device-window operator of {@link MetricsTopology} itself ({@link DeviceWindows}),
 * in a test harness: 10 s and 1 min windows, 60 s allowed lateness, 5 s out-of-orderness (far-late
 * bound 125 s), 1 h de-duplication memory; watermarks and processing time given by the test (or
 * by {@link EventTimeClock} on a fake clock).
 */
class DeviceWindowsTest {

    private static final long T0 = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli(); // a window start
    private static final Duration MEMORY = Duration.ofHours(1);

    private KeyedOneInputStreamOperatorTestHarness<String, Reading, DeviceWindow> harness;

    /** Early results every second for windows ended at most 5 min ago, device windows too. */
    private static final EarlyResults EARLY = new EarlyResults(Duration.ofSeconds(1), Duration.ofMinutes(5), true);

    @BeforeEach
    void open() throws Exception {
        harness = newHarness(EarlyResults.NONE);
        harness.open();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Reading, DeviceWindow> newHarness() throws Exception {
        return newHarness(EarlyResults.NONE);
    }

    @SuppressWarnings("unchecked")
    private static KeyedOneInputStreamOperatorTestHarness<String, Reading, DeviceWindow> newHarness(EarlyResults early)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        SingleOutputStreamOperator<DeviceWindow> windows = MetricsTopology.deviceWindows(
                env.fromData(ReadingTypes.READING, reading("n-1", 0, 1, 1)).keyBy(Reading::deviceId),
                Duration.ofSeconds(5),
                MEMORY,
                Duration.ofSeconds(60),
                early);
        OneInputTransformation<Reading, DeviceWindow> operator =
                (OneInputTransformation<Reading, DeviceWindow>) windows.getTransformation();
        return new KeyedOneInputStreamOperatorTestHarness<>(
                operator.getOperatorFactory(),
                (org.apache.flink.api.java.functions.KeySelector<Reading, String>) operator.getStateKeySelector(),
                (org.apache.flink.api.common.typeinfo.TypeInformation<String>) operator.getStateKeyType(),
                ReadingTypes.READING.createSerializer(env.getConfig().getSerializerConfig()));
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    /** A noise sensor's reading at T0 + {@code millis}: decibels and battery. */
    private static Reading reading(String device, long millis, long seq, double db) {
        long ts = T0 + millis;
        return new Reading(
                "city", "north", "noise", device, ts, seq, ts, new String[] {"db", "battery"}, new double[] {db, 90});
    }

    private void send(Reading r) throws Exception {
        harness.processElement(r, r.ts());
    }

    private List<String> emitted() {
        List<String> out = new ArrayList<>();
        for (DeviceWindow w : harness.extractOutputValues()) {
            out.add(w.deviceId() + " " + w.metric() + " " + w.window().tag() + " @"
                    + (w.start().toEpochMilli() - T0) / 1000 + "s count="
                    + w.values().count() + " sum=" + w.values().sum() + " min="
                    + w.values().min() + " max="
                    + w.values().max() + (w.isFinal() ? "" : " early"));
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

        assertThat(emitted())
                .containsExactly(
                        "n-1 db 10s @0s count=2 sum=120.0 min=50.0 max=70.0",
                        "n-1 battery 10s @0s count=2 sum=180.0 min=90.0 max=90.0");
    }

    @Test
    void shouldReEmitACorrectedWindowForAReadingWithinTheAllowedLateness() throws Exception {
        send(reading("n-1", 1_000, 1, 50));
        harness.processWatermark(T0 + 30_000);
        send(reading("n-1", 2_000, 2, 80)); // 28 s behind the watermark, lateness 60 s

        assertThat(emitted())
                .containsExactly(
                        "n-1 db 10s @0s count=1 sum=50.0 min=50.0 max=50.0",
                        "n-1 battery 10s @0s count=1 sum=90.0 min=90.0 max=90.0",
                        "n-1 db 10s @0s count=2 sum=130.0 min=50.0 max=80.0",
                        "n-1 battery 10s @0s count=2 sum=180.0 min=90.0 max=90.0");
        assertThat(harness.getSideOutput(MetricsTopology.LATE_READINGS)).isNull();
        SiteKey db = new SiteKey("city", "north", "noise", "db", "10s", T0);
        SiteKey battery = new SiteKey("city", "north", "noise", "battery", "10s", T0);
        assertThat(harness.getSideOutput(MetricsTopology.SITE_CONTRIBUTIONS))
                .extracting(StreamRecord::getValue)
                .as("the window whole when it closes, then only what the late reading adds")
                .containsExactly(
                        new SiteContribution(db, Aggregate.of(50), 1, false),
                        new SiteContribution(battery, Aggregate.of(90), 1, false),
                        new SiteContribution(db, Aggregate.of(80), 0, true),
                        new SiteContribution(battery, Aggregate.of(90), 0, true));
    }

    @Test
    void shouldSendAReadingBeyondTheAllowedLatenessToTheSideOutputAndNotToItsWindow() throws Exception {
        send(reading("n-1", 1_000, 1, 50));
        harness.processWatermark(T0 + 70_000); // 10 s window: end + lateness 60 s passed; 1 min window: not
        send(reading("n-1", 2_000, 2, 80));

        assertThat(emitted())
                .containsExactly(
                        "n-1 db 10s @0s count=1 sum=50.0 min=50.0 max=50.0",
                        "n-1 battery 10s @0s count=1 sum=90.0 min=90.0 max=90.0",
                        "n-1 db 1m @0s count=1 sum=50.0 min=50.0 max=50.0",
                        "n-1 battery 1m @0s count=1 sum=90.0 min=90.0 max=90.0",
                        "n-1 db 1m @0s count=2 sum=130.0 min=50.0 max=80.0",
                        "n-1 battery 1m @0s count=2 sum=180.0 min=90.0 max=90.0");
        assertThat(harness.getSideOutput(MetricsTopology.LATE_READINGS))
                .as("late for the 10 s window only")
                .extracting(StreamRecord::getValue)
                .extracting(Reading::seq)
                .containsExactly(2L);
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
            clock.getEnvironment()
                    .getMetricGroup()
                    .getIOMetricGroup()
                    .getIdleTimeMsPerSecond()
                    .markStart();
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
                    assertThat(second)
                            .as("closed after %d s of silence", second)
                            .isEqualTo(22);
                    break;
                }
            }
        }
        assertThat(emitted())
                .containsExactly(
                        "n-1 db 10s @0s count=1 sum=42.0 min=42.0 max=42.0",
                        "n-1 battery 10s @0s count=1 sum=90.0 min=90.0 max=90.0");
    }

    @Test
    void shouldCountAReadingOnceWhateverItsIdentity() throws Exception {
        send(reading("n-1", 1_000, 1, 50));
        send(reading("n-1", 1_000, 1, 50)); // a redelivery: same seq
        Reading senml = new Reading(
                "city",
                "north",
                "noise",
                "n-1",
                T0 + 2_000,
                Reading.NO_SEQ,
                T0 + 2_000,
                new String[] {"db", "battery"},
                new double[] {70, 90});
        send(senml);
        send(senml); // no seq: known by its timestamp
        harness.processWatermark(T0 + 9_999);

        assertThat(emitted())
                .containsExactly(
                        "n-1 db 10s @0s count=2 sum=120.0 min=50.0 max=70.0",
                        "n-1 battery 10s @0s count=2 sum=180.0 min=90.0 max=90.0");
    }

    /** The far-late bound: 5 s out-of-orderness + 60 s lateness + the 1 min window = 125 s. */
    @Test
    void shouldSendOnlyReadingsFarBehindTheirOwnDevicesNewestToTheLateOutputOncePerSize() throws Exception {
        send(reading("a", 300_000, 1, 40));
        send(reading("a", 176_000, 2, 40)); // 124 s behind a's newest: left to the watermark (none yet)
        send(reading("a", 174_000, 3, 40)); // 126 s behind: late for every window
        send(reading("b", 0, 1, 40)); // another device: its own newest counts
        send(reading("a", 400_000, 4, 40));
        send(reading("a", 280_000, 5, 40)); // 120 s behind the new newest: passes

        assertThat(harness.getSideOutput(MetricsTopology.LATE_READINGS))
                .extracting(StreamRecord::getValue)
                .extracting(r -> r.deviceId() + "/" + r.seq())
                .containsExactly("a/3", "a/3");
        harness.processWatermark(T0 + 1_000_000);
        assertThat(emitted())
                .filteredOn(w -> w.contains(" db 1m "))
                .containsExactlyInAnyOrder(
                        "a db 1m @300s count=1 sum=40.0 min=40.0 max=40.0",
                        "a db 1m @120s count=1 sum=40.0 min=40.0 max=40.0",
                        "b db 1m @0s count=1 sum=40.0 min=40.0 max=40.0",
                        "a db 1m @360s count=1 sum=40.0 min=40.0 max=40.0",
                        "a db 1m @240s count=1 sum=40.0 min=40.0 max=40.0");
    }

    /** As the state time-to-live it replaces: a device's seqs are forgotten an hour after its last new reading. */
    @Test
    void shouldForgetAnIdleDevicesSeqsAfterItsMemoryAndNotBefore() throws Exception {
        harness.setProcessingTime(1_000);
        send(reading("n-1", 1_000, 7, 50));
        harness.setProcessingTime(1_000 + MEMORY.toMillis() / 2);
        send(reading("n-1", 2_000, 8, 60)); // new: the memory counts from here
        harness.setProcessingTime(1_000 + MEMORY.toMillis() + 1);
        send(reading("n-1", 1_000, 7, 50)); // a redelivery within the memory of seq 8: dropped
        harness.setProcessingTime(1_001 + MEMORY.toMillis() * 3 / 2 + 1);
        send(reading("n-1", 2_000, 8, 60)); // seq 8 forgotten: passes as new
        harness.processWatermark(T0 + 9_999);

        assertThat(emitted())
                .filteredOn(w -> w.contains(" db 10s "))
                .containsExactly("n-1 db 10s @0s count=3 sum=170.0 min=50.0 max=60.0");
        harness.processWatermark(T0 + 200_000); // every window cleaned up
        harness.setProcessingTime(1_001 + MEMORY.toMillis() * 3);
        assertThat(harness.numKeyedStateEntries())
                .as("an idle device leaves no state behind")
                .isZero();
    }

    /**
     * A checkpoint in the middle of a window, restored into a new instance: the window goes on,
     * duplicates stay out.
     */
    @Test
    void shouldCarryOpenWindowsAndSeenSeqsThroughACheckpoint() throws Exception {
        send(reading("n-1", 1_000, 1, 50));
        send(reading("n-1", 2_000, 2, 70));
        harness.processWatermark(T0 + 5_000);
        var snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        send(reading("n-1", 2_000, 2, 70)); // replayed after the restore: a duplicate
        send(reading("n-1", 3_000, 3, 30));
        harness.processWatermark(T0 + 9_999);

        assertThat(emitted())
                .containsExactly(
                        "n-1 db 10s @0s count=3 sum=150.0 min=30.0 max=70.0",
                        "n-1 battery 10s @0s count=3 sum=270.0 min=90.0 max=90.0");
    }

    private List<SiteContribution> contributions() {
        var out = harness.getSideOutput(MetricsTopology.SITE_CONTRIBUTIONS);
        return out == null
                ? List.of()
                : out.stream().map(StreamRecord::getValue).toList();
    }

    /** Early results of windows still open: each tick what changed, marked; then the final values as without. */
    @Test
    void shouldWriteOpenWindowsRunningAggregatesOnEachTickThenTheFinalValue() throws Exception {
        harness.close();
        harness = newHarness(EARLY);
        harness.open();
        harness.setProcessingTime(T0 + 1_500); // the wall clock within the window: it is open by it
        send(reading("n-1", 1_000, 1, 50));
        send(reading("n-1", 1_200, 2, 70));
        assertThat(emitted()).as("nothing before the tick").isEmpty();

        harness.setProcessingTime(T0 + 2_000); // the tick
        assertThat(emitted())
                .containsExactly(
                        "n-1 db 10s @0s count=2 sum=120.0 min=50.0 max=70.0 early",
                        "n-1 battery 10s @0s count=2 sum=180.0 min=90.0 max=90.0 early",
                        "n-1 db 1m @0s count=2 sum=120.0 min=50.0 max=70.0 early",
                        "n-1 battery 1m @0s count=2 sum=180.0 min=90.0 max=90.0 early");
        SiteKey db10 = new SiteKey("city", "north", "noise", "db", "10s", T0);
        assertThat(contributions())
                .filteredOn(c -> c.key().equals(db10))
                .as("the first share: all so far, one device")
                .containsExactly(new SiteContribution(db10, new Aggregate(2, 120, 50, 70), 1, false, true));

        harness.getOutput().clear();
        send(reading("n-1", 3_000, 3, 30));
        harness.setProcessingTime(T0 + 3_000); // the next tick: only what came since, the device counted once
        assertThat(emitted()).contains("n-1 db 10s @0s count=3 sum=150.0 min=30.0 max=70.0 early");
        assertThat(contributions())
                .filteredOn(c -> c.key().equals(db10))
                .containsExactly(
                        new SiteContribution(db10, new Aggregate(2, 120, 50, 70), 1, false, true),
                        new SiteContribution(db10, new Aggregate(1, 30, 30, 70), 0, false, true));

        harness.getOutput().clear();
        harness.setProcessingTime(T0 + 4_000);
        assertThat(emitted()).as("no reading since: no tick").isEmpty();

        harness.processWatermark(T0 + 9_999);
        assertThat(emitted())
                .containsExactly(
                        "n-1 db 10s @0s count=3 sum=150.0 min=30.0 max=70.0",
                        "n-1 battery 10s @0s count=3 sum=270.0 min=90.0 max=90.0");
        assertThat(contributions())
                .filteredOn(c -> c.key().equals(db10) && !c.early())
                .as("the final share is the whole window, apart from the early ones")
                .containsExactly(new SiteContribution(db10, new Aggregate(3, 150, 30, 70), 1, false, false));
    }

    @Test
    void shouldWriteNoEarlyResultsForWindowsThatEndedLongerAgoThanWithin() throws Exception {
        harness.close();
        harness = newHarness(EARLY);
        harness.open();
        harness.setProcessingTime(
                T0 + 60_000 + 300_000); // both windows ended over 5 min ago by the wall clock: a backlog
        send(reading("n-1", 1_000, 1, 50));
        harness.setProcessingTime(T0 + 370_000);

        assertThat(emitted()).isEmpty();
        assertThat(contributions()).isEmpty();
        assertThat(harness.numProcessingTimeTimers())
                .as("only the forget timer")
                .isEqualTo(1);
    }

    @Test
    void shouldSendOnlySiteSharesWhenDeviceWindowsAreNotEarly() throws Exception {
        harness.close();
        harness = newHarness(new EarlyResults(Duration.ofSeconds(1), Duration.ofMinutes(5), false));
        harness.open();
        harness.setProcessingTime(T0 + 1_500);
        send(reading("n-1", 1_000, 1, 50));
        harness.setProcessingTime(T0 + 2_000);

        assertThat(emitted()).isEmpty();
        assertThat(contributions()).hasSize(4).allMatch(SiteContribution::early);
    }

    /** What was sent early is in the checkpoint: after a restore a tick sends only what came since. */
    @Test
    void shouldCarryWhatWasSentEarlyThroughACheckpoint() throws Exception {
        harness.close();
        harness = newHarness(EARLY);
        harness.open();
        harness.setProcessingTime(T0 + 1_500);
        send(reading("n-1", 1_000, 1, 50));
        harness.setProcessingTime(T0 + 2_000);
        send(reading("n-1", 2_000, 2, 70)); // a tick pending at the checkpoint
        var snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = newHarness(EARLY);
        harness.setProcessingTime(T0 + 2_500);
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(T0 + 3_000);
        SiteKey db10 = new SiteKey("city", "north", "noise", "db", "10s", T0);
        assertThat(contributions())
                .filteredOn(c -> c.key().equals(db10))
                .containsExactly(new SiteContribution(db10, new Aggregate(1, 70, 50, 70), 0, false, true));
    }
}
