package io.twinstream.jobs.deadletter;

import io.twinstream.jobs.config.KafkaClientProperties;
import io.twinstream.jobs.sink.RefusedPoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Points InfluxDB refused for good, as dead letters ({@link DeadLetters}: source
 * {@code influxdb:<measurement>}, reason {@code refused-by-influxdb}, InfluxDB's answer as the
 * detail, the point's line protocol as value). At least once: flushed before every checkpoint,
 * and a failed send fails the checkpoint, so the job restarts and finds them again.
 */
public final class RefusedPointsToKafka implements RefusedPoints {

    private static final long serialVersionUID = 1L;

    private final String bootstrap;
    private final KafkaClientProperties client;
    private final String topic;

    public RefusedPointsToKafka(String bootstrap, KafkaClientProperties client, String topic) {
        this.bootstrap = bootstrap;
        this.client = client;
        this.topic = topic;
    }

    /**
     * A handler whose producer opens with the first refused point: most writers never see one,
     * and a producer is a thread and a connection to every broker.
     */
    @Override
    public Handler open() {
        DeadLetters letters = new DeadLetters(topic);
        AtomicReference<Exception> failed = new AtomicReference<>();
        return new Handler() {
            private KafkaProducer<byte[], byte[]> producer;

            @Override
            public void refused(String line, String why) {
                if (producer == null) {
                    producer = openProducer();
                }
                byte[] value = line.getBytes(StandardCharsets.UTF_8);
                RejectedRecord rejected = new RejectedRecord(
                        "influxdb:" + measurement(line),
                        -1,
                        -1,
                        new byte[0],
                        DeadLetters.cut(value),
                        value.length,
                        "refused-by-influxdb",
                        why,
                        System.currentTimeMillis());
                producer.send(letters.serialize(rejected, null, null), (metadata, e) -> {
                    if (e != null) {
                        failed.compareAndSet(null, e);
                    }
                });
            }

            @Override
            public void flush() throws IOException {
                if (producer == null) {
                    return;
                }
                producer.flush();
                Exception e = failed.getAndSet(null);
                if (e != null) {
                    throw new IOException("could not write a refused point to " + topic + ": " + e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                if (producer != null) {
                    producer.close();
                }
            }
        };
    }

    private KafkaProducer<byte[], byte[]> openProducer() {
        Map<String, Object> config = client.withBootstrap(bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "twinstream-refused-points");
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The measurement of a line of line protocol: up to the first unescaped comma or space. */
    static String measurement(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == ',' || c == ' ') {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
