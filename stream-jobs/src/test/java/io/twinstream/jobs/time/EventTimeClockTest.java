package io.twinstream.jobs.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link EventTimeClock} in a test harness: watermarks and readings in, on a fake wall clock (2 s
 * idle). The harness has no mailbox loop, so the tests say when the task waits for input by driving
 * the task's own idle timer, as the loop does.
 */
class EventTimeClockTest {

    private static final long EVENT_TIME = 1_767_600_000_000L; // January 2026: far from the wall clock below
    private static final long WALL = 5_000_000;

    private final List<OneInputStreamOperatorTestHarness<Long, Long>> opened = new ArrayList<>();

    private OneInputStreamOperatorTestHarness<Long, Long> clock(OperatorSubtaskState restoreFrom) throws Exception {
        OneInputStreamOperatorTestHarness<Long, Long> harness =
                new OneInputStreamOperatorTestHarness<>(new EventTimeClock<Long>(Duration.ofSeconds(2)));
        harness.setProcessingTime(WALL);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        opened.add(harness);
        return harness;
    }

    @AfterEach
    void close() throws Exception {
        for (var harness : opened) {
            harness.close();
        }
    }

    /** What left the clock, in order: readings as "r<ts>", watermarks as "w<ts>", statuses as "idle"/"active". */
    private static List<String> out(OneInputStreamOperatorTestHarness<Long, Long> harness) {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add("r" + (((Long) r.getValue()) - EVENT_TIME));
            } else if (o instanceof Watermark w) {
                out.add("w" + (w.getTimestamp() - EVENT_TIME));
            } else if (o instanceof WatermarkStatus s) {
                out.add(s.isIdle() ? "idle" : "active");
            }
        }
        harness.getOutput().clear();
        return out;
    }

    private static void reading(OneInputStreamOperatorTestHarness<Long, Long> harness, long offset) throws Exception {
        harness.processElement(EVENT_TIME + offset, EVENT_TIME + offset);
    }

    private static void watermark(OneInputStreamOperatorTestHarness<Long, Long> harness, long offset) throws Exception {
        harness.processWatermark(EVENT_TIME + offset);
    }

    /** The task runs out of input (its mailbox loop starts the idle timer). */
    private static void waitsForInput(OneInputStreamOperatorTestHarness<Long, Long> harness) {
        harness.getEnvironment()
                .getMetricGroup()
                .getIOMetricGroup()
                .getIdleTimeMsPerSecond()
                .markStart();
    }

    /** Input is available again. */
    private static void inputArrives(OneInputStreamOperatorTestHarness<Long, Long> harness) {
        harness.getEnvironment()
                .getMetricGroup()
                .getIOMetricGroup()
                .getIdleTimeMsPerSecond()
                .markEnd();
    }

    @Test
    void shouldPassTheSourcesWatermarksOnAndNeverGoBack() throws Exception {
        var clock = clock(null);
        reading(clock, 10_000);
        watermark(clock, 5_000);
        watermark(clock, 4_000); // a partition back from idle, behind: ignored
        reading(clock, 11_000);
        watermark(clock, 6_000);

        assertThat(out(clock)).containsExactly("r10000", "w5000", "r11000", "w6000");
    }

    @Test
    void shouldMoveOnByTheTimeWaitedOnceTheTaskWaitedForInputForTheIdleTime() throws Exception {
        var clock = clock(null);
        reading(clock, 10_000);
        watermark(clock, 5_000);
        waitsForInput(clock);
        clock.setProcessingTime(WALL + 1_000);
        assertThat(out(clock)).as("not idle yet").containsExactly("r10000", "w5000");

        clock.setProcessingTime(WALL + 2_000); // idle from here
        clock.setProcessingTime(WALL + 12_000);

        List<String> advanced = out(clock);
        assertThat(advanced)
                .last()
                .as("10 s after the idle time: 10 s of event time on, never the wall clock")
                .isEqualTo("w15000");
        inputArrives(clock);
        reading(clock, 12_000); // the fleet is back, behind the advanced watermark
        watermark(clock, 7_000);
        clock.setProcessingTime(WALL + 13_000);
        assertThat(out(clock)).containsExactly("r12000");
    }

    /**
     * The fault an end-to-end benchmark found: backpressured, the source delivers nothing for a
     * long while though it has a backlog; wall time alone took that for a quiet fleet.
     */
    @Test
    void shouldNotMoveOnWhileTheTaskIsBackpressuredHoweverLongNoReadingComes() throws Exception {
        var clock = clock(null);
        reading(clock, 10_000);
        watermark(clock, 5_000);
        clock.setProcessingTime(WALL + 60_000); // a minute backpressured: input there, no room to write it
        assertThat(out(clock)).containsExactly("r10000", "w5000");

        waitsForInput(clock); // the backlog is read: now the fleet is quiet
        clock.setProcessingTime(WALL + 61_000);
        assertThat(out(clock)).as("waited 1 s of the 2 s idle time").isEmpty();
        clock.setProcessingTime(WALL + 65_000);
        assertThat(out(clock))
                .as("waited 5 s: 3 s beyond the idle time, by the time waited only")
                .last()
                .isEqualTo("w8000");

        inputArrives(clock);
        clock.setProcessingTime(WALL + 90_000); // backpressured again, with no new reading yet
        assertThat(out(clock)).isEmpty();
        waitsForInput(clock);
        clock.setProcessingTime(WALL + 91_000);
        assertThat(out(clock))
                .as("goes on from the time waited before: no reading came in between")
                .last()
                .isEqualTo("w9000");
    }

    @Test
    void shouldNotHoldOthersBackWhileItHasNoWatermarkAndItsPartitionsAreIdle() throws Exception {
        var clock = clock(null);
        clock.setProcessingTime(WALL + 60_000);
        assertThat(out(clock)).as("no basis for a watermark yet").isEmpty();

        clock.processWatermarkStatus(WatermarkStatus.IDLE);
        clock.processWatermarkStatus(WatermarkStatus.IDLE);
        watermark(clock, 1_000);

        assertThat(out(clock)).containsExactly("idle", "active", "w1000");
    }

    @Test
    void shouldHoldOthersBackAgainFromItsFirstReadingBeforeItHasAWatermark() throws Exception {
        var clock = clock(null);
        clock.processWatermarkStatus(WatermarkStatus.IDLE);
        reading(clock, 9_000); // a backlog landed: readings, no watermark yet
        reading(clock, 9_500);
        clock.processWatermarkStatus(WatermarkStatus.IDLE); // nothing more after all
        reading(clock, 9_700);
        watermark(clock, 1_000);
        clock.processWatermarkStatus(WatermarkStatus.IDLE); // from here on it advances by itself

        assertThat(out(clock)).containsExactly("idle", "active", "r9000", "r9500", "idle", "active", "r9700", "w1000");
    }

    @Test
    void shouldSendTheLowestCheckpointedWatermarkAfterARestoreBeforeAnyReading() throws Exception {
        var first = clock(null);
        var second = clock(null);
        watermark(first, 300_000);
        watermark(second, 290_000); // the operators behind both had seen 290 s
        OperatorSubtaskState state =
                AbstractStreamOperatorTestHarness.repackageState(first.snapshot(1, WALL), second.snapshot(1, WALL));
        out(first);
        out(second);

        var restored = clock(AbstractStreamOperatorTestHarness.repartitionOperatorState(state, 128, 2, 2, 0));
        reading(restored, 5_000); // replayed from before the failure, far too late: behind the watermark again
        watermark(restored, -25_000); // the source starts again from nothing

        assertThat(out(restored)).containsExactly("w290000", "r5000");
    }

    @Test
    void shouldMoveOnFromTheRestoredWatermarkWhenNothingIsLeftToRead() throws Exception {
        var before = clock(null);
        watermark(before, 300_000);
        OperatorSubtaskState state = before.snapshot(1, WALL);

        var restored = clock(state);
        waitsForInput(restored);
        restored.setProcessingTime(WALL + 200);
        assertThat(out(restored)).containsExactly("w300000");
        restored.setProcessingTime(WALL + 2_000);
        restored.setProcessingTime(WALL + 7_000);

        assertThat(out(restored)).last().isEqualTo("w305000");
    }
}
