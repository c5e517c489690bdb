package io.twinstream.ingest;

import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.KafkaTopics;
import io.twinstream.infra.stack.local.GuardedProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import io.twinstream.simulator.publish.MqttPublisher;
import io.twinstream.simulator.publish.PublishStats;
import io.twinstream.simulator.scenario.ScenarioParser;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the bridge failure tests share: services of the test's own (to stop and restart), the bridge's
 * configuration, a fleet to publish, and reading back what reached Kafka. Split in two classes
 * (in-process failures, and the bridge as a process of its own) so that they run side by side.
 */
abstract class BridgeFailureRuns {

    @TempDir
    Path tmp;

    LocalOptions local() {
        return LocalOptions.defaults().withRunDirParent(tmp);
    }

    /** A broker of this test's own, to restart or stop. */
    MosquittoProcess startMosquitto() {
        MosquittoProcess mqtt =
                new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(local()));
        mqtt.start();
        return mqtt;
    }

    /** A Kafka of this test's own, with the bridge's two topics. */
    KafkaProcess startKafkaWithTopics() {
        KafkaProcess kafka = new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local()));
        kafka.start();
        kafka.createTopic("telemetry.readings", 3);
        kafka.createTopic("telemetry.deadletter", 1);
        return kafka;
    }

    static Properties properties(String mqttUrl, String bootstrap, String name, int connections) {
        Properties p = new Properties();
        p.setProperty("mqtt.url", mqttUrl);
        p.setProperty("mqtt.client-id", name);
        p.setProperty("mqtt.connections", Integer.toString(connections));
        p.setProperty("kafka.bootstrap", bootstrap);
        p.setProperty("metrics.port", "-1");
        p.setProperty("status.interval", "2s");
        return p;
    }

    /** 20 devices, one reading a second each, for {@code seconds} simulated seconds played at 30x. */
    static DeviceFleet fleet(int seconds) {
        return new DeviceFleet(
                ScenarioParser.parse(
                        "failures.yaml",
                        String.join(
                                "\n",
                                "name: failures",
                                "seed: 8",
                                "duration: " + seconds + "s",
                                "speed: 30",
                                "start: "
                                        + Instant.now()
                                                .minus(Duration.ofHours(1))
                                                .truncatedTo(ChronoUnit.SECONDS),
                                "publish: { qos: 1, connections: gateway, devicesPerGateway: 5 }",
                                "sites:",
                                "  - name: f-site",
                                "    domain: city",
                                "    devices:",
                                "      noise: { count: 20, interval: 1s, format: json }")),
                1);
    }

    static Future<PublishStats> publishInBackground(ExecutorService runner, String mqttUrl, DeviceFleet fleet) {
        return publishInBackground(runner, new MqttPublisher.Settings(mqttUrl, null, null, 30, true), fleet);
    }

    static Future<PublishStats> publishInBackground(
            ExecutorService runner, MqttPublisher.Settings settings, DeviceFleet fleet) {
        return runner.submit(() -> {
            MqttPublisher publisher = new MqttPublisher(fleet, settings);
            try {
                publisher.connectAll();
                publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
            } finally {
                publisher.close();
            }
            return publisher.stats();
        });
    }

    /** The readings of {@link #fleet(int)} (20 devices, seq 1 to {@code seconds}) that are not in {@code seen}. */
    static Set<String> missing(Set<String> seen, int seconds) {
        Set<String> missing = new TreeSet<>();
        for (int device = 1; device <= 20; device++) {
            for (int seq = 1; seq <= seconds; seq++) {
                String key = String.format("noise-%06d#%d", device, seq);
                if (!seen.contains(key)) {
                    missing.add(key);
                }
            }
        }
        return missing;
    }

    /** Every (device, seq) in the readings topic, and how many records there were. */
    static long readAll(String bootstrap, Set<String> seen, int expectedDistinct) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaTopics.uniqueName("failures"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("telemetry.readings"));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (seen.size() < expectedDistinct && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(300))) {
                    Reading r = ReadingCodec.decode(record.value());
                    seen.add(r.deviceId() + "#" + r.seq());
                    records++;
                }
            }
        }
        return records;
    }

    /** How many records the readings topic holds (the sum of its partitions' end offsets). */
    static long recordCount(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("telemetry.readings").stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            return consumer.endOffsets(partitions).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
    }

    GuardedProcess startBridgeProcess(Path config, String name) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                IngestMain.class.getName(),
                "--config",
                config.toString()));
        return GuardedProcess.start(name, command, tmp, tmp.resolve(name + ".log"), Map.of());
    }

    /** Both connections of a bridge process have subscribed: their log says so. */
    static void awaitSubscribed(GuardedProcess bridge) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String log = Files.readString(bridge.logFile());
            return log.split("and subscribed to", -1).length - 1 >= 2;
        });
    }
}
