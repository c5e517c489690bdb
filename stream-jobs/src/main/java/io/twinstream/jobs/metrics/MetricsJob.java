package io.twinstream.jobs.metrics;

import io.twinstream.jobs.config.JobKafkaAdmin;
import io.twinstream.jobs.config.JobSettings;
import io.twinstream.jobs.deadletter.RefusedPointsToKafka;
import io.twinstream.jobs.sink.InfluxPoints;
import io.twinstream.jobs.sink.InfluxSink;
import io.twinstream.jobs.sink.Json;
import io.twinstream.jobs.sink.KafkaSinks;
import io.twinstream.jobs.sink.RefusedPoints;
import io.twinstream.jobs.source.ReadingsSource;
import io.twinstream.model.Reading;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The metrics job's wiring: {@code telemetry.readings} (KafkaSource, committed offsets, else the
 * earliest; what is not a reading or would poison event time to the dead-letter topic) →
 * idle-advancing event-time watermarks → {@link MetricsTopology} → device and site windows to
 * InfluxDB ({@link InfluxSink}), late samples as JSON to {@code telemetry.late}.
 * Checkpoints every {@code checkpoint.interval} to {@code checkpoint.dir}; restarts with exponential backoff.
 */
public final class MetricsJob {

    /** The longest a site point waits for its batch while early results are on. */
    static final Duration SITE_LINGER = Duration.ofMillis(200);

    private MetricsJob() {}

    /** The Flink settings the job needs: see {@link JobSettings#flinkConfiguration}. */
    public static Configuration flinkConfiguration(MetricsJobConfig config) {
        return JobSettings.flinkConfiguration(config.checkpointInterval(), config.checkpointDir());
    }

    /** Adds the job to {@code env} (created with {@link #flinkConfiguration}); execute it afterwards. */
    public static void addTo(StreamExecutionEnvironment env, MetricsJobConfig config) {
        addTo(env, config, UnaryOperator.identity());
    }

    /**
     * The same, with {@code beforeTopology} applied to the readings as they come from Kafka: the
     * failure tests put an operator there that fails the job once, to prove recovery.
     */
    static void addTo(
            StreamExecutionEnvironment env,
            MetricsJobConfig config,
            UnaryOperator<DataStream<Reading>> beforeTopology) {
        JobKafkaAdmin.requireTopics(
                config.kafkaBootstrap(),
                config.kafkaClient(),
                List.of(config.readingsTopic(), config.lateTopic(), config.deadLetterTopic()));
        DataStream<Reading> readings = readings(env, config);

        EarlyResults early = config.early();
        MetricsTopology.Outputs out = MetricsTopology.build(
                beforeTopology.apply(readings),
                config.outOfOrderness(),
                config.dedupMemory(),
                config.allowedLateness(),
                early);

        RefusedPoints refused =
                new RefusedPointsToKafka(config.kafkaBootstrap(), config.kafkaClient(), config.deadLetterTopic());
        boolean earlyDevices = early.enabled() && early.deviceWindows();
        out.deviceWindows()
                .sinkTo(new InfluxSink<>(config.influx(), w -> InfluxPoints.of(w, earlyDevices), refused))
                .name("device_metrics to InfluxDB")
                .uid("device-metrics-sink");
        // Site points are few (one per site, device type, metric and window, and per tick while open):
        // written within SITE_LINGER, so an early result is not held back by the batch linger.
        InfluxSink.Settings sites = early.enabled() ? config.influx().withLingerAtMost(SITE_LINGER) : config.influx();
        out.siteWindows()
                .sinkTo(new InfluxSink<>(sites, InfluxPoints::of, refused))
                .name("site_metrics to InfluxDB")
                .uid("site-metrics-sink");
        out.late()
                .sinkTo(KafkaSinks.atLeastOnce(
                        config.kafkaBootstrap(),
                        config.kafkaClient(),
                        KafkaSinks.keyed(config.lateTopic(), new LateKey(), new LateJson())))
                .name("late samples to Kafka")
                .uid("late-sink");
    }

    /**
     * {@code telemetry.readings} as the job reads it ({@link ReadingsSource}). (Public for the
     * benchmark, which runs the topology behind the same source.)
     */
    public static DataStream<Reading> readings(StreamExecutionEnvironment env, MetricsJobConfig config) {
        return ReadingsSource.of(env, ReadingsSource.Input.of(config), "readings-source");
    }

    /** Late samples keyed by device id, like the readings. (Classes, not lambdas: Flink infers their types.) */
    static final class LateKey implements SerializationSchema<MetricSample> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(MetricSample sample) {
            return sample.deviceId().getBytes(StandardCharsets.UTF_8);
        }
    }

    static final class LateJson implements SerializationSchema<MetricSample> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(MetricSample sample) {
            return lateJson(sample);
        }
    }

    /** {@code {"deviceId":…,"deviceType":…,"domain":…,"site":…,"metric":…,"ts":…,"value":…}}. */
    static byte[] lateJson(MetricSample s) {
        return ("{\"domain\":" + Json.quote(s.domain()) + ",\"site\":" + Json.quote(s.site()) + ",\"deviceType\":"
                        + Json.quote(s.deviceType())
                        + ",\"deviceId\":" + Json.quote(s.deviceId()) + ",\"metric\":" + Json.quote(s.metric())
                        + ",\"ts\":" + s.ts()
                        + ",\"value\":" + s.value() + "}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
