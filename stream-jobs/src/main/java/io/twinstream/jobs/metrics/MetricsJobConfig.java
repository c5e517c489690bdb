package io.twinstream.jobs.metrics;

import io.twinstream.jobs.config.JobSettings;
import io.twinstream.jobs.config.KafkaClientProperties;
import io.twinstream.jobs.sink.InfluxSink;
import io.twinstream.jobs.source.ReadingsSource;
import io.twinstream.model.config.Setting;
import io.twinstream.model.config.SettingsTable;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The metrics job's configuration, read by {@link JobSettings} (a properties file, then
 * {@code KAFKA_BOOTSTRAP}, {@code INFLUX_URL} and {@code METRICS_<KEY>} for any key, then the
 * defaults), validated so a bad value stops the job before it is submitted, naming the key. Each key
 * is declared once, here or in {@link JobSettings} ({@link Setting}: its default and meaning), and
 * docs/configuration.md's table is written from those declarations. {@code kafkaClient} holds
 * {@code kafka.client.*}, properties for every Kafka client of the job.
 */
public record MetricsJobConfig(
        String kafkaBootstrap,
        KafkaClientProperties kafkaClient,
        String readingsTopic,
        String deadLetterTopic,
        Duration maxFuture,
        String lateTopic,
        String groupId,
        InfluxSink.Settings influx,
        Duration outOfOrderness,
        Duration idleAfter,
        Duration allowedLateness,
        Duration dedupMemory,
        Duration earlyEvery,
        Duration earlyWithin,
        boolean earlyDeviceWindows,
        Duration checkpointInterval,
        String checkpointDir)
        implements Serializable, ReadingsSource.ReadingsJob {

    static final Setting<String> GROUP_ID =
            Setting.text("kafka.group-id", "twinstream-metrics", "the consumer group (its offsets)");
    static final Setting<String> LATE_TOPIC = Setting.text(
            "kafka.late-topic", "telemetry.late", "samples later than the allowed lateness, and far-late readings");
    static final Setting<Duration> OUT_OF_ORDERNESS = Setting.duration(
            "metrics.out-of-orderness",
            Duration.ofSeconds(5),
            "how far behind the newest reading of its partition a reading may be and still be in time");
    static final Setting<Duration> IDLE_AFTER = Setting.duration(
            "metrics.idle-after",
            Duration.ofSeconds(10),
            "a partition quiet this long and read to its end stops holding event time back; a task that has"
                    + " waited for input this long moves the watermark on by the time waited (see"
                    + " [the metrics job](metrics-job.md))");
    static final Setting<Duration> ALLOWED_LATENESS = Setting.duration(
            "metrics.allowed-lateness",
            Duration.ofSeconds(60),
            "how long after the watermark passed its end a window still takes readings (and corrects its point)");
    static final Setting<Duration> DEDUP_MEMORY = Setting.duration(
            "metrics.dedup-memory", Duration.ofHours(1), "how long a reading's identity is remembered");
    static final Setting<Duration> EARLY_EVERY = Setting.duration(
            "metrics.early-every",
            Duration.ofSeconds(1),
            "processing time between early results of windows still open; `0s`: final values only");
    static final Setting<Duration> EARLY_WITHIN = Setting.duration(
            "metrics.early-within",
            Duration.ofMinutes(5),
            "how long after its end by the wall clock a window still gets early results (older ones are a"
                    + " backlog)");
    static final Setting<Boolean> EARLY_DEVICE_WINDOWS = Setting.flag(
            "metrics.early-device-windows", false, "early results for device windows too, not only site windows");

    /** Every key of the metrics job, in the reference's order, besides {@code kafka.client.*}. */
    static final List<Setting<?>> SETTINGS = JobSettings.settings(
            GROUP_ID,
            List.of(
                    LATE_TOPIC,
                    OUT_OF_ORDERNESS,
                    IDLE_AFTER,
                    ALLOWED_LATENESS,
                    DEDUP_MEMORY,
                    EARLY_EVERY,
                    EARLY_WITHIN,
                    EARLY_DEVICE_WINDOWS));

    /** The reference's table of the job's keys, written from their declarations. */
    public static String settingsTable() {
        return SettingsTable.markdown("METRICS", SETTINGS);
    }

    public MetricsJobConfig {
        if (outOfOrderness.isNegative() || allowedLateness.isNegative()) {
            throw new IllegalArgumentException(
                    "metrics.out-of-orderness and metrics.allowed-lateness must not be negative");
        }
        if (idleAfter.isZero() || dedupMemory.isZero()) {
            throw new IllegalArgumentException("metrics.idle-after and metrics.dedup-memory must be above zero");
        }
        try {
            new EarlyResults(earlyEvery, earlyWithin, earlyDeviceWindows); // the fields are not set yet
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("metrics.early-every: " + e.getMessage(), e);
        }
    }

    /** When open windows' running aggregates are written. */
    public EarlyResults early() {
        return new EarlyResults(earlyEvery, earlyWithin, earlyDeviceWindows);
    }

    public static MetricsJobConfig load(Path file, Map<String, String> environment) throws IOException {
        return of(JobSettings.load(file, environment, "METRICS", SETTINGS));
    }

    public static MetricsJobConfig load(Properties file, Map<String, String> environment) {
        return of(JobSettings.load(file, environment, "METRICS", SETTINGS));
    }

    private static MetricsJobConfig of(JobSettings settings) {
        return new MetricsJobConfig(
                settings.kafkaBootstrap(),
                settings.kafkaClient(),
                settings.get(JobSettings.READINGS_TOPIC),
                settings.get(JobSettings.DEADLETTER_TOPIC),
                settings.get(JobSettings.MAX_FUTURE),
                settings.get(LATE_TOPIC),
                settings.get(GROUP_ID),
                settings.influx(),
                settings.get(OUT_OF_ORDERNESS),
                settings.get(IDLE_AFTER),
                settings.get(ALLOWED_LATENESS),
                settings.get(DEDUP_MEMORY),
                settings.get(EARLY_EVERY),
                settings.get(EARLY_WITHIN),
                settings.get(EARLY_DEVICE_WINDOWS),
                settings.checkpointInterval(),
                settings.checkpointDir());
    }
}
