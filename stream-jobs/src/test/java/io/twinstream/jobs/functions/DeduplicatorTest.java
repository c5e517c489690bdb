package io.twinstream.jobs.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.model.Reading;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeduplicatorTest {

    private KeyedOneInputStreamOperatorTestHarness<String, Reading, Reading> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new Deduplicator(Duration.ofMinutes(10))), Reading::deviceId, Types.STRING);
        harness.setup(ReadingTypes.READING.createSerializer(
                harness.getExecutionConfig().getSerializerConfig()));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static Reading reading(String device, long ts, long seq) {
        return new Reading("city", "north", "noise", device, ts, seq, ts + 100, new String[] {"db"}, new double[] {50});
    }

    private void send(Reading... readings) throws Exception {
        for (Reading r : readings) {
            harness.processElement(r, r.ts());
        }
    }

    private List<Reading> output() {
        return harness.extractOutputValues();
    }

    @Test
    void shouldLetARedeliveredReadingThroughOnce() throws Exception {
        send(reading("n-1", 1_000, 1), reading("n-1", 2_000, 2), reading("n-1", 1_000, 1), reading("n-1", 2_000, 2));

        assertThat(output()).extracting(Reading::seq).containsExactly(1L, 2L);
    }

    @Test
    void shouldTellDevicesApart() throws Exception {
        send(reading("n-1", 1_000, 1), reading("n-2", 1_000, 1));

        assertThat(output()).extracting(Reading::deviceId).containsExactly("n-1", "n-2");
    }

    @Test
    void shouldIdentifyReadingsWithoutSeqByTimestamp() throws Exception {
        send(
                reading("s-1", 1_000, Reading.NO_SEQ),
                reading("s-1", 1_000, Reading.NO_SEQ),
                reading("s-1", 2_000, Reading.NO_SEQ));

        assertThat(output()).extracting(Reading::ts).containsExactly(1_000L, 2_000L);
    }

    @Test
    void shouldKeepSeqAndTimestampIdentitiesApart() throws Exception {
        send(reading("x-1", 5, 7), reading("x-1", 7, Reading.NO_SEQ));

        assertThat(output()).hasSize(2);
    }

    @Test
    void shouldCountReadingsOfADeviceThatRestartedItsSeq() throws Exception {
        send(reading("n-1", 1_000, 1), reading("n-1", 2_000, 2), reading("n-1", 9_000, 1), reading("n-1", 9_000, 1));

        assertThat(output()).extracting(Reading::ts).containsExactly(1_000L, 2_000L, 9_000L);
    }

    @Test
    void shouldForgetAfterItsMemorySoStateStaysBounded() throws Exception {
        harness.setStateTtlProcessingTime(0);
        send(reading("n-1", 1_000, 1));
        harness.setStateTtlProcessingTime(Duration.ofMinutes(11).toMillis());
        send(reading("n-1", 1_000, 1));

        assertThat(output()).as("remembered for 10 minutes only").hasSize(2);
    }
}
