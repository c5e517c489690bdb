package io.twinstream.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentVariablesTest {

    private static final List<String> KEYS = List.of("mqtt.connections", "ingest.max-future", "metrics.port");
    private static final String LOGIN = "kafka.producer.sasl.jaas.config";

    @Test
    void shouldNameAKeysVariableWithoutSayingThePrefixTwice() {
        assertThat(EnvironmentVariables.variable("INGEST", "mqtt.connections")).isEqualTo("INGEST_MQTT_CONNECTIONS");
        assertThat(EnvironmentVariables.variable("INGEST", "ingest.max-future")).isEqualTo("INGEST_MAX_FUTURE");
        assertThat(EnvironmentVariables.variable("INGEST", "metrics.port")).isEqualTo("INGEST_METRICS_PORT");
        assertThat(EnvironmentVariables.variable("METRICS", "metrics.idle-after"))
                .isEqualTo("METRICS_IDLE_AFTER");
    }

    @Test
    void shouldReadTheKeysSetUnderThePrefixAndNothingElse() {
        Map<String, String> values = EnvironmentVariables.read(
                Map.of(
                        "INGEST_MQTT_CONNECTIONS", "4",
                        "INGEST_MAX_FUTURE", "2m",
                        "INGEST_METRICS_PORT", " ",
                        "MQTT_URL", "tcp://elsewhere:1883",
                        "INGESTION", "not ours"),
                "INGEST",
                KEYS,
                LOGIN);

        assertThat(values).containsOnly(Map.entry("mqtt.connections", "4"), Map.entry("ingest.max-future", "2m"));
    }

    @Test
    void shouldRefuseAVariableUnderThePrefixThatSetsNoKeyNamingTheNearest() {
        assertThatThrownBy(
                        () -> EnvironmentVariables.read(Map.of("INGEST_MQTT_CONECTIONS", "4"), "INGEST", KEYS, LOGIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown environment variable INGEST_MQTT_CONECTIONS: no INGEST setting has"
                        + " that name (did you mean INGEST_MQTT_CONNECTIONS?)");
        assertThatThrownBy(() ->
                        EnvironmentVariables.read(Map.of("INGEST_INGEST_MAX_FUTURE", "2m"), "INGEST", KEYS, LOGIN))
                .as("the prefix said twice, as it had to be before")
                .hasMessageContaining("did you mean INGEST_MAX_FUTURE?");
    }

    @Test
    void shouldTakeTheSharedVariablesForTheKeysItHasAndLetItsOwnWin() {
        Map<String, String> values = EnvironmentVariables.read(
                Map.of(
                        "MQTT_URL", "tcp://shared:1883",
                        "INFLUX_URL", "http://not-a-key-here:8086",
                        "KAFKA_BOOTSTRAP", "shared:9092",
                        "INGEST_KAFKA_BOOTSTRAP", "own:9092",
                        "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required;"),
                "INGEST",
                List.of("mqtt.url", "kafka.bootstrap"),
                LOGIN);

        assertThat(values)
                .containsOnly(
                        Map.entry("mqtt.url", "tcp://shared:1883"),
                        Map.entry("kafka.bootstrap", "own:9092"),
                        Map.entry(LOGIN, "org.apache.kafka.common.security.plain.PlainLoginModule required;"));
    }
}
