package io.twinstream.jobs.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.model.Reading;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PresenceTrackerTest {

    private KeyedOneInputStreamOperatorTestHarness<String, Reading, StatusTransition> harness;

    @BeforeEach
    void open() throws Exception {
        // offline after 3 expected intervals; 60 s assumed before a device's second reading; forgotten 100 s
        // after going offline
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new PresenceTracker(3, Duration.ofSeconds(60), Duration.ofSeconds(100)),
                Reading::deviceId,
                Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void reading(String device, long second) throws Exception {
        Reading r = new Reading(
                "city",
                "mitte",
                "noise",
                device,
                second * 1000,
                second,
                second * 1000,
                new String[] {"db"},
                new double[] {40});
        harness.processElement(r, r.ts());
    }

    private void watermark(long second) throws Exception {
        harness.processWatermark(second * 1000);
    }

    private List<String> transitions() {
        return harness.extractOutputValues().stream()
                .map(t -> t.state() + " " + t.deviceId() + " @" + t.ts() / 1000 + "s last " + t.lastSeen() / 1000 + "s")
                .toList();
    }

    @Test
    void shouldGoOfflineAfterThreeIntervalsOfSilenceAndOnlineWithTheNextReading() throws Exception {
        for (long s = 0; s <= 40; s += 10) {
            reading("n-1", s);
            watermark(s);
        }
        watermark(69); // silent 29 s: under 3 × 10 s
        assertThat(transitions()).containsExactly("ONLINE n-1 @0s last 0s");

        watermark(70);
        reading("n-1", 95);
        watermark(95);

        assertThat(transitions())
                .containsExactly("ONLINE n-1 @0s last 0s", "OFFLINE n-1 @70s last 40s", "ONLINE n-1 @95s last 95s");
    }

    /** Issue #17: every device id ever seen stayed in state, so invented ids grew it without bound. */
    @Test
    void shouldForgetADeviceOfflineForTheForgetTimeAndGreetItAsNewAfter() throws Exception {
        for (long s = 0; s <= 40; s += 10) {
            reading("n-1", s);
            watermark(s);
        }
        watermark(169);
        assertThat(harness.numKeyedStateEntries())
                .as("offline since 70 s: not yet forgotten")
                .isOne();

        watermark(170);
        assertThat(harness.numKeyedStateEntries()).as("forgotten").isZero();
        assertThat(harness.numEventTimeTimers()).isZero();

        reading("n-1", 200);
        watermark(379); // its 10-s interval is forgotten too: 3 × the default 60 s from 200 s
        watermark(380);
        assertThat(transitions())
                .containsExactly(
                        "ONLINE n-1 @0s last 0s",
                        "OFFLINE n-1 @70s last 40s",
                        "ONLINE n-1 @200s last 200s",
                        "OFFLINE n-1 @380s last 200s");
    }

    @Test
    void shouldKeepADeviceThatComesBackBeforeItIsForgotten() throws Exception {
        for (long s = 0; s <= 40; s += 10) {
            reading("n-1", s);
            watermark(s);
        }
        watermark(100); // offline at 70 s
        reading("n-1", 150);
        watermark(250); // past the forget time of the first offline spell: 70 + 100 s
        assertThat(harness.numKeyedStateEntries()).isOne();
        assertThat(transitions())
                .containsExactly(
                        "ONLINE n-1 @0s last 0s",
                        "OFFLINE n-1 @70s last 40s",
                        "ONLINE n-1 @150s last 150s",
                        "OFFLINE n-1 @180s last 150s"); // its 10-s interval kept: 3 × 10 s after 150 s
    }

    @Test
    void shouldNotFlapForADeviceThatKeepsItsIntervalWithJitterAndOneLongGap() throws Exception {
        long[] seconds = {0, 10, 21, 30, 39, 50, 75, 80, 90, 101, 110};
        for (long s : seconds) {
            reading("n-1", s);
            watermark(s);
        }
        assertThat(transitions())
                .as("a 25 s gap once is under 3 × the median gap")
                .containsExactly("ONLINE n-1 @0s last 0s");
        assertThat(harness.numEventTimeTimers())
                .as("one timer per device, not one per reading")
                .isOne();
    }

    @Test
    void shouldAssumeTheDefaultIntervalUntilTheSecondReading() throws Exception {
        reading("n-1", 0);
        watermark(179);
        assertThat(transitions()).containsExactly("ONLINE n-1 @0s last 0s");

        watermark(180);
        assertThat(transitions()).containsExactly("ONLINE n-1 @0s last 0s", "OFFLINE n-1 @180s last 0s");
    }

    @Test
    void shouldNotComeBackOnlineForAReadingOlderThanTheOfflineMoment() throws Exception {
        for (long s = 0; s <= 20; s += 10) {
            reading("n-1", s);
        }
        watermark(50);
        reading("n-1", 45); // arrived after the device was judged offline at 50 s, sent before it

        assertThat(transitions()).containsExactly("ONLINE n-1 @0s last 0s", "OFFLINE n-1 @50s last 20s");
        assertThat(harness.numEventTimeTimers())
                .as("while offline, only the timer that forgets it")
                .isOne();
    }

    @Test
    void shouldJudgeEachDeviceOnItsOwnInterval() throws Exception {
        for (long s = 0; s <= 60; s += 2) {
            reading("fast", s);
            if (s % 30 == 0) {
                reading("slow", s);
            }
        }
        watermark(66); // fast silent 6 s = 3 × 2 s; slow silent 6 s of its 90
        assertThat(transitions())
                .containsExactly("ONLINE fast @0s last 0s", "ONLINE slow @0s last 0s", "OFFLINE fast @66s last 60s");
    }
}
