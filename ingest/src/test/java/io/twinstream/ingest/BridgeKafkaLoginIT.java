package io.twinstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.ingest.config.IngestConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #17: the bridge through a Kafka that wants a login, against a real broker whose second
 * listener takes one SASL/PLAIN login ({@code KafkaProcess.Options.withSasl}): with
 * {@code kafka.producer.*} and the secret from {@code KAFKA_SASL_JAAS_CONFIG}, every reading reaches
 * the topic through it. With a wrong password the bridge writes nothing, acknowledges nothing and
 * says why; the broker keeps those messages in the bridge's session, and the same bridge started
 * again with the right password writes them all: nothing lost while the login was refused.
 */
class BridgeKafkaLoginIT {

    private static final String USER = "ingest";
    private static final String PASSWORD = "s3cret-2";

    @TempDir
    Path tmp;

    @Test
    void shouldWriteThroughAKafkaLoginAndLoseNothingWhileTheLoginIsRefused() throws Exception {
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        try (KafkaProcess kafka = new KafkaProcess(
                        KafkaProcess.Options.defaults().withLocal(local).withSasl(USER, PASSWORD));
                MosquittoProcess mqtt =
                        new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(local))) {
            kafka.start();
            mqtt.start();
            kafka.createTopic("telemetry.readings", 1);
            kafka.createTopic("telemetry.deadletter", 1);
            MqttClient device = new MqttClient(mqtt.url(), "login-device", new MemoryPersistence());
            device.connect(new MqttConnectionOptions());
            long now = System.currentTimeMillis();

            IngestConfig refused = config(kafka, mqtt, "guessed");
            assertThat(refused.toString()).doesNotContain("guessed");
            try (Bridge bridge = new Bridge(refused)) {
                bridge.start();
                publish(device, now, 1, 10);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> bridge.metrics().kafkaRetries.sum() > 0
                                && bridge.metrics().received.sum() == 10);
                assertThat(bridge.metrics().acknowledged.sum())
                        .as("acknowledged while Kafka refuses the login")
                        .isZero();
            }
            assertThat(BridgeFailureRuns.recordCount(kafka.bootstrapServers()))
                    .as("written with the wrong password")
                    .isZero();

            try (Bridge bridge = new Bridge(config(kafka, mqtt, PASSWORD))) {
                bridge.start();
                publish(device, now, 11, 20);
                Set<String> expected = new TreeSet<>();
                for (int seq = 1; seq <= 20; seq++) {
                    expected.add("aq-login#" + seq);
                }
                Set<String> seen = new TreeSet<>();
                BridgeFailureRuns.readAll(kafka.bootstrapServers(), seen, 20);
                assertThat(seen).isEqualTo(expected);
                assertThat(BridgeFailureRuns.recordCount(kafka.bootstrapServers()))
                        .as("records, each once")
                        .isEqualTo(20);
            }
            device.disconnect();
            device.close();
        }
    }

    /** The bridge against the SASL listener; the login's secret from the environment, as users give it. */
    private static IngestConfig config(KafkaProcess kafka, MosquittoProcess mqtt, String password) {
        Properties p = new Properties();
        p.setProperty("mqtt.url", mqtt.url());
        p.setProperty(
                "mqtt.client-id",
                "login-bridge"); // the same sessions both times: the broker keeps what was not acknowledged
        p.setProperty("kafka.bootstrap", kafka.saslBootstrapServers());
        p.setProperty("kafka.producer.security.protocol", "SASL_PLAINTEXT");
        p.setProperty("kafka.producer.sasl.mechanism", "PLAIN");
        p.setProperty("metrics.port", "-1");
        return IngestConfig.load(
                p,
                Map.of(
                        "KAFKA_SASL_JAAS_CONFIG",
                        "org.apache.kafka.common.security.plain.PlainLoginModule " + "required username=\"" + USER
                                + "\" password=\"" + password + "\";"));
    }

    private static void publish(MqttClient device, long now, int fromSeq, int toSeq) throws Exception {
        for (int seq = fromSeq; seq <= toSeq; seq++) {
            byte[] payload = ("{\"ts\":" + (now + seq) + ",\"seq\":" + seq + ",\"metrics\":{\"pm25\":" + seq + "}}")
                    .getBytes(StandardCharsets.UTF_8);
            device.publish("telemetry/city/login/air-quality/aq-login", payload, 1, false);
        }
    }
}
