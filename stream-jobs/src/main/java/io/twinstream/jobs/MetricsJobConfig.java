package io.twinstream.jobs;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.twinstream.jobs.sink.InfluxSink;

/**
 * The metrics job's configuration: a properties file, then environment variables ({@code KAFKA_BOOTSTRAP},
 * {@code INFLUX_URL}, and {@code METRICS_<KEY>} for any key), then these defaults. Validated here,
 * so a bad value stops the job before it is submitted, naming the key.
 *
 * @param kafkaBootstrap   {@code kafka.bootstrap}, default 127.0.0.1:9092
 * @param readingsTopic    {@code kafka.readings-topic}, default telemetry.readings
 * @param lateTopic        {@code kafka.late-topic}: samples later than the allowed lateness, default telemetry.late
 * @param groupId          {@code kafka.group-id}: the consumer group (offsets), default twinstream-metrics
 * @param influx           {@code influx.url} (INFLUX_URL, default http://127.0.0.1:8086), {@code influx.database}
 *                         (telemetry), {@code influx.username}/{@code influx.password}, {@code influx.batch-size}
 *                         (5000), {@code influx.linger} (1s), {@code influx.retry-for} (60s)
 * @param outOfOrderness   {@code metrics.out-of-orderness}, default 5s
 * @param idleAfter        {@code metrics.idle-after}: wall time without readings after which the
 *                         watermark advances by itself, default 10s
 * @param allowedLateness  {@code metrics.allowed-lateness}, default 60s
 * @param dedupMemory      {@code metrics.dedup-memory}: how long a reading's identity is remembered, default 1h
 * @param checkpointInterval {@code checkpoint.interval}, default 10s
 * @param checkpointDir    {@code checkpoint.dir}: where checkpoints are written, a URI Flink's file
 *                         systems understand; default {@code file://<java.io.tmpdir>/twinstream-checkpoints}.
 *                         Without a directory Flink keeps checkpoints in the JobManager's memory,
 *                         which refuses state over 5 MB: a fleet of thousands of devices outgrows
 *                         it. On a cluster, point it at shared storage (s3://…, hdfs://…).
 */
public record MetricsJobConfig(String kafkaBootstrap, String readingsTopic, String lateTopic, String groupId,
                               InfluxSink.Settings influx, Duration outOfOrderness, Duration idleAfter,
                               Duration allowedLateness, Duration dedupMemory, Duration checkpointInterval,
                               String checkpointDir)
        implements Serializable {

    private static final Set<String> KEYS = Set.of("kafka.bootstrap", "kafka.readings-topic", "kafka.late-topic",
            "kafka.group-id", "influx.url", "influx.database", "influx.username", "influx.password", "influx.batch-size",
            "influx.linger", "influx.retry-for", "metrics.out-of-orderness", "metrics.idle-after",
            "metrics.allowed-lateness", "metrics.dedup-memory", "checkpoint.interval", "checkpoint.dir");

    public MetricsJobConfig {
        if (kafkaBootstrap.isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrap is empty");
        }
        if (outOfOrderness.isNegative() || allowedLateness.isNegative()) {
            throw new IllegalArgumentException("metrics.out-of-orderness and metrics.allowed-lateness must not be negative");
        }
        if (idleAfter.isZero() || dedupMemory.isZero()) {
            throw new IllegalArgumentException("metrics.idle-after and metrics.dedup-memory must be above zero");
        }
        if (checkpointInterval.toMillis() < 10) {
            throw new IllegalArgumentException("checkpoint.interval must be at least 10ms, was " + checkpointInterval);
        }
        if (!checkpointDir.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.+")) {
            throw new IllegalArgumentException("checkpoint.dir must be a URI with a scheme (file:///…, s3://…), was '"
                    + checkpointDir + "'");
        }
    }

    public static MetricsJobConfig load(Path file, Map<String, String> environment) throws IOException {
        Properties properties = new Properties();
        if (file != null) {
            try (Reader reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            }
        }
        return load(properties, environment);
    }

    public static MetricsJobConfig load(Properties file, Map<String, String> environment) {
        Map<String, String> values = new HashMap<>();
        Set<String> unknown = new TreeSet<>();
        for (String key : file.stringPropertyNames()) {
            if (KEYS.contains(key)) {
                values.put(key, file.getProperty(key));
            } else {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown configuration keys " + unknown + "; known: " + new TreeSet<>(KEYS));
        }
        env(environment, "KAFKA_BOOTSTRAP", "kafka.bootstrap", values);
        env(environment, "INFLUX_URL", "influx.url", values);
        for (String key : KEYS) {
            env(environment, "METRICS_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), key, values);
        }
        InfluxSink.Settings influx = new InfluxSink.Settings(
                values.getOrDefault("influx.url", "http://127.0.0.1:8086"),
                values.getOrDefault("influx.database", "telemetry"),
                values.get("influx.username"), values.get("influx.password"),
                integer(values, "influx.batch-size", 5000),
                duration(values, "influx.linger", Duration.ofSeconds(1)),
                duration(values, "influx.retry-for", Duration.ofSeconds(60)));
        return new MetricsJobConfig(
                values.getOrDefault("kafka.bootstrap", "127.0.0.1:9092"),
                values.getOrDefault("kafka.readings-topic", "telemetry.readings"),
                values.getOrDefault("kafka.late-topic", "telemetry.late"),
                values.getOrDefault("kafka.group-id", "twinstream-metrics"),
                influx,
                duration(values, "metrics.out-of-orderness", Duration.ofSeconds(5)),
                duration(values, "metrics.idle-after", Duration.ofSeconds(10)),
                duration(values, "metrics.allowed-lateness", Duration.ofSeconds(60)),
                duration(values, "metrics.dedup-memory", Duration.ofHours(1)),
                duration(values, "checkpoint.interval", Duration.ofSeconds(10)),
                values.getOrDefault("checkpoint.dir",
                        Path.of(System.getProperty("java.io.tmpdir"), "twinstream-checkpoints").toUri().toString()));
    }

    private static void env(Map<String, String> environment, String variable, String key, Map<String, String> values) {
        String value = environment.get(variable);
        if (value != null && !value.isBlank()) {
            values.put(key, value);
        }
    }

    private static int integer(Map<String, String> values, String key, int defaultValue) {
        String text = values.get(key);
        try {
            return text == null ? defaultValue : Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, was '" + text + "'");
        }
    }

    private static Duration duration(Map<String, String> values, String key, Duration defaultValue) {
        String text = values.get(key);
        if (text == null) {
            return defaultValue;
        }
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(key + " must be a duration like 500ms, 10s, 5m, 1h, was '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
