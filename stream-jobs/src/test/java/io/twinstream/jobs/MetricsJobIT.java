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
 * The metrics job from a real Kafka topic to a real InfluxDB: readings of 1,000 devices at two sites
 * over 5 simulated minutes, every tenth written twice (as a redelivery would) ⇒ InfluxDB holds
 * exactly the 10 s and 1 min device and site windows this test computes on its own, field by field,
 * and nothing more.
 */
class MetricsJobIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final int DEVICES = 1000;
    private static final int SECONDS = 300;

    @TempDir
    Path tmp;

    /** count, sum, min, max (and devices, for sites) per "tags|windowStart". */
    private final Map<String, double[]> expectedDevices = new TreeMap<>();
    private final Map<String, double[]> expectedSites = new TreeMap<>();
    private final Map<String, java.util.Set<String>> siteDevices = new TreeMap<>();

    private void expect(String device, String site, long ts, double value) {
        for (String window : new String[] {"10s", "1m"}) {
            long size = window.equals("10s") ? 10_000 : 60_000;
            long start = ts - Math.floorMod(ts, size);
            add(expectedDevices, "device_id=" + device + ",window=" + window + "|" + start, value, 4);
            String siteKey = "site=" + site + ",window=" + window + "|" + start;
            add(expectedSites, siteKey, value, 5);
            siteDevices.computeIfAbsent(siteKey, k -> new java.util.TreeSet<>()).add(device);
            expectedSites.get(siteKey)[4] = siteDevices.get(siteKey).size();
        }
    }

    private static void add(Map<String, double[]> windows, String key, double value, int fields) {
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
    }

    @Test
    void shouldWriteExactlyTheExpectedDeviceAndSiteWindows() throws Exception {
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
            for (int second = 0; second < SECONDS; second++) {
                for (int d = 1; d <= DEVICES; d++) {
                    String device = String.format("n-%04d", d);
                    String site = d % 2 == 0 ? "east" : "west";
                    long ts = t0.plusSeconds(second).toEpochMilli();
                    double value = (d * 7 + second * 3) % 100 + 0.5;
                    readings.add(new Reading("city", site, "noise", device, ts, second + 1, ts, new String[] {"db"},
                            new double[] {value}));
                    expect(device, site, ts, value);
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
                String devices = "SELECT \"count\", \"sum\", \"min\", \"max\" FROM device_metrics GROUP BY device_id, \"window\"";
                String sites = "SELECT \"count\", \"sum\", \"min\", \"max\", \"devices\" FROM site_metrics GROUP BY site, \"window\"";
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(3))
                        .until(() -> MetricsJobFailuresIT.points(influx.query("metricsit", devices)).size() >= expectedDevices.size()
                                && MetricsJobFailuresIT.points(influx.query("metricsit", sites)).size() >= expectedSites.size());
                Thread.sleep(3000); // anything extra would have landed by now

                assertExactly(MetricsJobFailuresIT.points(influx.query("metricsit", devices)), expectedDevices);
                assertExactly(MetricsJobFailuresIT.points(influx.query("metricsit", sites)), expectedSites);
            } finally {
                job.cancel().get();
            }
        }
    }

    private static void assertExactly(Map<String, double[]> found, Map<String, double[]> expected) {
        assertThat(found.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((key, want) -> assertThat(found.get(key)).as(key).containsExactly(want));
    }

    private static void produce(String bootstrap, List<Reading> readings) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("linger.ms", 20);
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
