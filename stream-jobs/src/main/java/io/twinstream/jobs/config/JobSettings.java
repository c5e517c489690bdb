package io.twinstream.jobs.config;

import io.twinstream.jobs.sink.InfluxSink;
import io.twinstream.model.config.EnvironmentVariables;
import io.twinstream.model.config.Setting;
import io.twinstream.model.config.SettingValues;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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

    // The keys every job has, each once: its default and meaning (docs/configuration.md is written from them).
    public static final Setting<String> KAFKA_BOOTSTRAP = Setting.text("kafka.bootstrap", "127.0.0.1:9092", "Kafka");
    public static final Setting<String> READINGS_TOPIC =
            Setting.text("kafka.readings-topic", "telemetry.readings", "the readings, from the bridge");
    public static final Setting<String> DEADLETTER_TOPIC = Setting.text(
            "kafka.deadletter-topic",
            "telemetry.deadletter",
            "what the job refuses, with the reason (see [security.md](security.md))");
    public static final Setting<Duration> MAX_FUTURE = Setting.duration(
            "readings.max-future",
            Duration.ofMinutes(5),
            "a reading stamped further ahead of the job's clock is refused (`timestamp-in-future`): it would move"
                    + " event time ahead for good (the bridge's own bound is 1 min; the rest is room for clocks"
                    + " that differ)");
    public static final Setting<String> INFLUX_URL =
            Setting.text("influx.url", "http://127.0.0.1:8086", "InfluxDB's 1.x API");
    public static final Setting<String> INFLUX_DATABASE = Setting.text("influx.database", "telemetry", "its database");
    public static final Setting<String> INFLUX_USERNAME =
            Setting.text("influx.username", null, "login, with `influx.password`");
    public static final Setting<String> INFLUX_PASSWORD =
            Setting.text("influx.password", null, "login, with `influx.username`");
    public static final Setting<Integer> INFLUX_BATCH_SIZE =
            Setting.integer("influx.batch-size", 5000, "points per write at most");
    public static final Setting<Duration> INFLUX_LINGER =
            Setting.duration("influx.linger", Duration.ofSeconds(1), "how long a batch waits for more points");
    public static final Setting<Duration> INFLUX_RETRY_FOR = Setting.duration(
            "influx.retry-for",
            Duration.ofSeconds(60),
            "how long a write is retried while InfluxDB is unreachable before the job fails (and restarts from"
                    + " its checkpoint)");
    public static final Setting<String> INFLUX_TRUSTSTORE = Setting.text(
                    "influx.tls.truststore",
                    null,
                    "for an `https://` url whose certificate a private authority signed, a PKCS12 (or `.jks`) trust"
                            + " store holding it, present on every TaskManager")
            .defaultShownAs("the JVM's trust store");
    public static final Setting<String> INFLUX_TRUSTSTORE_PASSWORD =
            Setting.text("influx.tls.truststore-password", null, "the trust store's password");
    public static final Setting<Duration> CHECKPOINT_INTERVAL =
            Setting.duration("checkpoint.interval", Duration.ofSeconds(10), "at least 10ms");
    public static final Setting<String> CHECKPOINT_DIR = Setting.text(
                    "checkpoint.dir",
                    null,
                    "a URI Flink's file systems understand; on a cluster, shared storage (`s3://…`, `hdfs://…`)."
                            + " Without one Flink keeps checkpoints in the JobManager's memory, which refuses state"
                            + " over 5 MB")
            .defaultShownAs("`file://` + `java.io.tmpdir` + `/twinstream-checkpoints`");

    /**
     * A job's keys, in the reference's order: Kafka (with the job's consumer group), the job's own
     * keys, then InfluxDB and checkpoints.
     */
    public static List<Setting<?>> settings(Setting<String> groupId, List<Setting<?>> jobSettings) {
        List<Setting<?>> all = new ArrayList<>(List.of(KAFKA_BOOTSTRAP, READINGS_TOPIC, groupId, DEADLETTER_TOPIC));
        all.addAll(jobSettings);
        all.addAll(List.of(
                MAX_FUTURE,
                INFLUX_URL,
                INFLUX_DATABASE,
                INFLUX_USERNAME,
                INFLUX_PASSWORD,
                INFLUX_BATCH_SIZE,
                INFLUX_LINGER,
                INFLUX_RETRY_FOR,
                INFLUX_TRUSTSTORE,
                INFLUX_TRUSTSTORE_PASSWORD,
                CHECKPOINT_INTERVAL,
                CHECKPOINT_DIR));
        return List.copyOf(all);
    }

    private final Map<String, String> values;

    private JobSettings(Map<String, String> values) {
        this.values = values;
    }

    /** Reads {@code file} (null: none) and the environment; {@code settings} are all the keys the job knows. */
    public static JobSettings load(
            Path file, Map<String, String> environment, String envPrefix, List<Setting<?>> settings)
            throws IOException {
        return load(SettingValues.file(file), environment, envPrefix, settings);
    }

    public static JobSettings load(
            Properties file, Map<String, String> environment, String envPrefix, List<Setting<?>> settings) {
        return new JobSettings(
                SettingValues.read(file, environment, envPrefix, settings, KafkaClientProperties.PREFIX));
    }

    /** The value of {@code setting}: as set, else its default. */
    public <T> T get(Setting<T> setting) {
        return setting.from(values);
    }

    public String kafkaBootstrap() {
        String bootstrap = get(KAFKA_BOOTSTRAP);
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
        return new KafkaClientProperties(SettingValues.passedThrough(values, KafkaClientProperties.PREFIX));
    }

    public InfluxSink.Settings influx() {
        return new InfluxSink.Settings(
                get(INFLUX_URL),
                get(INFLUX_DATABASE),
                get(INFLUX_USERNAME),
                get(INFLUX_PASSWORD),
                get(INFLUX_BATCH_SIZE),
                get(INFLUX_LINGER),
                get(INFLUX_RETRY_FOR),
                get(INFLUX_TRUSTSTORE),
                get(INFLUX_TRUSTSTORE_PASSWORD));
    }

    public Duration checkpointInterval() {
        Duration interval = get(CHECKPOINT_INTERVAL);
        if (interval.toMillis() < 10) {
            throw new IllegalArgumentException("checkpoint.interval must be at least 10ms, was " + interval);
        }
        return interval;
    }

    /** {@code checkpoint.dir}, else {@code file://<java.io.tmpdir>/twinstream-checkpoints}. */
    public String checkpointDir() {
        String dir = CHECKPOINT_DIR.from(
                values,
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
