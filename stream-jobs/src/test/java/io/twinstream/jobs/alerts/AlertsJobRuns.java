package io.twinstream.jobs.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.ingest.parse.PayloadLimits;
import io.twinstream.ingest.parse.PayloadParser;
import io.twinstream.ingest.parse.PayloadRejectedException;
import io.twinstream.jobs.MiniClusterRest;
import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.SimMessage;
import io.twinstream.simulator.stream.StreamObserver;
import io.twinstream.simulator.truth.GroundTruth;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the alerts job's integration tests share: a scenario's stream as the readings ingest would
 * write (its payloads through ingest's own parser), the ground truth's alert transitions, starting
 * the job, and reading transitions back from Kafka and InfluxDB in one comparable form.
 */
public final class AlertsJobRuns {

    public static final ObjectMapper JSON = new ObjectMapper();

    private AlertsJobRuns() {}

    /** A scenario's readings in publish order, with each message's simulated send time: what ingest would write. */
    public record TimedReading(long sentAt, Reading reading) {}

    public static List<TimedReading> readings(Scenario scenario) throws PayloadRejectedException {
        PayloadParser parser = new PayloadParser(new PayloadLimits(
                1 << 20,
                Duration.ofDays(3650),
                Duration.ofDays(3650),
                PayloadLimits.DEFAULT_MAX_METRICS,
                PayloadLimits.DEFAULT_MAX_ABS_VALUE));
        MessageGenerator generator = new MessageGenerator(new DeviceFleet(scenario, 1.0), StreamObserver.NONE);
        List<TimedReading> out = new ArrayList<>();
        for (SimMessage m = generator.next(); m != null; m = generator.next()) {
            if (m.kind() == SimMessage.Kind.READINGS || m.kind() == SimMessage.Kind.DUPLICATE) {
                for (Reading r : parser.parse(m.topic(), m.payload(), m.sendMillis())) {
                    out.add(new TimedReading(m.sendMillis(), r));
                }
            }
        }
        return out;
    }

    /** The ground truth's alert transitions ({@code simulator expect}), each as {@link #key}. */
    public static List<String> expectedTransitions(Scenario scenario) throws Exception {
        StringWriter truth = new StringWriter();
        GroundTruth.write(new DeviceFleet(scenario, 1.0), truth);
        List<String> out = new ArrayList<>();
        for (String line : truth.toString().split("\n")) {
            if (line.contains("\"type\":\"alert\"")) {
                out.add(key(JSON.readTree(line)));
            }
        }
        return out;
    }

    /** A transition as one comparable string: time, device, rule, state, value, threshold and the rest. */
    public static String key(JsonNode t) {
        return t.get("ts").asLong() + " " + t.get("deviceId").asText() + " "
                + t.get("rule").asText() + " "
                + t.get("state").asText() + " value=" + t.get("value").asDouble() + " threshold="
                + t.get("threshold").asDouble() + " " + t.get("domain").asText() + "/"
                + t.get("site").asText() + "/"
                + t.get("deviceType").asText() + " " + t.get("metric").asText() + " "
                + t.get("severity").asText();
    }

    /** An alert event's JSON bytes (Kafka, MQTT) as {@link #key}. */
    public static String key(byte[] json) {
        try {
            return key(JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The MQTT topic an alert event's JSON belongs on: alerts/{domain}/{site}/{deviceId}. */
    public static String topicOf(byte[] json) {
        try {
            JsonNode t = JSON.readTree(json);
            return "alerts/" + t.get("domain").asText() + "/" + t.get("site").asText() + "/"
                    + t.get("deviceId").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Closes a test's subscriber whatever state its connection is in (the broker may be gone). */
    public static void closeQuietly(org.eclipse.paho.mqttv5.client.MqttClient client) {
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(1000);
            }
            client.close(true);
        } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
            // nothing left to do: the test's own result counts
        }
    }

    /** The partition Kafka's producer writes a device's readings to (its key's murmur2 hash, as the bridge's). */
    public static int partitionOf(String deviceId, int partitions) {
        return org.apache.kafka.common.utils.Utils.toPositive(
                        org.apache.kafka.common.utils.Utils.murmur2(deviceId.getBytes(StandardCharsets.UTF_8)))
                % partitions;
    }

    public static void produce(String bootstrap, List<TimedReading> readings) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("linger.ms", 20);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (TimedReading t : readings) {
                producer.send(new ProducerRecord<>(
                        "telemetry.readings",
                        t.reading().deviceId().getBytes(StandardCharsets.UTF_8),
                        ReadingCodec.encode(t.reading())));
            }
        }
    }

    /**
     * Starts the alerts job on the test's MiniCluster (parallelism 2), idle after 5 s (longer than
     * the source subtasks take to start reading their partitions), checkpoints every second.
     */
    public static JobClient start(
            KafkaProcess kafka,
            InfluxdProcess influx,
            String mqttUrl,
            java.nio.file.Path checkpoints,
            Map<String, String> settings,
            UnaryOperator<DataStream<Reading>> beforeTopology)
            throws Exception {
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("influx.url", influx.url());
        p.setProperty("mqtt.url", mqttUrl);
        p.setProperty("alerts.idle-after", "5s");
        p.setProperty("checkpoint.interval", "1s");
        p.setProperty("checkpoint.dir", checkpoints.toUri().toString());
        settings.forEach(p::setProperty);
        AlertsJobConfig config = AlertsJobConfig.load(p, Map.of());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(AlertsJob.flinkConfiguration(config));
        env.setParallelism(2);
        AlertsJob.addTo(env, config, beforeTopology);
        return env.executeAsync("alerts job test");
    }

    /** Every transition on the alerts topic so far, as a {@code read_committed} consumer sees it. */
    public static List<String> kafkaTransitions(String bootstrap, String topic) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    out.add(key(JSON.readTree(record.value())));
                }
            }
        }
        return out;
    }

    /** Every point of the {@code alerts} measurement, as {@link #key}. */
    public static List<String> influxTransitions(InfluxdProcess influx, String database) throws Exception {
        JsonNode answer = JSON.readTree(
                influx.query(
                        database,
                        "SELECT \"state\", \"value\", \"threshold\" FROM alerts "
                                + "GROUP BY \"rule\", \"severity\", \"domain\", \"site\", \"device_type\", \"device_id\", \"metric\""));
        List<String> out = new ArrayList<>();
        for (JsonNode series : answer.path("results").path(0).path("series")) {
            JsonNode tags = series.get("tags");
            for (JsonNode row : series.get("values")) {
                var t = JSON.createObjectNode();
                t.put("ts", row.get(0).asLong())
                        .put("state", row.get(1).asText())
                        .put("value", row.get(2).asDouble())
                        .put("threshold", row.get(3).asDouble())
                        .put("deviceId", tags.get("device_id").asText())
                        .put("rule", tags.get("rule").asText())
                        .put("domain", tags.get("domain").asText())
                        .put("site", tags.get("site").asText())
                        .put("deviceType", tags.get("device_type").asText())
                        .put("metric", tags.get("metric").asText())
                        .put("severity", tags.get("severity").asText());
                out.add(key(t));
            }
        }
        return out;
    }

    /** device id → its {@code device_status} points as "state@ts(last_seen)", in time order. */
    public static Map<String, List<String>> statuses(InfluxdProcess influx, String database) throws Exception {
        JsonNode answer = JSON.readTree(
                influx.query(database, "SELECT \"state\", \"last_seen\" FROM device_status GROUP BY \"device_id\""));
        Map<String, List<String>> out = new HashMap<>();
        for (JsonNode series : answer.path("results").path(0).path("series")) {
            List<String> points = new ArrayList<>();
            for (JsonNode row : series.get("values")) {
                points.add(row.get(1).asText() + "@" + row.get(0).asLong() + "("
                        + row.get(2).asLong() + ")");
            }
            out.put(series.get("tags").get("device_id").asText(), points);
        }
        return out;
    }

    /**
     * How many partitions the job's readings source has let go as quiet and read to their end
     * (its {@code idlePartitions} gauge, summed over its subtasks), as Flink's REST API reports it.
     */
    public static long idlePartitions(Configuration client, JobClient job) throws Exception {
        String base = "/jobs/" + job.getJobID();
        String source = null;
        for (JsonNode vertex : JSON.readTree(MiniClusterRest.get(client, base)).path("vertices")) {
            if (vertex.path("name").asText().startsWith("Source: telemetry.readings")) {
                source = vertex.get("id").asText();
            }
        }
        if (source == null) {
            return -1;
        }
        String metrics = base + "/vertices/" + source + "/subtasks/metrics";
        String id = null;
        for (JsonNode metric : JSON.readTree(MiniClusterRest.get(client, metrics))) {
            if (metric.get("id").asText().endsWith(".idlePartitions")) {
                id = metric.get("id").asText();
            }
        }
        if (id == null) {
            return -1;
        }
        JsonNode values = JSON.readTree(
                MiniClusterRest.get(client, metrics + "?get=" + URLEncoder.encode(id, StandardCharsets.UTF_8)));
        return values.path(0).path("sum").asLong(-1);
    }
}
