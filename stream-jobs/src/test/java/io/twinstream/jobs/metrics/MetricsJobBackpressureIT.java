package io.twinstream.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.local.FlinkJobManagerProcess;
import io.twinstream.infra.stack.local.FlinkSessionCluster;
import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.model.Reading;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backpressured job is not a quiet fleet. InfluxDB freezes (SIGSTOP) while a backlog of readings
 * waits in Kafka: the sink blocks, the windows behind it fill, and the source stops delivering for
 * far longer than the idle time. Event time must not move on meanwhile: once InfluxDB is back every
 * window is exact and nothing went to {@code telemetry.late} (no reading was sent late).
 *
 * <p>The pause (20 s) is ten times the idle time and the backlog (108,000 readings) many times what
 * the job's buffers hold, so the fault it guards against shows on every run, not once in two:
 * with wall time as the idle measure the watermark ran about 18 s ahead of the backlog and
 * thousands of readings counted as late. Played on the test's MiniCluster and on a session cluster
 * (a JobManager and a TaskManager, each its own JVM, the job jar submitted with {@code flink run}).
 */
class MetricsJobBackpressureIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final int DEVICES = 200;
    private static final Duration FROZEN_FOR = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private final Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
    private final Map<String, double[]> expected = new TreeMap<>();

    /** One reading a second from each device for seconds [from, to); also adds them to {@link #expected}. */
    private void produce(String bootstrap, int from, int to) {
        List<Reading> readings = new ArrayList<>();
        for (int second = from; second < to; second++) {
            for (int d = 1; d <= DEVICES; d++) {
                String device = String.format("bp-%03d", d);
                long ts = t0.plusSeconds(second).toEpochMilli();
                double value = (d * 13 + second * 7) % 100 + 0.5;
                readings.add(new Reading(
                        "city", "backpressure", "noise", device, ts, second + 1, ts, new String[] {"db"}, new double[] {
                            value
                        }));
                MetricsJobRuns.expectValue(expected, "device_id=" + device + "|" + (ts - ts % 10_000), value, 4);
            }
        }
        MetricsJobRuns.produceWithRedeliveries(bootstrap, readings);
    }

    /** Starts the metrics job with these settings, wherever it runs; closing the result cancels it. */
    private interface JobStarter {
        AutoCloseable start(KafkaProcess kafka, InfluxdProcess influx, Map<String, String> settings) throws Exception;
    }

    @Test
    void shouldKeepEveryWindowExactWhenTheJobIsBackpressuredForLongerThanTheIdleTime() throws Exception {
        runBackpressured((kafka, influx, settings) -> {
            JobClient job =
                    MetricsJobRuns.start(kafka, influx, tmp.resolve("checkpoints"), settings, UnaryOperator.identity());
            return () -> job.cancel().get();
        });
    }

    /**
     * The same on a Flink session cluster, the job jar submitted at parallelism 2 to a TaskManager
     * of its own: the source, its fetcher threads and the event-time clock as users run them.
     */
    @Test
    void shouldKeepEveryWindowExactWhenBackpressuredOnASessionCluster() throws Exception {
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        try (FlinkSessionCluster flink = new FlinkSessionCluster(
                FlinkJobManagerProcess.Options.defaults().withSlotsFor(2, 1).withLocal(local))) {
            flink.start(1);
            runBackpressured((kafka, influx, settings) -> {
                Path file = tmp.resolve("metrics.properties");
                try (var out = Files.newBufferedWriter(file)) {
                    MetricsJobRuns.settings(kafka, influx, tmp.resolve("checkpoints"), settings)
                            .store(out, null);
                }
                String id =
                        flink.submit(MetricsJobRuns.jobJar(), 2, null, List.of("metrics", "--config", file.toString()));
                flink.awaitRunning(id, Duration.ofMinutes(2));
                return () -> flink.cancel(id);
            });
        }
    }

    private void runBackpressured(JobStarter starter) throws Exception {
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        try (KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local))) {
            MetricsJobRuns.startWithTopics(kafka, influx, 3);
            influx.createDatabase("backpressure");
            produce(kafka.bootstrapServers(), 0, 60);

            try (AutoCloseable job = starter.start(
                    kafka,
                    influx,
                    Map.of(
                            "influx.database",
                            "backpressure",
                            "kafka.group-id",
                            "backpressure-it",
                            "metrics.idle-after",
                            "2s",
                            "metrics.out-of-orderness",
                            "1s",
                            "metrics.allowed-lateness",
                            "2s",
                            "checkpoint.interval",
                            "2s",
                            "influx.retry-for",
                            "3m"))) {
                String query = "SELECT \"count\", \"sum\", \"min\", \"max\" FROM device_metrics "
                        + "WHERE \"window\" = '10s' GROUP BY device_id";
                await().atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> !MetricsJobRuns.points(influx.query("backpressure", query))
                                .isEmpty());

                influx.pause();
                try {
                    produce(kafka.bootstrapServers(), 60, 600);
                    Thread.sleep(FROZEN_FOR.toMillis());
                } finally {
                    influx.resume();
                }

                await().atMost(Duration.ofMinutes(4))
                        .pollInterval(Duration.ofSeconds(2))
                        .until(() -> MetricsJobRuns.points(influx.query("backpressure", query))
                                .keySet()
                                .containsAll(expected.keySet()));
                Thread.sleep(3000); // anything extra would have landed by now
                assertThat(lateRecords(kafka.bootstrapServers()))
                        .as("samples sent to telemetry.late")
                        .isZero();
                MetricsJobRuns.assertExactly(MetricsJobRuns.points(influx.query("backpressure", query)), expected);
            }
        }
    }

    /** How many committed records {@code telemetry.late} holds. */
    static long lateRecords(String bootstrap) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("isolation.level", "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("telemetry.late").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long records = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read telemetry.late to its end " + end);
                }
                records += consumer.poll(Duration.ofMillis(500)).count();
            }
            return records;
        }
    }
}
