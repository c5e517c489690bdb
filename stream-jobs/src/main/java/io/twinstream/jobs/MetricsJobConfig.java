package io.twinstream.jobs;

import io.twinstream.jobs.config.JobSettings;
import io.twinstream.jobs.config.KafkaClientProperties;
import io.twinstream.jobs.metrics.EarlyResults;
import io.twinstream.jobs.sink.InfluxSink;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The metrics job's configuration, read by {@link JobSettings} (a properties file, then
 * {@code KAFKA_BOOTSTRAP}, {@code INFLUX_URL} and {@code METRICS_<KEY>} for any key, then these
 * defaults), validated so a bad value stops the job before it is submitted, naming the key.
 *
 * @param kafkaBootstrap   {@code kafka.bootstrap}, default 127.0.0.1:9092
 * @param kafkaClient      {@code kafka.client.*}: properties for every Kafka client of the job (SASL, TLS;
 *                         {@code KAFKA_SASL_JAAS_CONFIG} for {@code sasl.jaas.config}), none by default
 * @param readingsTopic    {@code kafka.readings-topic}, default telemetry.readings
 * @param deadLetterTopic  {@code kafka.deadletter-topic}: records the job refuses, with the reason, default
 *                         telemetry.deadletter (shared with ingest)
 * @param maxFuture        {@code readings.max-future}: a reading stamped further ahead of the job's clock is
 *                         refused (it would move event time ahead for good), default 5m
 * @param lateTopic        {@code kafka.late-topic}: samples later than the allowed lateness, default telemetry.late
 * @param groupId          {@code kafka.group-id}: the consumer group (offsets), default twinstream-metrics
 * @param influx           {@code influx.url} (INFLUX_URL, default http://127.0.0.1:8086), {@code influx.database}
 *                         (telemetry), {@code influx.username}/{@code influx.password}, {@code influx.batch-size}
 *                         (5000), {@code influx.linger} (1s), {@code influx.retry-for} (60s),
 *                         {@code influx.tls.truststore}/{@code influx.tls.truststore-password} (none)
 * @param outOfOrderness   {@code metrics.out-of-orderness}, default 5s
 * @param idleAfter        {@code metrics.idle-after}: time waiting for input (not backpressured)
 *                         without readings after which the watermark advances by itself, default 10s
 * @param allowedLateness  {@code metrics.allowed-lateness}, default 60s
 * @param dedupMemory      {@code metrics.dedup-memory}: how long a reading's identity is remembered, default 1h
 * @param earlyEvery       {@code metrics.early-every}: processing time between early results of windows still
 *                         open ({@link EarlyResults}), default 1s; 0s: final values only
 * @param earlyWithin      {@code metrics.early-within}: how long after its end by the wall clock a window still
 *                         gets early results (older ones are a backlog), default 5m
 * @param earlyDeviceWindows {@code metrics.early-device-windows}: early results for device windows too, not
 *                         only site windows, default false
 * @param checkpointInterval {@code checkpoint.interval}, default 10s
 * @param checkpointDir    {@code checkpoint.dir}: see {@link JobSettings#checkpointDir()}; on a cluster,
 *                         point it at shared storage (s3://…, hdfs://…)
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

    private static final Set<String> KEYS = JobSettings.commonKeysAnd(
            "kafka.late-topic",
            "metrics.out-of-orderness",
            "metrics.idle-after",
            "metrics.allowed-lateness",
            "metrics.dedup-memory",
            "metrics.early-every",
            "metrics.early-within",
            "metrics.early-device-windows");

    /** Every key the metrics job reads (and as {@code METRICS_<KEY>}), besides {@code kafka.client.*}. */
    public static Set<String> keys() {
        return KEYS;
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
        return of(JobSettings.load(file, environment, "METRICS", KEYS));
    }

    public static MetricsJobConfig load(Properties file, Map<String, String> environment) {
        return of(JobSettings.load(file, environment, "METRICS", KEYS));
    }

    private static MetricsJobConfig of(JobSettings settings) {
        return new MetricsJobConfig(
                settings.kafkaBootstrap(),
                settings.kafkaClient(),
                settings.text("kafka.readings-topic", "telemetry.readings"),
                settings.deadLetterTopic(),
                settings.maxFuture(),
                settings.text("kafka.late-topic", "telemetry.late"),
                settings.text("kafka.group-id", "twinstream-metrics"),
                settings.influx(),
                settings.duration("metrics.out-of-orderness", Duration.ofSeconds(5)),
                settings.duration("metrics.idle-after", Duration.ofSeconds(10)),
                settings.duration("metrics.allowed-lateness", Duration.ofSeconds(60)),
                settings.duration("metrics.dedup-memory", Duration.ofHours(1)),
                settings.duration("metrics.early-every", Duration.ofSeconds(1)),
                settings.duration("metrics.early-within", Duration.ofMinutes(5)),
                settings.flag("metrics.early-device-windows", false),
                settings.checkpointInterval(),
                settings.checkpointDir());
    }
}
