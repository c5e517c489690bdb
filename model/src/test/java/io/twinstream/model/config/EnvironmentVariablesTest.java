package io.twinstream.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrefixedVariablesTest {

    private static final List<String> KEYS = List.of("mqtt.connections", "ingest.max-future", "metrics.port");

    @Test
    void shouldNameAKeysVariableWithoutSayingThePrefixTwice() {
        assertThat(PrefixedVariables.variable("INGEST", "mqtt.connections")).isEqualTo("INGEST_MQTT_CONNECTIONS");
        assertThat(PrefixedVariables.variable("INGEST", "ingest.max-future")).isEqualTo("INGEST_MAX_FUTURE");
        assertThat(PrefixedVariables.variable("INGEST", "metrics.port")).isEqualTo("INGEST_METRICS_PORT");
        assertThat(PrefixedVariables.variable("METRICS", "metrics.idle-after")).isEqualTo("METRICS_IDLE_AFTER");
    }

    @Test
    void shouldReadTheKeysSetUnderThePrefixAndNothingElse() {
        Map<String, String> values = PrefixedVariables.read(
                Map.of(
                        "INGEST_MQTT_CONNECTIONS", "4",
                        "INGEST_MAX_FUTURE", "2m",
                        "INGEST_METRICS_PORT", " ",
                        "MQTT_URL", "tcp://elsewhere:1883",
                        "INGESTION", "not ours"),
                "INGEST",
                KEYS);

        assertThat(values).containsOnly(Map.entry("mqtt.connections", "4"), Map.entry("ingest.max-future", "2m"));
    }

    @Test
    void shouldRefuseAVariableUnderThePrefixThatSetsNoKeyNamingTheNearest() {
        assertThatThrownBy(() -> PrefixedVariables.read(Map.of("INGEST_MQTT_CONECTIONS", "4"), "INGEST", KEYS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown environment variable INGEST_MQTT_CONECTIONS: no INGEST setting has"
                        + " that name (did you mean INGEST_MQTT_CONNECTIONS?)");
        assertThatThrownBy(() -> PrefixedVariables.read(Map.of("INGEST_INGEST_MAX_FUTURE", "2m"), "INGEST", KEYS))
                .as("the prefix said twice, as it had to be before")
                .hasMessageContaining("did you mean INGEST_MAX_FUTURE?");
    }
}
