package io.twinstream.ingest.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.ingest.parse.PayloadLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IngestConfigTest {

    private static Properties properties(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void shouldWorkOnALaptopWithNothingSet() {
        IngestConfig config = IngestConfig.defaults();

        assertThat(config.mqttUrl()).isEqualTo("tcp://127.0.0.1:1883");
        assertThat(config.kafkaBootstrap()).isEqualTo("127.0.0.1:9092");
        assertThat(config.sharedFilter()).isEqualTo("$share/ingest/telemetry/#");
        assertThat(config.connections()).isEqualTo(1);
        assertThat(config.receiveMaximum()).isEqualTo(1000);
        assertThat(config.sessionExpiry()).isEqualTo(Duration.ofHours(1));
        assertThat(config.leaveGroupOnShutdown()).isTrue();
        assertThat(config.mqttUsername()).isNull();
        assertThat(config.payloadLimits().maxFuture()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.payloadLimits()).isEqualTo(PayloadLimits.DEFAULTS);
        assertThat(config.payloadLimits().maxClockDistance()).isEqualTo(Duration.ofDays(366));
    }

    @Test
    void shouldLetTheEnvironmentOverrideTheFile() {
        IngestConfig config = IngestConfig.load(
                properties(
                        "mqtt.url",
                        "tcp://file:1883",
                        "mqtt.connections",
                        "3",
                        "kafka.producer.security.protocol",
                        "SASL_SSL"),
                Map.of(
                        "MQTT_URL",
                        "tcp://env:1883",
                        "INGEST_MQTT_CONNECTIONS",
                        "5",
                        "INGEST_MQTT_ON_SHUTDOWN",
                        "keep-subscription",
                        "MQTT_USERNAME",
                        "u",
                        "MQTT_PASSWORD",
                        "p"));

        assertThat(config.mqttUrl()).isEqualTo("tcp://env:1883");
        assertThat(config.connections()).isEqualTo(5);
        assertThat(config.leaveGroupOnShutdown()).isFalse();
        assertThat(config.mqttUsername()).isEqualTo("u");
        assertThat(config.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void shouldMakeRoomInThePacketSizeForARaisedPayloadLimit() {
        assertThat(IngestConfig.defaults().maximumPacketSize()).isEqualTo(2 * 1024 * 1024 + 64 * 1024);
        assertThat(IngestConfig.load(properties("ingest.max-payload-bytes", "16777216"), Map.of())
                        .maximumPacketSize())
                .isEqualTo(16 * 1024 * 1024 + 64 * 1024);
    }

    /** Issue #17: secrets from the environment, never in what the configuration prints. */
    @Test
    void shouldTakeKafkasLoginFromTheEnvironmentAndNeverPrintASecret() {
        String jaas =
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"i\" password=\"k-secret\";";
        IngestConfig config = IngestConfig.load(
                properties(
                        "kafka.producer.security.protocol",
                        "SASL_SSL",
                        "kafka.producer.ssl.truststore.password",
                        "ts-secret",
                        "mqtt.url",
                        "ssl://broker:8883"),
                Map.of("KAFKA_SASL_JAAS_CONFIG", jaas, "MQTT_USERNAME", "u", "MQTT_PASSWORD", "m-secret"));

        assertThat(config.kafkaProperties()).containsEntry("sasl.jaas.config", jaas);
        assertThat(config.toString())
                .doesNotContain("k-secret", "ts-secret", "m-secret")
                .contains("mqttPassword=(hidden)", "sasl.jaas.config=(hidden)", "security.protocol=SASL_SSL");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "mqtt.url | http://broker | mqtt.url must look like tcp://host:1883",
                "mqtt.connections | many | mqtt.connections must be a whole number, was 'many'",
                "mqtt.connections | 0 | mqtt.connections must be between 1 and 64, was 0",
                "mqtt.receive-maximum | 70000 | mqtt.receive-maximum must be between 1 and 65535",
                "mqtt.maximum-packet-size | 300000 | mqtt.maximum-packet-size must be at least ingest.max-payload-bytes + 65536 (327680)",
                "mqtt.maximum-packet-size | 268435456 | and at most 268435455; was 268435456",
                "mqtt.session-expiry | an hour | mqtt.session-expiry must be a duration like 250ms, 10s",
                "mqtt.on-shutdown | vanish | mqtt.on-shutdown must be leave-group or keep-subscription, was 'vanish'",
                "mqtt.topic-filter | $share/x/telemetry/# | mqtt.topic-filter must be a plain filter",
                "mqtt.client-id | has space | mqtt.client-id must be 1-60 letters",
                "mqtt.username | alone | mqtt.username and mqtt.password go together",
                "mqtt.tls.truststore | /etc/hostname | mqtt.tls.truststore is set but mqtt.url is not ssl://",
                "metrics.port | 70000 | metrics.port must be between -1 and 65535",
                "ingest.max-devices | -1 | ingest.max-devices must be between 0 and 2147483647, was -1",
                "mqtt.colour | blue | unknown configuration keys [mqtt.colour]",
                "ingest.max-future | 400d | ingest.max-future (PT9600H) must be between 0 and ingest.max-clock-distance (PT8784H)",
                "ingest.max-metrics | 0 | ingest.max-metrics must be between 1 and 1000, was 0",
                "ingest.max-abs-value | lots | ingest.max-abs-value must be a number such as 1e15 or 0.5, was 'lots'",
                "ingest.max-abs-value | 1e309 | ingest.max-abs-value must be above 0 and at most 1e300",
                "ingest.max-future | soon | ingest.max-future must be a duration like 250ms",
            })
    void shouldNameTheKeyThatIsWrong(String key, String value, String message) {
        assertThatThrownBy(() -> IngestConfig.load(properties(key, value), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void shouldRefuseATrustStoreThatIsNotThere() {
        assertThatThrownBy(() -> IngestConfig.load(
                        properties("mqtt.url", "ssl://broker:8883", "mqtt.tls.truststore", "/nonexistent/ca.p12"),
                        Map.of()))
                .hasMessageContaining("mqtt.tls.truststore /nonexistent/ca.p12 is not a readable file");
    }

    @Test
    void shouldReadAPropertiesFile(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("ingest.properties");
        Files.writeString(file, "mqtt.share-group=plant\nmqtt.topic-filter=telemetry/factory/#\nstatus.interval=30s\n");

        IngestConfig config = IngestConfig.load(file, Map.of());

        assertThat(config.sharedFilter()).isEqualTo("$share/plant/telemetry/factory/#");
        assertThat(config.statusInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldRefuseAVariableUnderItsPrefixThatSetsNoKey() {
        assertThatThrownBy(() -> IngestConfig.load(new Properties(), Map.of("INGEST_MQTT_CONECTIONS", "4")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown environment variable INGEST_MQTT_CONECTIONS")
                .hasMessageContaining("did you mean INGEST_MQTT_CONNECTIONS?");
        assertThat(IngestConfig.load(new Properties(), Map.of("INGEST_MAX_FUTURE", "2m"))
                        .payloadLimits()
                        .maxFuture())
                .as("ingest.max-future without the prefix said twice")
                .isEqualTo(java.time.Duration.ofMinutes(2));
    }
}
