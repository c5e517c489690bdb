package io.twinstream.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.jobs.config.JobKafkaAdmin;
import io.twinstream.jobs.config.KafkaClientProperties;
import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.model.Reading;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
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
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    /** Set by the test: the next reading through {@link FailOnce} fails the job, once. */
    private static final AtomicBoolean FAIL_NEXT = new AtomicBoolean();
    /** Set by the test: the first reading of this device through {@link FailOnce} fails the job, once. */
    private static final AtomicReference<String> FAIL_ON_DEVICE = new AtomicReference<>();

    private static final AtomicInteger FAILURES = new AtomicInteger();

    /** Throws once when asked to: a task failure in the middle of the stream. */
    static final class FailOnce implements MapFunction<Reading, Reading> {
        private static final long serialVersionUID = 1L;

        @Override
        public Reading map(Reading reading) {
            String failOn = FAIL_ON_DEVICE.get();
            boolean failHere =
                    failOn != null && failOn.equals(reading.deviceId()) && FAIL_ON_DEVICE.compareAndSet(failOn, null);
            if (FAIL_NEXT.compareAndSet(true, false) || failHere) {
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
        List<Reading> readings = new ArrayList<>();
        for (int second = from; second < to; second++) {
            for (int d = 1; d <= 20; d++) {
                String device = String.format("f-%03d", d);
                long ts = t0.plusSeconds(second).toEpochMilli();
                double value = (d * 11 + second * 5) % 100 + 0.25;
                readings.add(new Reading(
                        "factory",
                        "it-plant",
                        "cnc",
                        device,
                        ts,
                        second + 1,
                        ts,
                        new String[] {"spindle_temp"},
                        new double[] {value}));
                MetricsJobRuns.expectValue(expected, "device_id=" + device + "|" + (ts - ts % 10_000), value, 4);
            }
        }
        MetricsJobRuns.produceWithRedeliveries(bootstrap, readings);
    }

    private Reading reading(String device, int second, int seq, double value) {
        long ts = t0.plusSeconds(second).toEpochMilli();
        return new Reading(
                "factory", "it-plant", "cnc", device, ts, seq, ts, new String[] {"spindle_temp"}, new double[] {value});
    }

    private JobClient start(KafkaProcess kafka, InfluxdProcess influx, String group) throws Exception {
        return MetricsJobRuns.start(
                kafka,
                influx,
                tmp.resolve("checkpoints-" + group),
                Map.of(
                        "influx.database",
                        "failures",
                        "kafka.group-id",
                        group,
                        "checkpoint.interval",
                        "1s",
                        "influx.retry-for",
                        "90s"),
                readings -> readings.map(new FailOnce(), ReadingTypes.READING)
                        .name("fail once")
                        .uid("fail-once"));
    }

    private static void startWithTopicsAndDatabase(KafkaProcess kafka, InfluxdProcess influx) {
        MetricsJobRuns.startWithTopics(kafka, influx, 3);
        influx.createDatabase("failures");
    }

    private LocalOptions local() {
        return LocalOptions.defaults().withRunDirParent(tmp);
    }

    private static final String QUERY = "SELECT \"count\", \"sum\", \"min\", \"max\" FROM device_metrics "
            + "WHERE \"window\" = '10s' GROUP BY device_id";

    private void awaitExactly(InfluxdProcess influx) throws InterruptedException {
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> MetricsJobRuns.points(influx.query("failures", QUERY))
                        .keySet()
                        .containsAll(expected.keySet()));
        Thread.sleep(3000);
        MetricsJobRuns.assertExactly(MetricsJobRuns.points(influx.query("failures", QUERY)), expected);
    }

    @Test
    void shouldRecoverFromAFailureMidStreamAndWriteWhatAFailureFreeRunWrites() throws Exception {
        try (KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local()));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local()))) {
            startWithTopicsAndDatabase(kafka, influx);
            FAILURES.set(0);
            produce(kafka.bootstrapServers(), 0, 60);
            JobClient job = start(kafka, influx, "failures-task");
            try {
                await().atMost(Duration.ofMinutes(2))
                        .until(() -> !MetricsJobRuns.points(influx.query("failures", QUERY))
                                .isEmpty());
                Thread.sleep(2500); // checkpoints have completed since

                FAIL_NEXT.set(true);
                produce(kafka.bootstrapServers(), 60, 120);

                awaitExactly(influx);
                assertThat(FAILURES.get())
                        .as("the job failed once and recovered")
                        .isEqualTo(1);
            } finally {
                job.cancel().get();
            }
        }
    }

    /**
     * After a restore no operator knows the watermark until the sources send one again: a reading
     * too late for its window (its window long fired and purged) that comes in that gap must still
     * be treated as too late, not open a fresh window that overwrites the real one with itself alone.
     */
    @Test
    void shouldKeepAReadingTooLateForItsWindowOutOfItAfterARestore() throws Exception {
        try (KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local()));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local()))) {
            startWithTopicsAndDatabase(kafka, influx);
            FAILURES.set(0);
            produce(kafka.bootstrapServers(), 0, 120);
            JobClient job = start(kafka, influx, "failures-late");
            try {
                await().atMost(Duration.ofMinutes(2))
                        .until(() -> MetricsJobRuns.points(influx.query("failures", QUERY))
                                .containsKey(
                                        "device_id=f-001|" + t0.plusSeconds(100).toEpochMilli()));
                Thread.sleep(2500); // checkpoints have completed since, with the watermark far past second 5

                // A reading for f-001's first window, two minutes late (far beyond the allowed lateness),
                // and one that fails the job as it passes: the restore replays the late one.
                FAIL_ON_DEVICE.set("f-trigger");
                Reading trigger = reading("f-trigger", 125, 1, 50.0);
                MetricsJobRuns.expectValue(
                        expected, "device_id=f-trigger|" + (trigger.ts() - trigger.ts() % 10_000), 50.0, 4);
                MetricsJobRuns.produceWithRedeliveries(
                        kafka.bootstrapServers(), List.of(reading("f-001", 5, 10_000, 1000.0), trigger));

                awaitExactly(influx);
                assertThat(FAILURES.get())
                        .as("the job failed once and recovered")
                        .isEqualTo(1);
            } finally {
                job.cancel().get();
            }
        }
    }

    @Test
    void shouldRefuseToStartWithoutTheReadingsTopicNamingIt() throws Exception {
        try (KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local()));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local()))) {
            kafka.start();
            influx.start();
            kafka.createTopic("telemetry.late", 1);
            assertThatThrownBy(() -> start(kafka, influx, "failures-no-topic"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has no topic telemetry.readings")
                    .hasMessageContaining("create the pipeline's topics first");
        }
    }

    /**
     * Brokers learn of a new topic a moment after it is created: a job started right after its
     * topics were made on a 3-node Kafka was refused for one that was there (PipelineFailuresIT,
     * once in CI). The check now takes a topic that turns up within seconds.
     */
    @Test
    void shouldTakeATopicThatTurnsUpAMomentAfterTheCheckBegins() throws Exception {
        try (KafkaProcess kafka =
                new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local()))) {
            kafka.start();
            Thread creator = new Thread(() -> {
                try {
                    Thread.sleep(2000);
                    kafka.createTopic("telemetry.readings", 1);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            creator.start();
            JobKafkaAdmin.requireTopics(
                    kafka.bootstrapServers(), KafkaClientProperties.NONE, List.of("telemetry.readings"));
            creator.join();
        }
    }

    @Test
    void shouldLoseNoPointWhileInfluxDbIsStoppedFor30Seconds() throws Exception {
        try (KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local()));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local()))) {
            startWithTopicsAndDatabase(kafka, influx);
            produce(kafka.bootstrapServers(), 0, 60);
            JobClient job = start(kafka, influx, "failures-influx");
            try {
                await().atMost(Duration.ofMinutes(2))
                        .until(() -> !MetricsJobRuns.points(influx.query("failures", QUERY))
                                .isEmpty());

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
}
