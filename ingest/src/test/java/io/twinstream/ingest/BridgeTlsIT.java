package io.twinstream.ingest;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.infra.stack.local.TlsCertificates;
import io.twinstream.ingest.config.IngestConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge over TLS to a Mosquitto whose certificate is signed by a CA of the test's own
 * ({@link TlsCertificates}, made with Debian's openssl): trusted through {@code mqtt.tls.truststore},
 * refused without it.
 */
class BridgeTlsIT {

    @TempDir
    Path tmp;

    @Test
    void shouldIngestOverTlsWithTheBrokersCaAndRefuseWithoutIt() throws Exception {
        TlsCertificates certificates = TlsCertificates.forLoopback(tmp.resolve("tls"));
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        try (MosquittoProcess mqtt = new MosquittoProcess(MosquittoProcess.Options.defaults()
                        .withTls(certificates.serverCertificate(), certificates.serverKey())
                        .withLocal(local));
                KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local))) {
            mqtt.start();
            kafka.start();
            kafka.createTopic("telemetry.readings", 1);
            kafka.createTopic("telemetry.deadletter", 1);
            Properties p = new Properties();
            p.setProperty("mqtt.url", mqtt.tlsUrl());
            p.setProperty("mqtt.client-id", "tls");
            p.setProperty("mqtt.connections", "1");
            p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
            p.setProperty("metrics.port", "-1");

            Bridge untrusting = new Bridge(IngestConfig.load(p, Map.of()));
            try {
                assertThatThrownBy(untrusting::start)
                        .as("the JVM's CAs do not know the test's CA")
                        .isInstanceOf(MqttException.class)
                        .hasStackTraceContaining("PKIX path building failed");
            } finally {
                untrusting.close();
            }

            p.setProperty("mqtt.tls.truststore", certificates.trustStore().toString());
            p.setProperty("mqtt.tls.truststore-password", certificates.trustStorePassword());
            try (Bridge bridge = new Bridge(IngestConfig.load(p, Map.of()))) {
                bridge.start();
                MqttClient device = new MqttClient(mqtt.url(), "tls-device", new MemoryPersistence()); // plain listener
                device.connect();
                device.publish(
                        "telemetry/city/tls/noise/noise-000001",
                        ("{\"ts\":" + System.currentTimeMillis() + ",\"seq\":1,\"metrics\":{\"db\":42}}")
                                .getBytes(StandardCharsets.UTF_8),
                        1,
                        false);
                device.disconnect();
                device.close();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> bridge.metrics().readingsWritten.sum() == 1);
            }
        }
    }
}
