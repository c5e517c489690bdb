package io.twinstream.jobs.deadletter;

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

    /** As ingest's: a dead letter keeps this much of the value, and says the whole size in a header. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;

    private final String topic;

    public DeadLetters(String topic) {
        this.topic = topic;
    }

    /** {@code bytes}, cut to {@link #MAX_VALUE_BYTES}. */
    public static byte[] cut(byte[] bytes) {
        return bytes.length <= MAX_VALUE_BYTES ? bytes : Arrays.copyOf(bytes, MAX_VALUE_BYTES);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(RejectedRecord rejected, KafkaSinkContext context, Long timestamp) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, rejected.rejectedAt(),
                rejected.key().length == 0 ? null : rejected.key(), rejected.value());
        header(record, "source-topic", rejected.source());
        header(record, "reason", rejected.reason());
        header(record, "reason-detail", rejected.detail());
        header(record, "received-at", Long.toString(rejected.rejectedAt()));
        header(record, "payload-bytes", Integer.toString(rejected.valueBytes()));
        if (rejected.partition() >= 0) {
            header(record, "source-partition", Integer.toString(rejected.partition()));
            header(record, "source-offset", Long.toString(rejected.offset()));
        }
        return record;
    }

    private static void header(ProducerRecord<byte[], byte[]> record, String name, String value) {
        record.headers().add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
    }
}
