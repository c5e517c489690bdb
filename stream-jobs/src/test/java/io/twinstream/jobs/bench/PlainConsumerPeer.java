package io.twinstream.jobs.bench;

import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The benchmark's ceiling: one plain {@link KafkaConsumer} (default settings) reading the topic
 * from the beginning and decoding every reading, nothing else. Prints {@code RESULT records=…
 * seconds=…} (first non-empty poll to the last record) and exits.
 * <p>Arguments: bootstrap servers, topic, number of records to read.
 */
public final class PlainConsumerPeer {

    private PlainConsumerPeer() {}

    public static void main(String[] args) {
        String bootstrap = args[0];
        String topic = args[1];
        long expected = Long.parseLong(args[2]);
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            System.out.println("READY");
            long read = 0;
            long firstAt = 0;
            double checksum = 0; // used, so the decoding cannot be optimised away
            while (read < expected) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (firstAt == 0 && !records.isEmpty()) {
                    firstAt = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    Reading reading = ReadingCodec.decode(record.value());
                    checksum += reading.metricValues()[0];
                    read++;
                }
            }
            double seconds = (System.nanoTime() - firstAt) / 1e9;
            System.out.printf("RESULT records=%d seconds=%.3f checksum=%.1f%n", read, seconds, checksum);
        }
    }
}
