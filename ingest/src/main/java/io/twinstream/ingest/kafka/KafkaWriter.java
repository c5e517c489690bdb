package io.twinstream.ingest.kafka;

import io.twinstream.ingest.config.IngestConfig;
import io.twinstream.ingest.parse.PayloadRejectedException;
import io.twinstream.model.DeadLetterHeaders;
import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes readings (key = device id, {@link ReadingCodec} value) and dead letters (original bytes,
 * reason in headers) with an idempotent producer, {@code acks=all}. Every write reports back once,
 * when Kafka has all of its records or one of them failed: the caller acknowledges MQTT only then.
 */
public final class KafkaWriter implements AutoCloseable {

    // The dead-letter contract, shared with the jobs (DeadLetterHeaders), under the names ingest used.
    public static final String HEADER_SOURCE_TOPIC = DeadLetterHeaders.SOURCE_TOPIC;
    public static final String HEADER_REASON = DeadLetterHeaders.REASON;
    public static final String HEADER_DETAIL = DeadLetterHeaders.DETAIL;
    public static final String HEADER_RECEIVED_AT = DeadLetterHeaders.RECEIVED_AT;
    public static final String HEADER_PAYLOAD_BYTES = DeadLetterHeaders.PAYLOAD_BYTES;
    public static final int DEAD_LETTER_MAX_BYTES = DeadLetterHeaders.MAX_PAYLOAD_BYTES;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String readingsTopic;
    private final String deadLetterTopic;

    public KafkaWriter(IngestConfig config) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // Kafka down: records wait and are retried for up to 2 minutes; then the bridge retries the write.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, config.clientId());
        props.putAll(config.kafkaProperties());
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        readingsTopic = config.readingsTopic();
        deadLetterTopic = config.deadLetterTopic();
    }

    /** Sends every reading; {@code done} gets null when Kafka has them all, else the first failure. */
    public void writeReadings(List<Reading> readings, Consumer<Exception> done) {
        AtomicInteger remaining = new AtomicInteger(readings.size());
        AtomicReference<Exception> failure = new AtomicReference<>();
        for (Reading reading : readings) {
            producer.send(
                    new ProducerRecord<>(
                            readingsTopic,
                            reading.deviceId().getBytes(StandardCharsets.UTF_8),
                            ReadingCodec.encode(reading)),
                    (metadata, exception) -> {
                        if (exception != null) {
                            failure.compareAndSet(null, exception);
                        }
                        if (remaining.decrementAndGet() == 0) {
                            done.accept(failure.get());
                        }
                    });
        }
    }

    /**
     * The original bytes (at most the first {@code keepBytes}), keyed by the MQTT topic, with the
     * reason and the payload's whole size in headers.
     *
     * @param keepBytes {@link #DEAD_LETTER_MAX_BYTES}, or 0 where Kafka refused even that
     */
    public void writeDeadLetter(
            String mqttTopic,
            byte[] payload,
            int keepBytes,
            PayloadRejectedException reason,
            long receivedAt,
            Consumer<Exception> done) {
        byte[] kept = payload.length > keepBytes ? Arrays.copyOf(payload, keepBytes) : payload;
        ProducerRecord<byte[], byte[]> record =
                new ProducerRecord<>(deadLetterTopic, mqttTopic.getBytes(StandardCharsets.UTF_8), kept);
        record.headers().add(new RecordHeader(HEADER_SOURCE_TOPIC, mqttTopic.getBytes(StandardCharsets.UTF_8)));
        record.headers()
                .add(new RecordHeader(HEADER_REASON, reason.reason().code().getBytes(StandardCharsets.UTF_8)));
        record.headers().add(new RecordHeader(HEADER_DETAIL, reason.getMessage().getBytes(StandardCharsets.UTF_8)));
        record.headers()
                .add(new RecordHeader(
                        HEADER_RECEIVED_AT, Long.toString(receivedAt).getBytes(StandardCharsets.UTF_8)));
        record.headers()
                .add(new RecordHeader(
                        HEADER_PAYLOAD_BYTES, Integer.toString(payload.length).getBytes(StandardCharsets.UTF_8)));
        producer.send(record, (metadata, exception) -> done.accept(exception));
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(30));
    }
}
