package io.twinstream.jobs.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.jobs.deadletter.DeadLetters;
import io.twinstream.jobs.deadletter.RejectedRecord;
import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.SiteKey;
import io.twinstream.jobs.metrics.SiteWindow;
import io.twinstream.model.DeadLetterHeaders;
import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class CheckingReadingDeserializerTest {

    /** The clock of these checks, pinned: what counts is the distance to it. */
    private static final long NOW = 1_767_600_000_000L;

    private final CheckingReadingDeserializer deserializer = new CheckingReadingDeserializer(Duration.ofMinutes(5));

    private static Reading reading(long ts, long ingestedAt) {
        return new Reading(
                "city",
                "north",
                "air-quality",
                "aq-000001",
                ts,
                42,
                ingestedAt,
                new String[] {"pm25", "no2"},
                new double[] {12.5, 40.0});
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] value) {
        return new ConsumerRecord<>(
                "telemetry.readings", 2, 1234L, "aq-000001".getBytes(StandardCharsets.UTF_8), value);
    }

    private Either<Reading, RejectedRecord> check(byte[] value) {
        return deserializer.check(record(value), NOW);
    }

    @Test
    void shouldPassWhatIngestWrites() {
        Reading reading = reading(NOW - 250, NOW);
        assertThat(check(ReadingCodec.encode(reading)).left()).isEqualTo(reading);
        // a replay of old data: far behind the clock, close to when ingest received it
        Reading old = reading(
                NOW - Duration.ofDays(900).toMillis(),
                NOW - Duration.ofDays(900).toMillis() + 50);
        assertThat(check(ReadingCodec.encode(old)).left()).isEqualTo(old);
        // within the future bound (clocks of two machines)
        Reading ahead = reading(NOW + Duration.ofMinutes(5).toMillis(), NOW);
        assertThat(check(ReadingCodec.encode(ahead)).left()).isEqualTo(ahead);
    }

    @Test
    void shouldRefuseWhatDoesNotDecodeNamingWhy() {
        byte[] valid = ReadingCodec.encode(reading(NOW, NOW));
        assertRefused(check("{\"ts\":1}".getBytes(StandardCharsets.UTF_8)), "undecodable", "encoding version 123");
        assertRefused(check(Arrays.copyOf(valid, valid.length - 3)), "undecodable", "truncated");
        assertRefused(check(new byte[0]), "undecodable", "empty");
        assertRefused(check(null), "undecodable", "empty");
        byte[] longer = Arrays.copyOf(valid, valid.length + 2);
        assertRefused(check(longer), "undecodable", "trailing");
        byte[] noMetrics = ReadingCodec.encode(reading(NOW, NOW));
        // the metric count's low byte (before "pm25" and "no2", each u16 length + name + f64): 2 → 0
        noMetrics[noMetrics.length - (2 + 4 + 8) - (2 + 3 + 8) - 1] = 0;
        assertRefused(check(noMetrics), "undecodable", "trailing"); // what follows the count is left over
        byte[] emptyDevice = ReadingCodec.encode(
                new Reading("city", "north", "air-quality", "x", NOW, 1, NOW, new String[] {"pm25"}, new double[] {1}));
        int deviceLength = 1 + 1 + 8 + 8 + 8 + (2 + 4) + (2 + 5) + (2 + 11)
                + 1; // version … site, deviceType, deviceId's low length byte
        emptyDevice[deviceLength] = 0; // deviceId "x" → "", its byte left over
        assertRefused(check(emptyDevice), "undecodable", "");
    }

    @Test
    void shouldRefuseTimestampsThatWouldPoisonEventTime() {
        long ahead = NOW + Duration.ofDays(300).toMillis();
        assertRefused(
                check(ReadingCodec.encode(reading(ahead, ahead))),
                "timestamp-in-future",
                "ms ahead of the job's clock");
        assertRefused(
                check(ReadingCodec.encode(reading(NOW + Duration.ofMinutes(5).toMillis() + 1, NOW))),
                "timestamp-in-future",
                "");
        assertRefused(check(ReadingCodec.encode(reading(Long.MAX_VALUE, NOW))), "timestamp-in-future", "");
    }

    @Test
    void shouldRefuseTimestampsFarBeforeTheirReceiptWithoutOverflowing() {
        assertRefused(
                check(ReadingCodec.encode(reading(Long.MIN_VALUE + NOW, NOW))), "timestamp-out-of-range", "366 days");
        assertRefused(check(ReadingCodec.encode(reading(Long.MIN_VALUE, NOW))), "timestamp-out-of-range", "");
        assertRefused(
                check(ReadingCodec.encode(reading(NOW - Duration.ofDays(367).toMillis(), NOW))),
                "timestamp-out-of-range",
                "");
    }

    @Test
    void shouldKeepWhereARefusedRecordCameFromAndCutItsBytes() {
        byte[] big = new byte[DeadLetterHeaders.MAX_PAYLOAD_BYTES * 2];
        big[0] = 9;
        RejectedRecord refused = check(big).right();
        assertThat(refused.source()).isEqualTo("telemetry.readings");
        assertThat(refused.partition()).isEqualTo(2);
        assertThat(refused.offset()).isEqualTo(1234L);
        assertThat(new String(refused.key(), StandardCharsets.UTF_8)).isEqualTo("aq-000001");
        assertThat(refused.value()).hasSize(DeadLetterHeaders.MAX_PAYLOAD_BYTES);
        assertThat(refused.valueBytes()).isEqualTo(big.length);
        assertThat(refused.rejectedAt()).isEqualTo(NOW);

        ProducerRecord<byte[], byte[]> letter = new DeadLetters("telemetry.deadletter").serialize(refused, null, null);
        assertThat(letter.topic()).isEqualTo("telemetry.deadletter");
        assertThat(header(letter, "source-topic")).isEqualTo("telemetry.readings");
        assertThat(header(letter, "reason")).isEqualTo("undecodable");
        assertThat(header(letter, "reason-detail")).contains("version 9");
        assertThat(header(letter, "payload-bytes")).isEqualTo(Integer.toString(big.length));
        assertThat(header(letter, "source-partition")).isEqualTo("2");
        assertThat(header(letter, "source-offset")).isEqualTo("1234");
        assertThat(letter.key()).isEqualTo(refused.key());
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static void assertRefused(Either<Reading, RejectedRecord> checked, String reason, String detail) {
        assertThat(checked.isRight()).as("refused").isTrue();
        assertThat(checked.right().reason()).isEqualTo(reason);
        assertThat(checked.right().detail()).contains(detail);
    }

    /**
     * pipeline.generic-types=false would fail the job at start on a Kryo fallback (records, keys,
     * state); catch it here first.
     */
    @Test
    void shouldSerializeTheJobsRecordsWithoutKryo() {
        for (Class<?> type : new Class<?>[] {
            Reading.class, DeviceWindow.class, SiteWindow.class, SiteKey.class, Aggregate.class, RejectedRecord.class
        }) {
            TypeInformation<?> info = TypeInformation.of(type);
            assertThat(info)
                    .as(type.getSimpleName())
                    .isNotInstanceOf(GenericTypeInfo.class)
                    .isInstanceOf(PojoTypeInfo.class);
        }
    }
}
