package io.twinstream.jobs.deadletter;

import io.twinstream.model.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The jobs' dead letters on {@code telemetry.deadletter}, in the form ingest writes its own: the
 * record's bytes as value, and headers {@code source-topic}, {@code reason}, {@code reason-detail},
 * {@code received-at} (here: when the job refused it), {@code payload-bytes}; plus
 * {@code source-partition} and {@code source-offset} where the record came from Kafka, so an
 * operator can find it again.
 */
public final class DeadLetters implements KafkaRecordSerializationSchema<RejectedRecord> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public DeadLetters(String topic) {
        this.topic = topic;
    }

    /** {@code bytes}, cut to {@link DeadLetterHeaders#MAX_PAYLOAD_BYTES}. */
    public static byte[] cut(byte[] bytes) {
        int most = DeadLetterHeaders.MAX_PAYLOAD_BYTES;
        return bytes.length <= most ? bytes : Arrays.copyOf(bytes, most);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(RejectedRecord rejected, KafkaSinkContext context, Long timestamp) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                topic,
                null,
                rejected.rejectedAt(),
                rejected.key().length == 0 ? null : rejected.key(),
                rejected.value());
        header(record, DeadLetterHeaders.SOURCE_TOPIC, rejected.source());
        header(record, DeadLetterHeaders.REASON, rejected.reason());
        header(record, DeadLetterHeaders.DETAIL, rejected.detail());
        header(record, DeadLetterHeaders.RECEIVED_AT, Long.toString(rejected.rejectedAt()));
        header(record, DeadLetterHeaders.PAYLOAD_BYTES, Integer.toString(rejected.valueBytes()));
        if (rejected.partition() >= 0) {
            header(record, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(rejected.partition()));
            header(record, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(rejected.offset()));
        }
        return record;
    }

    private static void header(ProducerRecord<byte[], byte[]> record, String name, String value) {
        record.headers().add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
    }
}
