package io.twinstream.infra.stack.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.infra.stack.KafkaBroker;
import io.twinstream.infra.stack.KafkaTopics;
import io.twinstream.infra.stack.ServiceStartException;
import io.twinstream.infra.stack.junit.ServiceStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka broker is real: produce and consume on fresh topics, and data survives a restart. */
@ExtendWith(ServiceStackExtension.class)
class KafkaIT {

    @TempDir
    Path tmp;

    @Test
    void shouldConsumeEveryRecordProducedToAFreshTopic(KafkaBroker kafka) throws Exception {
        String topic = KafkaTopics.uniqueName("smoke");
        kafka.createTopic(topic, 3, Map.of("retention.ms", "-1"));

        produce(kafka, topic, 1_000);
        List<ConsumerRecord<String, String>> records = consume(kafka, topic, 1_000);

        assertThat(records).hasSize(1_000);
        assertThat(records).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(values(1_000));
        assertThat(records).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2);
    }

    @Test
    void shouldRefuseToCreateATopicTwice(KafkaBroker kafka) {
        String topic = KafkaTopics.uniqueName("twice");
        kafka.createTopic(topic, 1);

        assertThatThrownBy(() -> kafka.createTopic(topic, 1))
                .isInstanceOf(ServiceStartException.class)
                .hasMessageContaining("exists already");
    }

    @Test
    void shouldKeepRecordsAndAddressAcrossARestart() throws Exception {
        try (KafkaProcess kafka = new KafkaProcess(KafkaProcess.Options.defaults()
                .withLocal(LocalOptions.defaults().withRunDirParent(tmp)))) {
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopic("kept", 2);
            produce(kafka, "kept", 100);

            kafka.restart();

            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(consume(kafka, "kept", 100))
                    .extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrderElementsOf(values(100));
        }
    }

    @Test
    void shouldComeBackWithItsRecordsAfterBeingKilled() throws Exception {
        try (KafkaProcess kafka = new KafkaProcess(KafkaProcess.Options.defaults()
                .withLocal(LocalOptions.defaults().withRunDirParent(tmp)))) {
            kafka.start();
            kafka.createTopic("survives", 1);
            produce(kafka, "survives", 100);

            kafka.kill();
            assertThat(kafka.isRunning()).isFalse();
            kafka.start();

            assertThat(consume(kafka, "survives", 100))
                    .extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrderElementsOf(values(100));
        }
    }

    private static List<String> values(int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add("value-" + i);
        }
        return values;
    }

    private static void produce(KafkaBroker kafka, String topic, int count) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)));
            }
            for (java.util.concurrent.Future<?> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<ConsumerRecord<String, String>> consume(KafkaBroker kafka, String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaTopics.uniqueName("smoke-group"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            // One more poll: more records than produced would be a failure too.
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }
}
