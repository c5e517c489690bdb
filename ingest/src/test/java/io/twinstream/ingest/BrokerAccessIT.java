package io.twinstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.infra.stack.KafkaTopics;
import io.twinstream.infra.stack.local.BrokerAccess;
import io.twinstream.infra.stack.local.BrokerAccess.Login;
import io.twinstream.infra.stack.local.BrokerAccess.Role;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.ingest.config.IngestConfig;
import io.twinstream.model.ReadingCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
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
    private static final String ADMIN_PASSWORD = "admin-pw";

    @TempDir
    Path tmp;

    @Test
    void shouldKeepEveryReadingForTheBridgeAndEachDeviceToItsOwnTopic() throws Exception {
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        BrokerAccess access = new BrokerAccess(Map.of(
                "ingest", new Login(PASSWORD, Role.BRIDGE),
                "aq-000001", new Login(PASSWORD, Role.DEVICE),
                "aq-000002", new Login(PASSWORD, Role.DEVICE),
                "gw-000001", new Login(PASSWORD, Role.GATEWAY)));
        try (MosquittoProcess mqtt = new MosquittoProcess(
                        MosquittoProcess.Options.defaults().withLocal(local).withAccess(access, "ingest"));
                KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local))) {
            mqtt.start();
            kafka.start();
            kafka.createTopic("telemetry.readings", 1);
            kafka.createTopic("telemetry.deadletter", 1);
            try (Bridge bridge = new Bridge(bridgeConfig(mqtt, kafka, "access-bridge"))) {
                bridge.start();

                // A device's login asking for one of the bridge's client ids, its session kept: before
                // logins were bound to client ids, it was let in and the bridge's connection dropped.
                MqttClient takeover = new MqttClient(mqtt.url(), "access-bridge-0", new MemoryPersistence());
                MqttConnectionOptions asTheBridge = options("aq-000002");
                asTheBridge.setCleanStart(false);
                asTheBridge.setSessionExpiryInterval(3600L);
                assertThatThrownBy(() -> takeover.connect(asTheBridge))
                        .as("a device's login with the bridge's client id")
                        .isInstanceOf(MqttException.class)
                        .satisfies(e -> assertThat(((MqttException) e).getReasonCode())
                                .as("refused")
                                .isIn(133, 134, 135));

                MqttClient intruder = connect(mqtt, "aq-000002");
                AtomicInteger stolen = new AtomicInteger();
                IMqttToken subscribed = intruder.subscribe(
                        new MqttSubscription[] {new MqttSubscription("$share/ingest/telemetry/#", 1)},
                        new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {
                            (topic, message) -> stolen.incrementAndGet()
                        });
                assertThat(subscribed.getReasonCodes())
                        .as("SUBACK: not authorized")
                        .containsExactly(135);

                MqttClient device = connect(mqtt, "aq-000001");
                long now = System.currentTimeMillis();
                List<String> expected = twentyOwnReadings(device, now);
                // as another device: the broker takes it (PUBACK) but passes it on to nobody
                device.publish("telemetry/city/access/air-quality/aq-000002", reading(now, 21), 1, false);
                device.publish("telemetry/city/access/air-quality/aq-000001", reading(now, 22), 1, false);
                String fromTheGateway = batchesFromADeviceAndAGateway(mqtt, device, now);

                List<String> written = readings(kafka, 22);
                expected.add("aq-000001#22");
                expected.add(fromTheGateway);
                assertThat(written).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(stolen.get()).isZero();
                takeover.close();
                device.disconnect();
                device.close();
                intruder.disconnect();
                intruder.close();
            }

            MqttClient anonymous = new MqttClient(mqtt.url(), "anonymous", new MemoryPersistence());
            assertThatThrownBy(anonymous::connect)
                    .isInstanceOf(MqttException.class)
                    .satisfies(e -> assertThat(((MqttException) e).getReasonCode())
                            .as("not authorized")
                            .isIn(134, 135));
            anonymous.close();
        }
    }

    /**
     * Compose's broker: Mosquitto with the plugin and only its admin login (what
     * {@code mosquitto_ctrl dynsec init} makes), given the services' logins and a device's by
     * {@code infra/mosquitto/provision-access} as Compose's {@code mosquitto-access} service and an
     * operator run it. The same rights as above: the bridge gets every reading, the simulator's
     * login (a whole simulated fleet) cannot join the bridge's group, a device publishes only as
     * itself and only with its own client id; run again, the script changes a password and
     * nothing else; a wrong admin password fails it (mosquitto_ctrl itself exits 0).
     */
    @Test
    void shouldGiveComposesBrokerTheSameAccessThroughTheProvisioningScript() throws Exception {
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        BrokerAccess adminOnly = new BrokerAccess(Map.of("admin", new Login(ADMIN_PASSWORD, Role.ADMIN)));
        try (MosquittoProcess mqtt = new MosquittoProcess(
                        MosquittoProcess.Options.defaults().withLocal(local).withAccess(adminOnly, "admin"));
                KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local))) {
            mqtt.start();
            kafka.start();
            kafka.createTopic("telemetry.readings", 1);
            kafka.createTopic("telemetry.deadletter", 1);
            Map<String, String> services = Map.of(
                    "INGEST_MQTT_PASSWORD",
                    "old",
                    "ALERTS_MQTT_PASSWORD",
                    PASSWORD,
                    "SIMULATOR_MQTT_PASSWORD",
                    PASSWORD);
            assertThat(provision(mqtt, ADMIN_PASSWORD, services, "services").exitCode())
                    .isZero();
            assertThat(provision(mqtt, ADMIN_PASSWORD, Map.of("DEVICE_MQTT_PASSWORD", PASSWORD), "device", "aq-000001")
                            .exitCode())
                    .isZero();
            assertThat(provision(mqtt, ADMIN_PASSWORD, Map.of("DEVICE_MQTT_PASSWORD", PASSWORD), "gateway", "gw-000001")
                            .exitCode())
                    .isZero();
            Provisioned deviceAgain =
                    provision(mqtt, ADMIN_PASSWORD, Map.of("DEVICE_MQTT_PASSWORD", PASSWORD), "device", "aq-000001");
            assertThat(deviceAgain.exitCode()).as(deviceAgain.output()).isZero();
            Map<String, String> rotated = new java.util.HashMap<>(services);
            rotated.put("INGEST_MQTT_PASSWORD", PASSWORD);
            Provisioned again = provision(mqtt, ADMIN_PASSWORD, rotated, "services");
            assertThat(again.exitCode()).as(again.output()).isZero();
            Provisioned wrongAdmin = provision(mqtt, "not-the-admin", rotated, "services");
            assertThat(wrongAdmin.exitCode()).isEqualTo(1);
            assertThat(wrongAdmin.output()).contains("Not authorized");

            MqttClient withOldPassword = new MqttClient(mqtt.url(), "old-ingest", new MemoryPersistence());
            MqttConnectionOptions old = options("ingest");
            old.setPassword("old".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> withOldPassword.connect(old))
                    .as("the bridge's old password")
                    .isInstanceOf(MqttException.class);
            withOldPassword.close();

            try (Bridge bridge = new Bridge(bridgeConfig(mqtt, kafka, "compose-bridge"))) {
                bridge.start();
                MqttClient fleet = connect(mqtt, "simulator");
                IMqttToken subscribed = fleet.subscribe(
                        new MqttSubscription[] {new MqttSubscription("$share/ingest/telemetry/#", 1)},
                        new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(topic, message) -> {}});
                assertThat(subscribed.getReasonCodes())
                        .as("SUBACK for the simulator's login: not authorized")
                        .containsExactly(135);

                MqttClient elsewhere = new MqttClient(mqtt.url(), "not-aq-000001", new MemoryPersistence());
                assertThatThrownBy(() -> elsewhere.connect(options("aq-000001")))
                        .as("a device's login with another client id")
                        .isInstanceOf(MqttException.class);
                elsewhere.close();

                MqttClient device = connect(mqtt, "aq-000001");
                long now = System.currentTimeMillis();
                List<String> expected = twentyOwnReadings(device, now);
                device.publish("telemetry/city/access/air-quality/aq-000002", reading(now, 21), 1, false); // to nobody
                fleet.publish("telemetry/city/access/air-quality/aq-000003", reading(now, 22), 1, false);
                String fromTheGateway = batchesFromADeviceAndAGateway(mqtt, device, now);

                expected.add("aq-000003#22");
                expected.add(fromTheGateway);
                assertThat(readings(kafka, 22)).containsExactlyInAnyOrderElementsOf(expected);
                device.disconnect();
                device.close();
                fleet.disconnect();
                fleet.close();
            }

            MqttClient anonymous = new MqttClient(mqtt.url(), "anonymous", new MemoryPersistence());
            assertThatThrownBy(anonymous::connect).isInstanceOf(MqttException.class);
            anonymous.close();
        }
    }

    /** The bridge with the {@code ingest} login, {@link #PASSWORD}. */
    private static IngestConfig bridgeConfig(MosquittoProcess mqtt, KafkaProcess kafka, String clientId) {
        Properties p = new Properties();
        p.setProperty("mqtt.url", mqtt.url());
        p.setProperty("mqtt.client-id", clientId);
        p.setProperty("mqtt.username", "ingest");
        p.setProperty("mqtt.password", PASSWORD);
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("metrics.port", "-1");
        return IngestConfig.load(p, Map.of());
    }

    private record Provisioned(int exitCode, String output) {}

    /** Runs infra/mosquitto/provision-access against {@code mqtt} as its admin, with {@code env} added. */
    private static Provisioned provision(
            MosquittoProcess mqtt, String adminPassword, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "sh", Path.of("..", "infra", "mosquitto", "provision-access").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().put("MQTT_HOST", mqtt.host());
        builder.environment().put("MQTT_PORT", Integer.toString(mqtt.port()));
        builder.environment().put("MQTT_ADMIN_PASSWORD", adminPassword);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("provision-access did not finish within 60 s: " + output);
        }
        return new Provisioned(process.exitValue(), output);
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

    /** aq-000001 publishes readings 1 to 20 on its own topic; what they write, as "deviceId#seq". */
    private static List<String> twentyOwnReadings(MqttClient device, long now) throws MqttException {
        List<String> written = new ArrayList<>();
        for (int seq = 1; seq <= 20; seq++) {
            device.publish("telemetry/city/access/air-quality/aq-000001", reading(now, seq), 1, false);
            written.add("aq-000001#" + seq);
        }
        return written;
    }

    /**
     * A batch naming another device, which only a gateway may send: the device's login publishing
     * it as a gateway is refused by the broker (it reaches nobody), on its own topic by the bridge
     * (dead-lettered, device-mismatch); the gateway's login publishing it on its topic gets through.
     * What the gateway's batch writes, as "deviceId#seq".
     */
    private static String batchesFromADeviceAndAGateway(MosquittoProcess mqtt, MqttClient device, long now)
            throws MqttException {
        device.publish("telemetry/city/access/gateway/aq-000001", batch(now, "aq-000002", 23), 1, false);
        device.publish("telemetry/city/access/air-quality/aq-000001", batch(now, "aq-000002", 24), 1, false);
        MqttClient gateway = connect(mqtt, "gw-000001");
        gateway.publish("telemetry/city/access/gateway/gw-000001", batch(now, "aq-000003", 25), 1, false);
        gateway.disconnect();
        gateway.close();
        return "aq-000003#25";
    }

    private static byte[] batch(long now, String deviceId, int seq) {
        return ("[{\"deviceId\":\"" + deviceId + "\",\"ts\":" + now + ",\"seq\":" + seq + ",\"metrics\":{\"pm25\":"
                        + seq + "}}]")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] reading(long now, int seq) {
        return ("{\"ts\":" + now + ",\"seq\":" + seq + ",\"metrics\":{\"pm25\":" + seq + "}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * "deviceId#seq" of what reached telemetry.readings, once {@code count} have, or after 30 s (then
     * a second more).
     */
    private static List<String> readings(KafkaProcess kafka, int count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaTopics.uniqueName("access"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
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
