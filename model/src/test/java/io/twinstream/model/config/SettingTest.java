package io.twinstream.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingTest {

    private static final Setting<Duration> IDLE_AFTER =
            Setting.duration("metrics.idle-after", Duration.ofSeconds(10), "when a partition may count as idle");
    private static final Setting<Integer> CONNECTIONS = Setting.integer("mqtt.connections", 1, "connections");
    private static final Setting<Double> MAX_ABS = Setting.number("ingest.max-abs-value", 1e15, "bound");
    private static final Setting<Boolean> EARLY = Setting.flag("metrics.early-device-windows", false, "early");
    private static final Setting<String> USERNAME = Setting.text("mqtt.username", null, "login");

    @Test
    void shouldReadTheValueInTheHouseSyntaxOrTheDefault() {
        Map<String, String> values = Map.of(
                "metrics.idle-after", "1.5m",
                "mqtt.connections", " 4 ",
                "ingest.max-abs-value", "0.5",
                "metrics.early-device-windows", "true");

        assertThat(IDLE_AFTER.from(values)).isEqualTo(Duration.ofSeconds(90));
        assertThat(CONNECTIONS.from(values)).isEqualTo(4);
        assertThat(MAX_ABS.from(values)).isEqualTo(0.5);
        assertThat(EARLY.from(values)).isTrue();
        assertThat(USERNAME.from(values)).isNull();
        assertThat(IDLE_AFTER.from(Map.of())).isEqualTo(Duration.ofSeconds(10));
        assertThat(USERNAME.from(Map.of(), "worked-out")).isEqualTo("worked-out");
    }

    @Test
    void shouldNameTheKeyAndWhatItMustBe() {
        assertThatThrownBy(() -> CONNECTIONS.from(Map.of("mqtt.connections", "two")))
                .hasMessage("mqtt.connections must be a whole number, was 'two'");
        assertThatThrownBy(() -> MAX_ABS.from(Map.of("ingest.max-abs-value", "lots")))
                .hasMessage("ingest.max-abs-value must be a number such as 1e15 or 0.5, was 'lots'");
        assertThatThrownBy(() -> EARLY.from(Map.of("metrics.early-device-windows", "yes")))
                .hasMessage("metrics.early-device-windows must be true or false, was 'yes'");
        assertThatThrownBy(() -> IDLE_AFTER.from(Map.of("metrics.idle-after", "10 seconds")))
                .hasMessageStartingWith("metrics.idle-after must be a duration like 250ms");
    }

    @Test
    void shouldWriteTheReferenceRowsFromTheDeclarations() {
        assertThat(SettingsTable.markdown(
                        "INGEST",
                        List.of(
                                Setting.text("mqtt.url", "tcp://127.0.0.1:1883", "broker"),
                                USERNAME,
                                MAX_ABS,
                                Setting.text("mqtt.client-id", null, "prefix").defaultShownAs("`ingest-<hostname>`"),
                                Setting.duration("ingest.max-future", Duration.ofMinutes(1), "bound"))))
                .isEqualTo("""
                        | key (file) | environment | default | meaning |
                        |---|---|---|---|
                        | `mqtt.url` | `MQTT_URL`, `INGEST_MQTT_URL` | `tcp://127.0.0.1:1883` | broker |
                        | `mqtt.username` | `MQTT_USERNAME`, `INGEST_MQTT_USERNAME` | none | login |
                        | `ingest.max-abs-value` | `INGEST_MAX_ABS_VALUE` | `1e15` | bound |
                        | `mqtt.client-id` | `INGEST_MQTT_CLIENT_ID` | `ingest-<hostname>` | prefix |
                        | `ingest.max-future` | `INGEST_MAX_FUTURE` | `1m` | bound |
                        """);
    }
}
