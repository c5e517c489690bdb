package io.twinstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics job from a real Kafka topic to a real InfluxDB: readings of 50 devices over 3 simulated
 * minutes, every tenth one written twice (as a redelivery would), ⇒ exactly the device windows an
 * independent computation in this test expects, field by field, and nothing more.
 */
class MetricsJobIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    Path tmp;

    @Test
    void shouldWriteExactlyTheExpectedDeviceWindows() throws Exception {
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        try (KafkaProcess kafka = new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
             InfluxdProcess influx = new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local))) {
            kafka.start();
            influx.start();
            kafka.createTopic("telemetry.readings", 3);
            kafka.createTopic("telemetry.late", 1);
            influx.createDatabase("metricsit");

            Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
            List<Reading> readings = new ArrayList<>();
            Map<String, double[]> expected = new TreeMap<>(); // "device|windowStartMillis" → count, sum, min, max
            for (int second = 0; second < 180; second++) {
                for (int d = 1; d <= 50; d++) {
                    String device = String.format("n-%03d", d);
                    long ts = t0.plusSeconds(second).toEpochMilli();
                    double value = (d * 7 + second * 3) % 100 + 0.5;
                    readings.add(new Reading("city", "it-site", "noise", device, ts, second + 1, ts, new String[] {"db"},
                            new double[] {value}));
                    double[] window = expected.computeIfAbsent(device + "|" + (ts - ts % 10_000),
                            k -> new double[] {0, 0, Double.MAX_VALUE, -Double.MAX_VALUE});
                    window[0]++;
                    window[1] += value;
                    window[2] = Math.min(window[2], value);
                    window[3] = Math.max(window[3], value);
                }
            }
            produce(kafka.bootstrapServers(), readings);

            Properties p = new Properties();
            p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
            p.setProperty("influx.url", influx.url());
            p.setProperty("influx.database", "metricsit");
            p.setProperty("kafka.group-id", "metrics-it");
            p.setProperty("metrics.idle-after", "1s");
            p.setProperty("checkpoint.interval", "2s");
            MetricsJobConfig config = MetricsJobConfig.load(p, Map.of());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(MetricsJob.flinkConfiguration(config));
            env.setParallelism(2);
            MetricsJob.addTo(env, config);
            JobClient job = env.executeAsync("metrics job IT");
            try {
                String query = "SELECT \"count\", \"sum\", \"min\", \"max\" FROM device_metrics WHERE \"window\" = '10s' "
                        + "GROUP BY device_id";
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> MetricsJobFailuresIT.points(influx.query("metricsit", query)).size() >= expected.size());
                Thread.sleep(3000); // anything extra would have landed by now
                Map<String, double[]> found = MetricsJobFailuresIT.points(influx.query("metricsit", query));

                assertThat(found.keySet()).containsExactlyElementsOf(expected.keySet());
                expected.forEach((key, want) -> assertThat(found.get(key)).as(key).containsExactly(want));
            } finally {
                job.cancel().get();
            }
        }
    }

    private static void produce(String bootstrap, List<Reading> readings) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            int i = 0;
            for (Reading r : readings) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("telemetry.readings",
                        r.deviceId().getBytes(StandardCharsets.UTF_8), ReadingCodec.encode(r));
                producer.send(record);
                if (++i % 10 == 0) {
                    producer.send(record); // a redelivery: must not be counted twice
                }
            }
        }
    }
}
