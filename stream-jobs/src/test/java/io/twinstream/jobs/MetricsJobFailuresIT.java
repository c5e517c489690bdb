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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import org.apache.flink.api.common.functions.MapFunction;
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
 * The metrics job survives its own failure and InfluxDB's absence: InfluxDB ends up holding exactly
 * the windows of a failure-free run, computed independently by the test.
 */
class MetricsJobFailuresIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** Set by the test: the next reading through {@link FailOnce} fails the job, once. */
    private static final AtomicBoolean FAIL_NEXT = new AtomicBoolean();
    private static final AtomicInteger FAILURES = new AtomicInteger();

    /** Throws once when asked to: a task failure in the middle of the stream. */
    static final class FailOnce implements MapFunction<Reading, Reading> {
        private static final long serialVersionUID = 1L;

        @Override
        public Reading map(Reading reading) {
            if (FAIL_NEXT.compareAndSet(true, false)) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("injected failure (MetricsJobFailuresIT)");
            }
            return reading;
        }
    }

    @TempDir
    Path tmp;

    private final Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
    private final Map<String, double[]> expected = new TreeMap<>();

    /** Readings of 20 devices for seconds [from, to), every tenth sent twice; also adds them to {@link #expected}. */
    private void produce(String bootstrap, int from, int to) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            int i = 0;
            for (int second = from; second < to; second++) {
                for (int d = 1; d <= 20; d++) {
                    String device = String.format("f-%03d", d);
                    long ts = t0.plusSeconds(second).toEpochMilli();
                    double value = (d * 11 + second * 5) % 100 + 0.25;
                    Reading r = new Reading("factory", "it-plant", "cnc", device, ts, second + 1, ts,
                            new String[] {"spindle_temp"}, new double[] {value});
                    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("telemetry.readings",
                            device.getBytes(StandardCharsets.UTF_8), ReadingCodec.encode(r));
                    producer.send(record);
                    if (++i % 10 == 0) {
                        producer.send(record);
                    }
                    double[] w = expected.computeIfAbsent("device_id=" + device + "|" + (ts - ts % 10_000),
                            k -> new double[] {0, 0, Double.MAX_VALUE, -Double.MAX_VALUE});
                    w[0]++;
                    w[1] += value;
                    w[2] = Math.min(w[2], value);
                    w[3] = Math.max(w[3], value);
                }
            }
        }
    }

    private JobClient start(KafkaProcess kafka, InfluxdProcess influx, String group) throws Exception {
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("influx.url", influx.url());
        p.setProperty("influx.database", "failures");
        p.setProperty("kafka.group-id", group);
        p.setProperty("metrics.idle-after", "1s");
        p.setProperty("checkpoint.interval", "1s");
        p.setProperty("influx.retry-for", "90s");
        MetricsJobConfig config = MetricsJobConfig.load(p, Map.of());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(MetricsJob.flinkConfiguration(config));
        env.setParallelism(2);
        MetricsJob.addTo(env, config, readings -> readings.map(new FailOnce(), ReadingTypes.READING).name("fail once").uid("fail-once"));
        return env.executeAsync("metrics failures IT");
    }

    private static void startWithTopicsAndDatabase(KafkaProcess kafka, InfluxdProcess influx) {
        kafka.start();
        influx.start();
        kafka.createTopic("telemetry.readings", 3);
        kafka.createTopic("telemetry.late", 1);
        influx.createDatabase("failures");
    }

    private LocalOptions local() {
        return LocalOptions.defaults().withRunDirParent(tmp);
    }

    private static final String QUERY = "SELECT \"count\", \"sum\", \"min\", \"max\" FROM device_metrics "
            + "WHERE \"window\" = '10s' GROUP BY device_id";

    private void awaitExactly(InfluxdProcess influx) throws InterruptedException {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .until(() -> points(influx.query("failures", QUERY)).keySet().containsAll(expected.keySet()));
        Thread.sleep(3000);
        Map<String, double[]> found = points(influx.query("failures", QUERY));
        assertThat(found.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((key, want) -> assertThat(found.get(key)).as(key).containsExactly(want));
    }

    @Test
    void shouldRecoverFromAFailureMidStreamAndWriteWhatAFailureFreeRunWrites() throws Exception {
        try (KafkaProcess kafka = new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local()));
             InfluxdProcess influx = new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local()))) {
            startWithTopicsAndDatabase(kafka, influx);
            FAILURES.set(0);
            produce(kafka.bootstrapServers(), 0, 60);
            JobClient job = start(kafka, influx, "failures-task");
            try {
                await().atMost(Duration.ofMinutes(2)).until(() -> !points(influx.query("failures", QUERY)).isEmpty());
                Thread.sleep(2500); // checkpoints have completed since

                FAIL_NEXT.set(true);
                produce(kafka.bootstrapServers(), 60, 120);

                awaitExactly(influx);
                assertThat(FAILURES.get()).as("the job failed once and recovered").isEqualTo(1);
            } finally {
                job.cancel().get();
            }
        }
    }

    @Test
    void shouldLoseNoPointWhileInfluxDbIsStoppedFor30Seconds() throws Exception {
        try (KafkaProcess kafka = new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local()));
             InfluxdProcess influx = new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local()))) {
            startWithTopicsAndDatabase(kafka, influx);
            produce(kafka.bootstrapServers(), 0, 60);
            JobClient job = start(kafka, influx, "failures-influx");
            try {
                await().atMost(Duration.ofMinutes(2)).until(() -> !points(influx.query("failures", QUERY)).isEmpty());

                influx.stop();
                produce(kafka.bootstrapServers(), 60, 120);
                Thread.sleep(30_000);
                influx.start();

                awaitExactly(influx);
            } finally {
                job.cancel().get();
            }
        }
    }

    /**
     * Every point of an InfluxDB JSON answer (epoch=ms) as "tag=value,…|time" (tags of the GROUP BY,
     * sorted) → the selected fields in order.
     */
    static Map<String, double[]> points(String json) {
        Map<String, double[]> out = new TreeMap<>();
        Matcher series = Pattern.compile("\"tags\":\\{([^}]*)\\},\"columns\":\\[[^\\]]*\\],\"values\":\\[(.*?)\\]\\]").matcher(json);
        while (series.find()) {
            TreeMap<String, String> tags = new TreeMap<>();
            Matcher tag = Pattern.compile("\"([^\"]+)\":\"([^\"]*)\"").matcher(series.group(1));
            while (tag.find()) {
                tags.put(tag.group(1), tag.group(2));
            }
            String prefix = tags.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(java.util.stream.Collectors.joining(","));
            Matcher row = Pattern.compile("\\[?(\\d+),([^\\[\\]]+)").matcher(series.group(2));
            while (row.find()) {
                String[] fields = row.group(2).split(",");
                double[] values = new double[fields.length];
                for (int i = 0; i < fields.length; i++) {
                    values[i] = fields[i].equals("null") ? Double.NaN : Double.parseDouble(fields[i]); // a missing field
                }
                out.put(prefix + "|" + row.group(1), values);
            }
        }
        return out;
    }
}
