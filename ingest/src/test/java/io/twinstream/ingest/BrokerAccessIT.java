package io.twinstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import io.twinstream.infra.stack.KafkaTopics;
import io.twinstream.infra.stack.local.BrokerAccess;
import io.twinstream.infra.stack.local.BrokerAccess.Login;
import io.twinstream.infra.stack.local.BrokerAccess.Role;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.ingest.config.IngestConfig;
import io.twinstream.model.ReadingCodec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #17: the broker was anonymous, and any client could join the bridge's shared subscription
 * and take a share of the fleet's messages (reproduced: 10 of 20). With the local stack's access
 * control ({@link BrokerAccess}, Mosquitto's dynamic security plugin) against a real Mosquitto and
 * Kafka: a device's login cannot join {@code $share/ingest/…} (SUBACK 135) and all 20 readings
 * reach Kafka; a device's login cannot take over one of the bridge's connections by asking for its
 * client id (it was let in, and the bridge dropped); a device
 * cannot publish as another; a client without a login is refused. (An
 * {@code acl_file} would not do: Mosquitto checks its read rules only on delivery, so the intruder
 * joins the group and its share is dropped: 10 of 20 lost, measured with 2.0.11.)
 */
class BrokerAccessIT {

    private static final String PASSWORD = "pw-1";

    @TempDir
    Path tmp;

    @Test
    void shouldKeepEveryReadingForTheBridgeAndEachDeviceToItsOwnTopic() throws Exception {
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        BrokerAccess access = new BrokerAccess(Map.of(
                "ingest", new Login(PASSWORD, Role.BRIDGE),
                "aq-000001", new Login(PASSWORD, Role.DEVICE),
                "aq-000002", new Login(PASSWORD, Role.DEVICE)));
        try (MosquittoProcess mqtt = new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(local)
                     .withAccess(access, "ingest"));
             KafkaProcess kafka = new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local))) {
            mqtt.start();
            kafka.start();
            kafka.createTopic("telemetry.readings", 1);
            kafka.createTopic("telemetry.deadletter", 1);
            Properties p = new Properties();
            p.setProperty("mqtt.url", mqtt.url());
            p.setProperty("mqtt.client-id", "access-bridge");
            p.setProperty("mqtt.username", "ingest");
            p.setProperty("mqtt.password", PASSWORD);
            p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
            p.setProperty("metrics.port", "-1");
            try (Bridge bridge = new Bridge(IngestConfig.load(p, Map.of()))) {
                bridge.start();

                // A device's login asking for one of the bridge's client ids, its session kept: before
                // logins were bound to client ids, it was let in and the bridge's connection dropped.
                MqttClient takeover = new MqttClient(mqtt.url(), "access-bridge-0", new MemoryPersistence());
                MqttConnectionOptions asTheBridge = options("aq-000002");
                asTheBridge.setCleanStart(false);
                asTheBridge.setSessionExpiryInterval(3600L);
                assertThatThrownBy(() -> takeover.connect(asTheBridge)).as("a device's login with the bridge's client id")
                        .isInstanceOf(MqttException.class)
                        .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).as("refused").isIn(133, 134, 135));

                MqttClient intruder = connect(mqtt, "aq-000002");
                AtomicInteger stolen = new AtomicInteger();
                IMqttToken subscribed = intruder.subscribe(new MqttSubscription[] {new MqttSubscription("$share/ingest/telemetry/#", 1)},
                        new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(topic, message) -> stolen.incrementAndGet()});
                assertThat(subscribed.getReasonCodes()).as("SUBACK: not authorized").containsExactly(135);

                MqttClient device = connect(mqtt, "aq-000001");
                long now = System.currentTimeMillis();
                for (int seq = 1; seq <= 20; seq++) {
                    device.publish("telemetry/city/access/air-quality/aq-000001", reading(now, seq), 1, false);
                }
                // as another device: the broker takes it (PUBACK) but passes it on to nobody
                device.publish("telemetry/city/access/air-quality/aq-000002", reading(now, 21), 1, false);
                device.publish("telemetry/city/access/air-quality/aq-000001", reading(now, 22), 1, false);

                List<String> written = readings(kafka, 21);
                List<String> expected = new ArrayList<>();
                for (int seq = 1; seq <= 20; seq++) {
                    expected.add("aq-000001#" + seq);
                }
                expected.add("aq-000001#22");
                assertThat(written).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(stolen.get()).isZero();
                takeover.close();
                device.disconnect();
                device.close();
                intruder.disconnect();
                intruder.close();
            }

            MqttClient anonymous = new MqttClient(mqtt.url(), "anonymous", new MemoryPersistence());
            assertThatThrownBy(anonymous::connect).isInstanceOf(MqttException.class)
                    .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).as("not authorized").isIn(134, 135));
            anonymous.close();
        }
    }

    private static MqttClient connect(MosquittoProcess mqtt, String user) throws MqttException {
        MqttClient client = new MqttClient(mqtt.url(), user, new MemoryPersistence());
        client.connect(options(user));
        return client;
    }

    private static MqttConnectionOptions options(String user) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(user);
        options.setPassword(PASSWORD.getBytes(StandardCharsets.UTF_8));
        options.setAutomaticReconnect(false);
        return options;
    }

    private static byte[] reading(long now, int seq) {
        return ("{\"ts\":" + now + ",\"seq\":" + seq + ",\"metrics\":{\"pm25\":" + seq + "}}").getBytes(StandardCharsets.UTF_8);
    }

    /** "deviceId#seq" of what reached telemetry.readings, once {@code count} have, or after 30 s (then a second more). */
    private static List<String> readings(KafkaProcess kafka, int count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaTopics.uniqueName("access"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("telemetry.readings"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    var reading = ReadingCodec.decode(r.value());
                    out.add(reading.deviceId() + "#" + reading.seq());
                }
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) { // anything extra
                var reading = ReadingCodec.decode(r.value());
                out.add(reading.deviceId() + "#" + reading.seq());
            }
        }
        return out;
    }
}
