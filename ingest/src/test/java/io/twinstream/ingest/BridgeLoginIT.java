package io.twinstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.infra.stack.KafkaTopics;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.ingest.config.IngestConfig;
import io.twinstream.model.ReadingCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bridge logs in to a Mosquitto that wants a username and password, and says so when it cannot. */
class BridgeLoginIT {

    private static final String USER = "ingest";
    private static final String PASSWORD = "pa ss=wörd";

    @TempDir
    static Path tmp;

    private static MosquittoProcess mqtt;
    private static KafkaProcess kafka;

    @BeforeAll
    static void startServices() {
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        mqtt = new MosquittoProcess(MosquittoProcess.Options.defaults()
                .withCredentials(USER, PASSWORD)
                .withLocal(local));
        mqtt.start();
        kafka = new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
        kafka.start();
        kafka.createTopic("telemetry.readings", 1);
        kafka.createTopic("telemetry.deadletter", 1);
    }

    @AfterAll
    static void stopServices() {
        if (kafka != null) {
            kafka.close();
        }
        if (mqtt != null) {
            mqtt.close();
        }
    }

    private static Properties properties(String name) {
        Properties p = new Properties();
        p.setProperty("mqtt.url", mqtt.url());
        p.setProperty("mqtt.client-id", name);
        p.setProperty("mqtt.connections", "1");
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("metrics.port", "-1");
        return p;
    }

    @Test
    void shouldIngestWithTheRightLogin() throws Exception {
        Properties p = properties("login-ok");
        p.setProperty("mqtt.username", USER);
        p.setProperty("mqtt.password", PASSWORD);
        try (Bridge bridge = new Bridge(IngestConfig.load(p, Map.of()))) {
            bridge.start();
            MqttClient device = new MqttClient(mqtt.url(), "login-device", new MemoryPersistence());
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setUserName(USER);
            options.setPassword(PASSWORD.getBytes(StandardCharsets.UTF_8));
            device.connect(options);
            long ts = System.currentTimeMillis();
            device.publish(
                    "telemetry/city/login/noise/noise-000001",
                    ("{\"ts\":" + ts + ",\"seq\":1,\"metrics\":{\"db\":55.5}}").getBytes(StandardCharsets.UTF_8),
                    1,
                    false);
            device.disconnect();
            device.close();

            assertThat(readDevices()).contains("noise-000001");
        }
    }

    @Test
    void shouldRefuseToStartWithAWrongPassword() {
        Properties p = properties("login-wrong");
        p.setProperty("mqtt.username", USER);
        p.setProperty("mqtt.password", "not the password");
        Bridge bridge = new Bridge(IngestConfig.load(p, Map.of()));
        try {
            assertThatThrownBy(bridge::start)
                    .isInstanceOf(MqttException.class)
                    .satisfies(e -> assertThat(((MqttException) e).getReasonCode())
                            .as("bad user name or password / not authorized")
                            .isIn(134, 135));
        } finally {
            bridge.close();
        }
    }

    @Test
    void shouldExitWithAClearMessageWithoutALogin() throws Exception {
        Path config = tmp.resolve("no-login.properties");
        try (var out = Files.newBufferedWriter(config)) {
            properties("login-missing").store(out, null);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = IngestMain.run(
                new String[] {"--config", config.toString()},
                Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                bridge -> {
                    throw new AssertionError("started without a login");
                });

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("MQTT broker at " + mqtt.url())
                .contains("reason code 13");
    }

    private static List<String> readDevices() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaTopics.uniqueName("login"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("telemetry.readings"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofMillis(300));
                if (!records.isEmpty()) {
                    return java.util.stream.StreamSupport.stream(records.spliterator(), false)
                            .map(r -> ReadingCodec.decode(r.value()).deviceId())
                            .toList();
                }
            }
        }
        return List.of();
    }
}
