package io.twinstream.jobs.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** {@link RestoredWatermark} in a test harness: what it passes on before and after a restore. */
class RestoredWatermarkTest {

    private static OneInputStreamOperatorTestHarness<Long, Long> harness(OperatorSubtaskState restoreFrom)
            throws Exception {
        var harness = new OneInputStreamOperatorTestHarness<>(new RestoredWatermark<Long>());
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    private static List<String> out(OneInputStreamOperatorTestHarness<Long, Long> harness) {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add("r" + r.getValue());
            } else if (o instanceof Watermark w) {
                out.add("w" + w.getTimestamp());
            }
        }
        return out;
    }

    @Test
    void shouldPassEverythingOnWhenNothingWasRestored() throws Exception {
        try (var fresh = harness(null)) {
            fresh.processElement(5L, 5);
            fresh.processWatermark(3);
            fresh.processElement(2L, 2);

            assertThat(out(fresh)).containsExactly("r5", "w3", "r2");
        }
    }

    @Test
    void shouldHandTheCheckpointedWatermarkOnBeforeTheFirstReplayedReadingAndHoldItUntilTheInputsCatchUp()
            throws Exception {
        OperatorSubtaskState checkpoint;
        try (var before = harness(null)) {
            before.processWatermark(290_000);
            checkpoint = before.snapshot(1, 0);
        }
        try (var restored = harness(checkpoint)) {
            restored.processElement(5_000L, 5_000); // replayed, far behind: the windows behind must see it as late
            restored.processWatermark(100_000); // the inputs start again from nothing
            restored.processWatermark(295_000);

            assertThat(out(restored)).containsExactly("w290000", "r5000", "w295000");
        }
    }
}
