package io.twinstream.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.jobs.metrics.MetricsJobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AlertsJobConfigTest {

    private static Properties file(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void shouldUseTheDocumentedDefaultsWithTheShippedDemoRules() throws Exception {
        AlertsJobConfig config = AlertsJobConfig.load(file(), Map.of());

        assertThat(config.readingsTopic()).isEqualTo("telemetry.readings");
        assertThat(config.alertsTopic()).isEqualTo("telemetry.alerts");
        assertThat(config.rulesTopic()).isEqualTo("telemetry.rules");
        assertThat(config.groupId()).isEqualTo("twinstream-alerts");
        assertThat(config.mqtt().url()).isEqualTo("tcp://127.0.0.1:1883");
        assertThat(config.mqtt().qos()).isEqualTo(1);
        assertThat(config.rulesSource()).isEqualTo("classpath:rules/demo.yaml");
        assertThat(config.rules().named("pm25-high")).isNotNull();
        assertThat(config.outOfOrderness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.allowedLateness()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.offlineIntervals()).isEqualTo(3);
        assertThat(config.offlineDefaultInterval()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void shouldTakeMqttFromTheSameVariablesAsIngestAndTurnItOffWithNone() throws Exception {
        assertThat(AlertsJobConfig.load(file(), Map.of("MQTT_URL", "tcp://broker:1884"))
                        .mqtt()
                        .url())
                .isEqualTo("tcp://broker:1884");
        assertThat(AlertsJobConfig.load(file("mqtt.url", "none"), Map.of()).mqtt())
                .isNull();
    }

    /** Compose's flink-jobs service gives the alerts job its broker login this way; the metrics job has none. */
    @Test
    void shouldTakeItsOwnBrokerLoginFromAlertsPrefixedVariables() throws Exception {
        AlertsJobConfig config = AlertsJobConfig.load(
                file(), Map.of("ALERTS_MQTT_USERNAME", "alerts", "ALERTS_MQTT_PASSWORD", "s3cret"));
        assertThat(config.mqtt().username()).isEqualTo("alerts");
        assertThat(config.mqtt().password()).isEqualTo("s3cret");
        assertThat(config.mqtt().toString()).doesNotContain("s3cret");
        assertThat(MetricsJobConfig.load(
                                new Properties(),
                                Map.of("ALERTS_MQTT_USERNAME", "alerts", "ALERTS_MQTT_PASSWORD", "s3cret"))
                        .toString())
                .doesNotContain("s3cret");
    }

    @Test
    void shouldReadARulesFile(@TempDir Path tmp) throws Exception {
        Path rules = Files.writeString(
                tmp.resolve("r.yaml"),
                "rules:\n  - { name: loud, match: { deviceType: noise, metric: db }, value: 1m mean, above: 70, clearBelow: 65 }\n");

        AlertsJobConfig config = AlertsJobConfig.load(file("rules.file", rules.toString()), Map.of());

        assertThat(config.rules().rules()).extracting(r -> r.name()).containsExactly("loud");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "rules.file              | /no/such/rules.yaml | rules.file: no file /no/such/rules.yaml",
                "mqtt.url                | broker:1883         | mqtt.url must look like tcp://host:1883",
                "mqtt.qos                | 2                   | mqtt.qos must be 0 or 1",
                "offline.intervals       | 0                   | offline.intervals must be at least 1",
                "offline.default-interval| 0s                  | offline.default-interval and offline.forget-after must be above zero",
                "offline.forget-after    | 0s                  | offline.forget-after must be above zero",
                "alerts.out-of-orderness | soon                | alerts.out-of-orderness must be a duration",
                "alert.out-of-orderness  | 5s                  | unknown configuration keys [alert.out-of-orderness]",
            })
    void shouldRefuseABadValueNamingItsKey(String key, String value, String message) {
        assertThatThrownBy(() -> AlertsJobConfig.load(file(key, value), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
