package io.twinstream.jobs.alerts;

import io.twinstream.jobs.config.JobKafkaAdmin;
import io.twinstream.jobs.config.JobSettings;
import io.twinstream.jobs.deadletter.RefusedPointsToKafka;
import io.twinstream.jobs.sink.InfluxPoints;
import io.twinstream.jobs.sink.InfluxSink;
import io.twinstream.jobs.sink.Json;
import io.twinstream.jobs.sink.KafkaSinks;
import io.twinstream.jobs.sink.MqttAlertSink;
import io.twinstream.jobs.sink.RefusedPoints;
import io.twinstream.jobs.source.ReadingsSource;
import io.twinstream.jobs.status.StatusTransition;
import io.twinstream.model.Reading;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The alerts job's wiring: {@code telemetry.readings} (committed offsets, else the earliest) →
 * idle-advancing event-time watermarks → {@link AlertsTopology} with the rules from
 * {@code rules.file}, replaced by each rules file on {@code telemetry.rules} → alert transitions to
 * {@code telemetry.alerts} (JSON, Kafka transactions: exactly once for {@code read_committed}
 * consumers, visible at each checkpoint), to the {@code alerts} measurement and to MQTT
 * {@code alerts/{domain}/{site}/{deviceId}}; device status transitions to {@code device_status}.
 */
public final class AlertsJob {

    private AlertsJob() {}

    /** The Flink settings the job needs: see {@link JobSettings#flinkConfiguration}. */
    public static Configuration flinkConfiguration(AlertsJobConfig config) {
        return JobSettings.flinkConfiguration(config.checkpointInterval(), config.checkpointDir());
    }

    /** Adds the job to {@code env} (created with {@link #flinkConfiguration}); execute it afterwards. */
    public static void addTo(StreamExecutionEnvironment env, AlertsJobConfig config) {
        addTo(env, config, UnaryOperator.identity());
    }

    /** The same, with {@code beforeTopology} applied to the readings (the failure tests fail the job there once). */
    static void addTo(
            StreamExecutionEnvironment env, AlertsJobConfig config, UnaryOperator<DataStream<Reading>> beforeTopology) {
        JobKafkaAdmin.requireTopics(
                config.kafkaBootstrap(),
                config.kafkaClient(),
                List.of(config.readingsTopic(), config.alertsTopic(), config.rulesTopic(), config.deadLetterTopic()));
        DataStream<Reading> readings =
                ReadingsSource.of(env, ReadingsSource.Input.of(config), "alerts-readings-source");

        // Every rules file from the start of the topic: the newest is the one in force. (After a
        // restore, the offset and the rules in force both come from the checkpoint.)
        KafkaSource<String> rulesSource = KafkaSource.<String>builder()
                .setBootstrapServers(config.kafkaBootstrap())
                .setProperties(config.kafkaClient().asProperties())
                .setTopics(config.rulesTopic())
                .setGroupId(config.groupId() + "-rules")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new SimpleStringSchema(StandardCharsets.UTF_8))
                .build();
        DataStream<String> rulesTexts = env.fromSource(rulesSource, noEventTime(), config.rulesTopic())
                .setParallelism(1)
                .uid("rules-source");

        AlertsTopology.Outputs out = AlertsTopology.build(
                beforeTopology.apply(readings),
                rulesTexts,
                config.rules(),
                config.dedupMemory(),
                config.allowedLateness(),
                new AlertsTopology.Presence(
                        config.offlineIntervals(), config.offlineDefaultInterval(), config.offlineForgetAfter()));

        RefusedPoints refused =
                new RefusedPointsToKafka(config.kafkaBootstrap(), config.kafkaClient(), config.deadLetterTopic());
        out.alerts()
                .sinkTo(KafkaSinks.exactlyOnce(
                        config.kafkaBootstrap(),
                        config.kafkaClient(),
                        config.groupId() + "-alerts",
                        KafkaSinks.keyed(config.alertsTopic(), new AlertKey(), new AlertJson())))
                .name("alerts to Kafka")
                .uid("alerts-kafka-sink");
        out.alerts()
                .sinkTo(new InfluxSink<>(config.influx(), (AlertTransition t) -> InfluxPoints.of(t), refused))
                .name("alerts to InfluxDB")
                .uid("alerts-influx-sink");
        if (config.mqtt() != null) {
            out.alerts()
                    .sinkTo(new MqttAlertSink(config.mqtt()))
                    .name("alerts to MQTT")
                    .uid("alerts-mqtt-sink");
        }
        out.statuses()
                .sinkTo(new InfluxSink<>(config.influx(), (StatusTransition t) -> InfluxPoints.of(t), refused))
                .name("device_status to InfluxDB")
                .uid("status-influx-sink");
    }

    /**
     * The rules input holds no event time: idle from its first periodic emission, so the rule
     * evaluator's event time is the readings' alone. (It sent the end of time before; but Flink
     * leaves an idle input out of a two-input operator's watermark, so when every readings
     * partition went quiet before the first reading, as when the job starts before the fleet, the
     * end of time was all that was left: every reading after it was late and nothing was raised.)
     */
    static WatermarkStrategy<String> noEventTime() {
        return WatermarkStrategy.forGenerator(context -> new WatermarkGenerator<>() {
            @Override
            public void onEvent(String event, long eventTimestamp, WatermarkOutput output) {}

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                output.markIdle();
            }
        });
    }

    /** Alerts keyed by device id. (Classes, not lambdas: Flink infers their types.) */
    static final class AlertKey implements SerializationSchema<AlertTransition> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(AlertTransition transition) {
            return transition.deviceId().getBytes(StandardCharsets.UTF_8);
        }
    }

    static final class AlertJson implements SerializationSchema<AlertTransition> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(AlertTransition transition) {
            return Json.alert(transition);
        }
    }
}
