package io.twinstream.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricsJobConfigTest {

    private static Properties file(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    /**
     * Issue #17: the jobs' Kafka clients take SASL/TLS settings; secrets come from the environment if
     * wished, never printed.
     */
    /** Compose's flink-jobs service gives each job InfluxDB's write-only login this way. */
    @Test
    void shouldTakeItsInfluxLoginFromMetricsPrefixedVariables() {
        MetricsJobConfig config = MetricsJobConfig.load(
                new Properties(),
                Map.of("METRICS_INFLUX_USERNAME", "twinstream", "METRICS_INFLUX_PASSWORD", "w-s3cret"));
        assertThat(config.influx().username()).isEqualTo("twinstream");
        assertThat(config.influx().password()).isEqualTo("w-s3cret");
        assertThat(config.toString()).doesNotContain("w-s3cret");
    }

    @Test
    void shouldPassKafkaClientSettingsAndNeverPrintASecret() {
        String jaas =
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"m\" password=\"k-secret\";";
        MetricsJobConfig config = MetricsJobConfig.load(
                file(
                        "kafka.client.security.protocol",
                        "SASL_SSL",
                        "kafka.client.ssl.truststore.password",
                        "ts-secret",
                        "influx.username",
                        "u",
                        "influx.password",
                        "i-secret"),
                Map.of("KAFKA_SASL_JAAS_CONFIG", jaas));

        assertThat(config.kafkaClient().asProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", jaas)
                .containsEntry("ssl.truststore.password", "ts-secret");
        assertThat(config.toString())
                .doesNotContain("k-secret", "ts-secret", "i-secret")
                .contains("sasl.jaas.config=(hidden)", "security.protocol=SASL_SSL");
        assertThatThrownBy(() -> MetricsJobConfig.load(file("kafka.client.bootstrap.servers", "x:9092"), Map.of()))
                .hasMessageContaining("set kafka.bootstrap, not kafka.client.bootstrap.servers");
    }

    @Test
    void shouldUseTheDocumentedDefaults() {
        MetricsJobConfig config = MetricsJobConfig.load(file(), Map.of());

        assertThat(config.kafkaBootstrap()).isEqualTo("127.0.0.1:9092");
        assertThat(config.readingsTopic()).isEqualTo("telemetry.readings");
        assertThat(config.lateTopic()).isEqualTo("telemetry.late");
        assertThat(config.deadLetterTopic()).isEqualTo("telemetry.deadletter");
        assertThat(config.maxFuture()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.kafkaClient()).isEqualTo(io.twinstream.jobs.config.KafkaClientProperties.NONE);
        assertThat(config.groupId()).isEqualTo("twinstream-metrics");
        assertThat(config.influx().url()).isEqualTo("http://127.0.0.1:8086");
        assertThat(config.influx().database()).isEqualTo("telemetry");
        assertThat(config.outOfOrderness()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.idleAfter()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.allowedLateness()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.dedupMemory()).isEqualTo(Duration.ofHours(1));
        assertThat(config.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.checkpointDir())
                .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "twinstream-checkpoints")
                        .toUri()
                        .toString());
    }

    @Test
    void shouldTakeTheEnvironmentOverTheFile() {
        MetricsJobConfig config = MetricsJobConfig.load(
                file(
                        "kafka.bootstrap",
                        "file:9092",
                        "influx.url",
                        "http://file:8086",
                        "metrics.allowed-lateness",
                        "30s",
                        "checkpoint.dir",
                        "file:///from/file"),
                Map.of(
                        "KAFKA_BOOTSTRAP",
                        "env:9092",
                        "INFLUX_URL",
                        "http://env:8086",
                        "METRICS_ALLOWED_LATENESS",
                        "2m",
                        "METRICS_CHECKPOINT_DIR",
                        "s3://bucket/checkpoints"));

        assertThat(config.kafkaBootstrap()).isEqualTo("env:9092");
        assertThat(config.influx().url()).isEqualTo("http://env:8086");
        assertThat(config.allowedLateness()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.checkpointDir()).isEqualTo("s3://bucket/checkpoints");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "metrics.out-of-orderness | 5 seconds | metrics.out-of-orderness must be a duration",
                "metrics.dedup-memory     | 0s        | metrics.dedup-memory must be above zero",
                "influx.url               | influx:8086 | influx url must look like http://host:8086",
                "checkpoint.interval      | 1ms       | checkpoint.interval must be at least 10ms",
                "checkpoint.dir           | /no/scheme | checkpoint.dir must be a URI with a scheme",
                "influx.batch-size        | many      | influx.batch-size must be a whole number",
                "influx.linger            | -1s       | influx.linger must be a duration",
                "kafka.bootstrap          | ' '       | kafka.bootstrap is empty",
                "kafka.bootstrp           | x:9092    | unknown configuration keys [kafka.bootstrp]",
            })
    void shouldRefuseABadValueNamingItsKey(String key, String value, String message) {
        assertThatThrownBy(() -> MetricsJobConfig.load(file(key, value), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void shouldRefuseAVariableUnderItsPrefixThatSetsNoKey() {
        assertThatThrownBy(() -> MetricsJobConfig.load(new Properties(), Map.of("METRICS_METRICS_IDLE_AFTER", "5s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown environment variable METRICS_METRICS_IDLE_AFTER")
                .hasMessageContaining("did you mean METRICS_IDLE_AFTER?");
    }
}
