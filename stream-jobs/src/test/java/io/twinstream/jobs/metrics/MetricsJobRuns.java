package io.twinstream.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** What the metrics job's integration tests share: starting the job, reading InfluxDB's answers. */
public final class MetricsJobRuns {

    private MetricsJobRuns() {}

    /**
     * Starts {@code kafka} and {@code influx} with the metrics job's topics: {@code telemetry.readings}
     * ({@code partitions}), {@code telemetry.late} and {@code telemetry.deadletter} (the job requires all three).
     */
    public static void startWithTopics(KafkaProcess kafka, InfluxdProcess influx, int partitions) {
        kafka.start();
        influx.start();
        kafka.createTopic("telemetry.readings", partitions);
        kafka.createTopic("telemetry.late", 1);
        kafka.createTopic("telemetry.deadletter", 1);
    }

    /**
     * Starts the metrics job on the test's MiniCluster (parallelism 2) against {@code kafka} and
     * {@code influx}, idle after 1 s, checkpoints under {@code checkpoints}, with {@code settings} on
     * top (database, group, checkpoint interval …).
     */
    public static JobClient start(
            KafkaProcess kafka,
            InfluxdProcess influx,
            Path checkpoints,
            Map<String, String> settings,
            UnaryOperator<DataStream<Reading>> beforeTopology)
            throws Exception {
        MetricsJobConfig config = MetricsJobConfig.load(settings(kafka, influx, checkpoints, settings), Map.of());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(MetricsJob.flinkConfiguration(config));
        env.setParallelism(2);
        MetricsJob.addTo(env, config, beforeTopology);
        return env.executeAsync("metrics job test");
    }

    /**
     * The metrics job's settings against {@code kafka} and {@code influx}: idle after 1 s,
     * checkpoints under {@code checkpoints}, {@code settings} on top.
     */
    public static Properties settings(
            KafkaProcess kafka, InfluxdProcess influx, Path checkpoints, Map<String, String> settings) {
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("influx.url", influx.url());
        p.setProperty("metrics.idle-after", "1s");
        p.setProperty("checkpoint.dir", checkpoints.toUri().toString());
        settings.forEach(p::setProperty);
        return p;
    }

    /**
     * The job jar the package phase built ({@code target/twinstream-stream-jobs-*.jar}), what {@code
     * flink run} takes.
     */
    public static Path jobJar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().matches("twinstream-stream-jobs-.*\\.jar"))
                    .collect(Collectors.toList());
            assertThat(jars).as("the job jar built by the package phase").hasSize(1);
            return jars.get(0);
        }
    }

    /** Writes the readings to telemetry.readings keyed by device, every tenth twice (as a redelivery would). */
    public static void produceWithRedeliveries(String bootstrap, List<Reading> readings) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("linger.ms", 20);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            int i = 0;
            for (Reading r : readings) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                        "telemetry.readings", r.deviceId().getBytes(StandardCharsets.UTF_8), ReadingCodec.encode(r));
                producer.send(record);
                if (++i % 10 == 0) {
                    producer.send(record); // a redelivery: must not be counted twice
                }
            }
        }
    }

    /**
     * Adds {@code value} to the expected window {@code key}: count, sum, min, max, then
     * {@code fields - 4} more left to the caller.
     */
    public static double[] expectValue(Map<String, double[]> windows, String key, double value, int fields) {
        double[] w = windows.computeIfAbsent(key, k -> {
            double[] fresh = new double[fields];
            fresh[2] = Double.MAX_VALUE;
            fresh[3] = -Double.MAX_VALUE;
            return fresh;
        });
        w[0]++;
        w[1] += value;
        w[2] = Math.min(w[2], value);
        w[3] = Math.max(w[3], value);
        return w;
    }

    /** Exactly the expected points, no more, every field equal. */
    public static void assertExactly(Map<String, double[]> found, Map<String, double[]> expected) {
        assertThat(found.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((key, want) -> assertThat(found.get(key)).as(key).containsExactly(want));
    }

    /**
     * Every point of an InfluxDB JSON answer (epoch=ms) as "tag=value,…|time" (tags of the GROUP BY,
     * sorted) → the selected fields in order.
     */
    public static Map<String, double[]> points(String json) {
        Map<String, double[]> out = new TreeMap<>();
        Matcher series = Pattern.compile("\"tags\":\\{([^}]*)\\},\"columns\":\\[[^\\]]*\\],\"values\":\\[(.*?)\\]\\]")
                .matcher(json);
        while (series.find()) {
            TreeMap<String, String> tags = new TreeMap<>();
            Matcher tag = Pattern.compile("\"([^\"]+)\":\"([^\"]*)\"").matcher(series.group(1));
            while (tag.find()) {
                tags.put(tag.group(1), tag.group(2));
            }
            String prefix = tags.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(","));
            Matcher row = Pattern.compile("\\[?(\\d+),([^\\[\\]]+)").matcher(series.group(2));
            while (row.find()) {
                String[] fields = row.group(2).split(",");
                double[] values = new double[fields.length];
                for (int i = 0; i < fields.length; i++) {
                    values[i] =
                            fields[i].equals("null") ? Double.NaN : Double.parseDouble(fields[i]); // a missing field
                }
                out.put(prefix + "|" + row.group(1), values);
            }
        }
        return out;
    }
}
