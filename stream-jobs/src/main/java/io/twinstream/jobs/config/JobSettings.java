package io.twinstream.jobs.config;

import io.twinstream.jobs.sink.InfluxSink;
import io.twinstream.model.Durations;
import io.twinstream.model.config.EnvironmentVariables;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;

/**
 * What both jobs' configurations are read from: a properties file, then environment variables
 * (the shared {@code KAFKA_BOOTSTRAP}, {@code KAFKA_SASL_JAAS_CONFIG}, {@code INFLUX_URL} and, where
 * the job has MQTT settings, {@code MQTT_URL}/{@code MQTT_USERNAME}/{@code MQTT_PASSWORD}; and
 * {@code <PREFIX>_<KEY>} for any key, e.g. {@code METRICS_CHECKPOINT_DIR} or {@code METRICS_IDLE_AFTER}:
 * {@link EnvironmentVariables}), then each key's
 * default. Unknown keys, unknown variables under the prefix and malformed values are refused naming
 * them, so a typo stops the job before it is submitted.
 */
public final class JobSettings {

    /** Keys every job has: Kafka, InfluxDB, checkpoints. */
    public static final Set<String> COMMON_KEYS = Set.of(
            "kafka.bootstrap",
            "kafka.readings-topic",
            "kafka.group-id",
            "kafka.deadletter-topic",
            "readings.max-future",
            "influx.url",
            "influx.database",
            "influx.username",
            "influx.password",
            "influx.batch-size",
            "influx.linger",
            "influx.retry-for",
            "influx.tls.truststore",
            "influx.tls.truststore-password",
            "checkpoint.interval",
            "checkpoint.dir");

    /** The common keys and a job's own. */
    public static Set<String> commonKeysAnd(String... jobKeys) {
        Set<String> all = new TreeSet<>(COMMON_KEYS);
        all.addAll(Set.of(jobKeys));
        return Set.copyOf(all);
    }

    private final Map<String, String> values;

    private JobSettings(Map<String, String> values) {
        this.values = values;
    }

    /** Reads {@code file} (null: none) and the environment; {@code keys} are all the keys the job knows. */
    public static JobSettings load(Path file, Map<String, String> environment, String envPrefix, Set<String> keys)
            throws IOException {
        Properties properties = new Properties();
        if (file != null) {
            try (Reader reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            }
        }
        return load(properties, environment, envPrefix, keys);
    }

    public static JobSettings load(
            Properties file, Map<String, String> environment, String envPrefix, Set<String> keys) {
        Map<String, String> values = new HashMap<>();
        Set<String> unknown = new TreeSet<>();
        for (String key : file.stringPropertyNames()) {
            if (keys.contains(key)
                    || (key.startsWith(KafkaClientProperties.PREFIX)
                            && key.length() > KafkaClientProperties.PREFIX.length())) {
                values.put(key, file.getProperty(key));
            } else {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown configuration keys " + unknown + "; known: "
                    + new TreeSet<>(keys) + " and " + KafkaClientProperties.PREFIX + "*");
        }
        values.putAll(EnvironmentVariables.read(
                environment, envPrefix, keys, KafkaClientProperties.PREFIX + "sasl.jaas.config"));
        return new JobSettings(values);
    }

    public String text(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    /** The value, or null when it is not set. */
    public String optional(String key) {
        return values.get(key);
    }

    public int integer(String key, int defaultValue) {
        String text = values.get(key);
        try {
            return text == null ? defaultValue : Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, was '" + text + "'");
        }
    }

    public boolean flag(String key, boolean defaultValue) {
        String text = values.get(key);
        if (text == null) {
            return defaultValue;
        }
        return switch (text.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, was '" + text + "'");
        };
    }

    public Duration duration(String key, Duration defaultValue) {
        String text = values.get(key);
        return text == null ? defaultValue : Durations.parse(key, text);
    }

    public String kafkaBootstrap() {
        String bootstrap = text("kafka.bootstrap", "127.0.0.1:9092");
        if (bootstrap.isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrap is empty");
        }
        return bootstrap;
    }

    /**
     * {@code kafka.client.*}: properties for every Kafka client of the job (SASL, TLS), from the
     * file only: secrets such as {@code sasl.jaas.config} belong in a file readable by the job alone.
     */
    public KafkaClientProperties kafkaClient() {
        Map<String, String> client = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(KafkaClientProperties.PREFIX)) {
                client.put(key.substring(KafkaClientProperties.PREFIX.length()), value);
            }
        });
        return new KafkaClientProperties(client);
    }

    /** {@code kafka.deadletter-topic}: where the job puts what it refuses, default telemetry.deadletter. */
    public String deadLetterTopic() {
        return text("kafka.deadletter-topic", "telemetry.deadletter");
    }

    /**
     * {@code readings.max-future}: how far ahead of the job's clock a reading may be stamped before
     * it is refused, default 5m (ingest's own bound is 1 min; the rest is room for clocks that differ).
     */
    public Duration maxFuture() {
        return duration("readings.max-future", Duration.ofMinutes(5));
    }

    /** {@code influx.*}: url (INFLUX_URL, default http://127.0.0.1:8086), database (telemetry), batch 5000, linger 1s, retry 60s. */
    public InfluxSink.Settings influx() {
        return new InfluxSink.Settings(
                text("influx.url", "http://127.0.0.1:8086"),
                text("influx.database", "telemetry"),
                optional("influx.username"),
                optional("influx.password"),
                integer("influx.batch-size", 5000),
                duration("influx.linger", Duration.ofSeconds(1)),
                duration("influx.retry-for", Duration.ofSeconds(60)),
                optional("influx.tls.truststore"),
                optional("influx.tls.truststore-password"));
    }

    /** {@code checkpoint.interval}, default 10s, at least 10 ms. */
    public Duration checkpointInterval() {
        Duration interval = duration("checkpoint.interval", Duration.ofSeconds(10));
        if (interval.toMillis() < 10) {
            throw new IllegalArgumentException("checkpoint.interval must be at least 10ms, was " + interval);
        }
        return interval;
    }

    /**
     * {@code checkpoint.dir}: a URI Flink's file systems understand; default
     * {@code file://<java.io.tmpdir>/twinstream-checkpoints}. Without a directory Flink keeps
     * checkpoints in the JobManager's memory, which refuses state over 5 MB.
     */
    public String checkpointDir() {
        String dir = text(
                "checkpoint.dir",
                Path.of(System.getProperty("java.io.tmpdir"), "twinstream-checkpoints")
                        .toUri()
                        .toString());
        if (!dir.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.+")) {
            throw new IllegalArgumentException(
                    "checkpoint.dir must be a URI with a scheme (file:///…, s3://…), was '" + dir + "'");
        }
        return dir;
    }

    /**
     * The Flink settings every job needs: no Kryo fallback (a type Flink cannot serialize itself
     * fails the build of the job, not its speed), checkpoints to a file system, restarts with
     * exponential backoff (1 s to 60 s).
     */
    public static Configuration flinkConfiguration(Duration checkpointInterval, String checkpointDir) {
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.GENERIC_TYPES, false);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(60));
        flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
        return flink;
    }
}
