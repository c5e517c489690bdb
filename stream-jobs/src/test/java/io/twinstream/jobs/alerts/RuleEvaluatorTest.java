package io.twinstream.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.model.Reading;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RuleEvaluatorTest {

    private static final String RULES = String.join(
            "\n",
            "rules:",
            "  - name: spindle-hot",
            "    severity: critical",
            "    match: { deviceType: cnc, metric: spindle_temp }",
            "    above: 80",
            "    for: 30s",
            "    clearBelow: 70");

    private KeyedBroadcastOperatorTestHarness<String, Reading, String, AlertTransition> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new RuleEvaluator(RulesParser.parse("rules.yaml", RULES), Duration.ofSeconds(60)),
                Reading::deviceId,
                Types.STRING,
                RuleEvaluator.RULES);
        // The rules input never holds event time back (the job gives it the final watermark too).
        harness.processBroadcastWatermark(Long.MAX_VALUE);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    /** A reading of cnc-1's spindle temperature at second {@code s}. */
    private static Reading temp(String device, long s, double celsius) {
        return new Reading(
                "factory",
                "plant-1",
                "cnc",
                device,
                s * 1000,
                s + 1,
                s * 1000,
                new String[] {"spindle_temp", "vibration"},
                new double[] {celsius, 0.1});
    }

    /** Readings every 10 s from second 0, the watermark following each. */
    private void series(double... celsius) throws Exception {
        for (int i = 0; i < celsius.length; i++) {
            Reading r = temp("cnc-1", i * 10L, celsius[i]);
            harness.processElement(r, r.ts());
            harness.processWatermark(r.ts());
        }
    }

    private int keyedStateEntries() {
        return ((HeapKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend()).numKeyValueStateEntries();
    }

    private List<String> transitions() {
        return harness.extractOutputValues().stream()
                .map(t -> t.state() + " " + t.rule() + " " + t.deviceId() + " @" + t.ts() / 1000 + "s " + t.value()
                        + " (" + t.threshold() + ")")
                .toList();
    }

    @Test
    void shouldRaiseNothingForASpikeShorterThanItsForDuration() throws Exception {
        series(60, 90, 95, 99, 60); // above for 20 s only

        assertThat(transitions()).isEmpty();
    }

    @Test
    void shouldRaiseAtTheReadingThatCompletesTheForDurationThenClearBelowTheClearThreshold() throws Exception {
        series(60, 85, 90, 88, 95, 75, 65, 60);

        assertThat(transitions())
                .containsExactly(
                        "RAISED spindle-hot cnc-1 @40s 95.0 (80.0)", // above since 10 s, held 30 s at 40 s
                        "CLEARED spindle-hot cnc-1 @60s 65.0 (70.0)"); // 75 is below 80 but not below 70
    }

    @Test
    void shouldRaiseAndClearOnceWhileTheValueOscillatesBetweenTheThresholds() throws Exception {
        series(85, 85, 85, 85, 75, 85, 72, 79, 81, 71, 85, 69, 75, 78, 75);

        assertThat(transitions())
                .containsExactly(
                        "RAISED spindle-hot cnc-1 @30s 85.0 (80.0)", "CLEARED spindle-hot cnc-1 @110s 69.0 (70.0)");
    }

    @Test
    void shouldNotRaiseBecauseAReadingCameOutOfOrder() throws Exception {
        Reading[] arrival = {temp("cnc-1", 0, 90), temp("cnc-1", 40, 90), temp("cnc-1", 20, 60), temp("cnc-1", 50, 90)};
        for (Reading r : arrival) {
            harness.processElement(r, r.ts());
        }
        harness.processWatermark(50_000);

        assertThat(transitions())
                .as("in event time the condition broke at 20 s; 40-50 s is too short")
                .isEmpty();

        Reading later = temp("cnc-1", 70, 90);
        harness.processElement(later, later.ts());
        harness.processWatermark(70_000);
        assertThat(transitions()).as("held since 40 s").containsExactly("RAISED spindle-hot cnc-1 @70s 90.0 (80.0)");
    }

    @Test
    void shouldLeaveNoStateOrTimerBehindOnceAnAlertCleared() throws Exception {
        series(85, 85, 85, 85, 60);

        assertThat(transitions()).hasSize(2);
        assertThat(keyedStateEntries())
                .as("only the device's record (dimensions, newest evaluated time) is left")
                .isOne();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void shouldIgnoreReadingsNoRuleWatches() throws Exception {
        Reading other =
                new Reading("city", "mitte", "noise", "n-1", 1000, 1, 1000, new String[] {"db"}, new double[] {99});
        harness.processElement(other, other.ts());

        assertThat(keyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void shouldApplyNewRulesWhileRunningAndKeepTheLastGoodOnesWhenGivenBadOnes() throws Exception {
        harness.processBroadcastElement(
                RULES.replace("above: 80", "above: 60").replace("clearBelow: 70", "clearBelow: 50"), 0);
        harness.processBroadcastElement(
                "rules:\n  - { name: broken, match: { metric: spindle_temp }, above: 50, clearBelow: 90 }", 0);
        series(65, 65, 65, 65);

        assertThat(transitions()).containsExactly("RAISED spindle-hot cnc-1 @30s 65.0 (60.0)");
    }

    @Test
    void shouldEvaluateAReadingBehindTheWatermarkThatIsStillInOrderForItsDevice() throws Exception {
        series(90, 90); // 0 s and 10 s, watermark at 10 s
        harness.processWatermark(25_000); // other devices moved event time on
        Reading behind = temp("cnc-1", 20, 90);
        harness.processElement(behind, behind.ts());
        Reading next = temp("cnc-1", 30, 90);
        harness.processElement(next, next.ts());
        harness.processWatermark(30_000);

        assertThat(transitions()).containsExactly("RAISED spindle-hot cnc-1 @30s 90.0 (80.0)");
    }

    @Test
    void shouldLeaveOutAReadingOlderThanOneAlreadyEvaluatedOrBeyondTheAllowedLateness() throws Exception {
        series(90, 90, 90); // 0-20 s above
        Reading outOfOrder = temp("cnc-1", 15, 60); // would break the run, but 20 s was judged already
        harness.processElement(outOfOrder, outOfOrder.ts());
        harness.processWatermark(200_000);
        Reading tooLate = temp("cnc-1", 100, 60); // behind the watermark by more than 60 s
        harness.processElement(tooLate, tooLate.ts());
        Reading onTime = temp("cnc-1", 200, 90);
        harness.processElement(onTime, onTime.ts());
        harness.processWatermark(200_000);

        assertThat(transitions())
                .as("the run from 0 s is unbroken: 200 s completes it")
                .containsExactly("RAISED spindle-hot cnc-1 @200s 90.0 (80.0)");
    }

    @Test
    void shouldJudgeWindowRulesOnEachClosedWindowsAggregate() throws Exception {
        harness.processBroadcastElement(
                String.join(
                        "\n",
                        "rules:",
                        "  - name: spindle-hot-mean",
                        "    severity: warning",
                        "    match: { deviceType: cnc, metric: spindle_temp }",
                        "    value: 1m mean",
                        "    above: 80",
                        "    for: 2m",
                        "    clearBelow: 70"),
                0);
        // minute 0: mean 75 · minutes 1, 2: mean 85 (one reading of 60 among 95s) · minute 3: mean 68
        double[][] minutes = {
            {70, 80, 75, 75, 75, 75}, {95, 95, 60, 90, 85, 85}, {85, 85, 85, 85, 85, 85}, {68, 68, 68, 68, 68, 68}
        };
        for (int m = 0; m < minutes.length; m++) {
            for (int i = 0; i < 6; i++) {
                Reading r = temp("cnc-1", m * 60L + i * 10L, minutes[m][i]);
                harness.processElement(r, r.ts());
                harness.processWatermark(r.ts());
            }
        }
        assertThat(transitions())
                .as("minute 1's window alone holds 1 min, not 2; minutes 1 and 2 hold 60-180 s")
                .containsExactly("RAISED spindle-hot-mean cnc-1 @180s 85.0 (80.0)");

        harness.processWatermark(240_000); // closes minute 3
        assertThat(transitions())
                .containsExactly(
                        "RAISED spindle-hot-mean cnc-1 @180s 85.0 (80.0)",
                        "CLEARED spindle-hot-mean cnc-1 @240s 68.0 (70.0)");
        assertThat(harness.numEventTimeTimers()).as("no window left open").isZero();
    }

    @Test
    void shouldRaiseOnlyWithinItsTimeOfDayWindowButClearOutsideIt() throws Exception {
        harness.processBroadcastElement(
                String.join(
                        "\n",
                        "rules:",
                        "  - name: hot-at-night",
                        "    match: { deviceType: cnc, metric: spindle_temp }",
                        "    above: 80",
                        "    for: 20s",
                        "    clearBelow: 70",
                        "    during: '00:01-00:02'"),
                0); // UTC; the series starts at 00:00:00
        long[] seconds = {0, 20, 40, 60, 70, 80, 90, 120, 130, 140};
        double[] celsius = {90, 90, 90, 90, 90, 90, 90, 90, 60, 60};
        for (int i = 0; i < seconds.length; i++) {
            Reading r = temp("cnc-1", seconds[i], celsius[i]);
            harness.processElement(r, r.ts());
            harness.processWatermark(r.ts());
        }

        assertThat(transitions())
                .as("hot all along; from 00:01 it may raise, held 20 s at 00:01:20; cleared after 00:02")
                .containsExactly(
                        "RAISED hot-at-night cnc-1 @80s 90.0 (80.0)", "CLEARED hot-at-night cnc-1 @130s 60.0 (70.0)");
    }
}
