package io.twinstream.pipeline.bench;

import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** {@code telemetry.readings} read back from its start once a benchmark run is over. */
final class ReadingsTopic {

    /** A reading and the partition it was in. */
    interface ReadingConsumer {
        void accept(int partition, Reading reading);
    }

    private ReadingsTopic() {}

    /**
     * Hands each record, decoded, to {@code each} in partition order until {@code expected} were read,
     * five minutes have passed or ten seconds brought nothing; returns how many were read.
     */
    static long forEach(String bootstrap, long expected, ReadingConsumer each) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", "bench-readback-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("telemetry.readings"));
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            int emptyPolls = 0;
            while (read < expected && System.nanoTime() < deadline && emptyPolls < 20) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                emptyPolls = batch.isEmpty() ? emptyPolls + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    each.accept(record.partition(), ReadingCodec.decode(record.value()));
                    read++;
                }
            }
        }
        return read;
    }
}
