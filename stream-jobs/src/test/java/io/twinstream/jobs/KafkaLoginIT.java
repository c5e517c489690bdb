package io.twinstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.jobs.alerts.AlertsJobRuns;
import io.twinstream.jobs.metrics.MetricsJob;
import io.twinstream.jobs.metrics.MetricsJobConfig;
import io.twinstream.jobs.metrics.MetricsJobRuns;
import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #17: the jobs' Kafka clients took no settings but the bootstrap servers, so a Kafka that
 * wants a login (SASL) could not be used at all. Against a real broker whose listener takes one
 * SASL/PLAIN login: with {@code kafka.client.*} the metrics job reads its readings, writes its
 * windows and its dead letters through it, and the alerts job reads readings and rules and writes
 * alerts through its transactional sink; with a wrong password a job refuses to start, saying the
 * login was refused; the configuration never prints the secret.
 */
class KafkaLoginIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final String USER = "jobs";
    private static final String PASSWORD = "s3cret-1";

    @TempDir
    Path tmp;

    private static Map<String, String> login(String password) {
        return Map.of(
                "kafka.client.security.protocol",
                "SASL_PLAINTEXT",
                "kafka.client.sasl.mechanism",
                "PLAIN",
                "kafka.client.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required " + "username=\"" + USER
                        + "\" password=\"" + password + "\";");
    }

    @Test
    void shouldReadAndWriteThroughAKafkaThatWantsALogin() throws Exception {
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        try (KafkaProcess kafka = new KafkaProcess(
                        KafkaProcess.Options.defaults().withLocal(local).withSasl(USER, PASSWORD));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local))) {
            MetricsJobRuns.startWithTopics(kafka, influx, 3);
            influx.createDatabase("loginit");

            Map<String, String> wrong = new HashMap<>(login("guessed"));
            wrong.put("kafka.bootstrap", kafka.saslBootstrapServers());
            MetricsJobConfig refused =
                    MetricsJobConfig.load(MetricsJobRuns.settings(kafka, influx, tmp, wrong), Map.of());
            assertThat(refused.toString()).doesNotContain("guessed").contains("sasl.jaas.config=(hidden)");
            assertThatThrownBy(() -> MetricsJob.addTo(StreamExecutionEnvironment.getExecutionEnvironment(), refused))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Kafka at " + kafka.saslBootstrapServers() + " refused the job's login");

            Map<String, double[]> expected = new TreeMap<>();
            produceThroughTheLogin(kafka, expected);

            Map<String, String> settings = new HashMap<>(login(PASSWORD));
            settings.putAll(Map.of(
                    "kafka.bootstrap",
                    kafka.saslBootstrapServers(),
                    "influx.database",
                    "loginit",
                    "kafka.group-id",
                    "login-it"));
            JobClient job =
                    MetricsJobRuns.start(kafka, influx, tmp.resolve("checkpoints"), settings, UnaryOperator.identity());
            try {
                String query =
                        "SELECT \"count\", \"sum\", \"min\", \"max\" FROM device_metrics WHERE \"window\" = '10s' "
                                + "GROUP BY device_id";
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> MetricsJobRuns.points(influx.query("loginit", query))
                                        .size()
                                >= expected.size());
                MetricsJobRuns.assertExactly(MetricsJobRuns.points(influx.query("loginit", query)), expected);
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> deadLetterCount(kafka) == 1);
            } finally {
                job.cancel().get();
            }
            shouldRaiseAlertsThroughTheLogin(kafka, influx);
        }
    }

    /**
     * The alerts job's own Kafka clients through the same login: the readings and rules sources and
     * the exactly-once (transactional) alerts sink.
     */
    private void shouldRaiseAlertsThroughTheLogin(KafkaProcess kafka, InfluxdProcess influx) throws Exception {
        kafka.ensurePipelineTopics(); // telemetry.alerts and telemetry.rules
        Path rules = tmp.resolve("rules.yaml");
        java.nio.file.Files.writeString(
                rules,
                String.join(
                        "\n",
                        "rules:",
                        "  - name: loud",
                        "    severity: warning",
                        "    match: { domain: city, deviceType: noise, metric: db }",
                        "    above: 45",
                        "    message: \"{device} {value}\"",
                        ""));
        Map<String, String> settings = new HashMap<>(login(PASSWORD));
        settings.putAll(Map.of(
                "kafka.bootstrap",
                kafka.saslBootstrapServers(),
                "influx.database",
                "loginit",
                "kafka.group-id",
                "login-alerts",
                "rules.file",
                rules.toString()));
        JobClient job = AlertsJobRuns.start(
                kafka, influx, "none", tmp.resolve("alerts-checkpoints"), settings, UnaryOperator.identity());
        try {
            // sasl-19 reads 19 + second: above 45 from second 27; sasl-16 never (16 + 29 = 45)
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> AlertsJobRuns.kafkaTransitions(kafka.bootstrapServers(), "telemetry.alerts")
                                    .size()
                            >= 3);
            assertThat(AlertsJobRuns.kafkaTransitions(kafka.bootstrapServers(), "telemetry.alerts"))
                    .allMatch(t -> t.contains("sasl-17") || t.contains("sasl-18") || t.contains("sasl-19"));
        } finally {
            job.cancel().get();
        }
    }

    /** 20 devices × 30 s of readings an hour ago and one record that is not a reading, through the SASL listener. */
    private static void produceThroughTheLogin(KafkaProcess kafka, Map<String, double[]> expected) {
        Map<String, Object> props = new HashMap<>();
        login(PASSWORD).forEach((key, value) -> props.put(key.substring("kafka.client.".length()), value));
        props.put("bootstrap.servers", kafka.saslBootstrapServers());
        long t0 = Instant.now()
                .minus(Duration.ofHours(1))
                .truncatedTo(ChronoUnit.MINUTES)
                .toEpochMilli();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int second = 0; second < 30; second++) {
                for (int d = 0; d < 20; d++) {
                    String device = "sasl-" + d;
                    long ts = t0 + second * 1000L;
                    double value = d + second;
                    producer.send(new ProducerRecord<>(
                            "telemetry.readings",
                            device.getBytes(StandardCharsets.UTF_8),
                            ReadingCodec.encode(new Reading(
                                    "city",
                                    "sasl",
                                    "noise",
                                    device,
                                    ts,
                                    second + 1,
                                    ts,
                                    new String[] {"db"},
                                    new double[] {value}))));
                    MetricsJobRuns.expectValue(
                            expected, "device_id=" + device + "|" + (ts - Math.floorMod(ts, 10_000)), value, 4);
                }
            }
            producer.send(new ProducerRecord<>(
                    "telemetry.readings",
                    "junk".getBytes(StandardCharsets.UTF_8),
                    "not a reading".getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Records on telemetry.deadletter, read through the plain listener. */
    private static long deadLetterCount(KafkaProcess kafka) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition("telemetry.deadletter", 0);
            return consumer.endOffsets(List.of(partition)).get(partition);
        }
    }
}
