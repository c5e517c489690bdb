package io.twinstream.jobs.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.model.Reading;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/** {@link LateByDevice} in a harness: 125 s bound (5 s out-of-orderness + 60 s lateness + 1 min window). */
class LateByDeviceTest {

    private static final OutputTag<Reading> LATE = new OutputTag<>("late", ReadingTypes.READING);
    private static final long T0 = 1_767_600_000_000L;

    private static Reading reading(String device, long secondsAfterT0, long seq) {
        long ts = T0 + secondsAfterT0 * 1000;
        return new Reading("city", "north", "noise", device, ts, seq, ts, new String[] {"db"}, new double[] {40});
    }

    @Test
    void shouldSendOnlyReadingsFarBehindTheirOwnDevicesNewestToTheLateOutput() throws Exception {
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                new LateByDevice(Duration.ofSeconds(125), Duration.ofHours(1), LATE)), Reading::deviceId, Types.STRING)) {
            harness.open();
            harness.processElement(reading("a", 300, 1), 0);
            harness.processElement(reading("a", 176, 2), 0); // 124 s behind a's newest: left to the watermark
            harness.processElement(reading("a", 174, 3), 0); // 126 s behind: late
            harness.processElement(reading("b", 0, 1), 0);   // another device: its own newest counts
            harness.processElement(reading("a", 400, 4), 0);
            harness.processElement(reading("a", 280, 5), 0); // 120 s behind the new newest: passes

            assertThat(harness.extractOutputValues()).extracting(Reading::seq).containsExactly(1L, 2L, 1L, 4L, 5L);
            List<Reading> late = harness.getSideOutput(LATE).stream().map(r -> r.getValue()).toList();
            assertThat(late).extracting(Reading::deviceId, Reading::seq).containsExactly(org.assertj.core.groups.Tuple.tuple("a", 3L));
        }
    }
}
