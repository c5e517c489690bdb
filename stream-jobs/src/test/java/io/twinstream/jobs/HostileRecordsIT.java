package io.twinstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.jobs.metrics.MetricsJobRuns;
import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records on {@code telemetry.readings} that did not come through ingest's checks, written straight
 * to Kafka while a live fleet of 8 devices sends a reading a second: 40 readings stamped 300 days
 * ahead (on every partition), records that are not readings, a reading stamped
 * {@code Long.MIN_VALUE + now}; and points InfluxDB refuses for good: a device whose first
 * reading is older than the database keeps, a reading whose every time is {@code Long.MIN_VALUE + now}.
 * Before the jobs checked their input, the first moved event time 300 days ahead (every later
 * reading late, every window lost), the second failed the job at every restart, and each refused
 * point failed the job again after every restart. Now: every window of the fleet arrives exact,
 * the job never restarts, and each hostile record is a dead letter with its reason.
 *
 * <p>The topic has two partitions more than the fleet uses: one with a single reading before the
 * job starts, one with none. Each held its source instance's event time back (the watermark is the
 * lowest of its partitions'), so no window closed while the fleet sent; now a quiet partition that
 * is read to its end stops counting, and the windows come while the fleet sends.
 */
class HostileRecordsIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final int DEVICES = 8;
    private static final int SECONDS = 30;
    /** The fleet's partitions; the topic has two more. */
    private static final int PARTITIONS = 3;
    /** Has one reading before the job starts, then none. */
    private static final int QUIET_PARTITION = 3;
    /** Never has a record. */
    private static final int EMPTY_PARTITION = 4;

    private static final String DATABASE = "hostileit";

    @TempDir
    Path tmp;

    @Test
    void shouldKeepEveryWindowComingAndDeadLetterEachHostileRecord() throws Exception {
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        try (KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local))) {
            MetricsJobRuns.startWithTopics(kafka, influx, EMPTY_PARTITION + 1);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                run(kafka, influx, producer);
            }
        }
    }

    private void run(KafkaProcess kafka, InfluxdProcess influx, KafkaProducer<byte[], byte[]> producer)
            throws Exception {
        influx.query(DATABASE, "CREATE DATABASE " + DATABASE + " WITH DURATION 1h"); // its shortest

        // Before the job runs, so their windows open before event time has moved on (later, they
        // would be late readings): a device whose first reading is older than the database keeps,
        // and one whose every time is as far back as a long goes (it passes the source's checks).
        // InfluxDB refuses their windows' points.
        long start = System.currentTimeMillis();
        long hoursAgo = start - Duration.ofHours(3).toMillis();
        send(
                producer,
                0,
                new Reading(
                        "city", "old-site", "noise", "old-1", hoursAgo, 1, start, new String[] {"db"}, new double[] {1
                        }));
        send(
                producer,
                2,
                new Reading(
                        "city",
                        "intruder-site",
                        "noise",
                        "intruder-1",
                        Long.MIN_VALUE + start,
                        1,
                        Long.MIN_VALUE + start,
                        new String[] {"db"},
                        new double[] {1}));
        send(
                producer,
                QUIET_PARTITION,
                new Reading(
                        "city", "quiet-site", "noise", "quiet-1", start, 1, start, new String[] {"db"}, new double[] {1
                        }));
        producer.flush();

        String live = "SELECT \"count\", \"sum\", \"min\", \"max\" FROM device_metrics WHERE site = 'live' "
                + "AND \"window\" = '10s' GROUP BY device_id";
        JobClient job = MetricsJobRuns.start(
                kafka,
                influx,
                tmp.resolve("checkpoints"),
                Map.of("influx.database", DATABASE, "kafka.group-id", "hostile-it", "checkpoint.interval", "2s"),
                UnaryOperator.identity());
        try {
            Map<String, double[]> expected = new TreeMap<>();
            for (int second = 0; second < SECONDS; second++) {
                long now = System.currentTimeMillis();
                for (int d = 0; d < DEVICES; d++) {
                    String device = "live-" + d;
                    double value = d * 10 + second;
                    send(
                            producer,
                            d % PARTITIONS,
                            new Reading(
                                    "city",
                                    "live",
                                    "noise",
                                    device,
                                    now,
                                    second + 1,
                                    now,
                                    new String[] {"db"},
                                    new double[] {value}));
                    long windowStart = now - Math.floorMod(now, 10_000);
                    MetricsJobRuns.expectValue(expected, "device_id=" + device + "|" + windowStart, value, 4);
                }
                if (second == 8) {
                    sendHostileRecords(producer, now);
                }
                if (second == SECONDS - 2) {
                    // Windows close while the fleet sends, though two partitions are quiet: the
                    // first 10-s window of each device ended at least 5 s ago (out-of-orderness).
                    assertThat(MetricsJobRuns.points(influx.query(DATABASE, live)).keySet().stream()
                                    .map(key -> key.substring(0, key.indexOf('|')))
                                    .distinct())
                            .as("devices with a window written while the fleet sends")
                            .hasSize(DEVICES);
                }
                producer.flush();
                Thread.sleep(Math.max(0, now + 1000 - System.currentTimeMillis()));
            }

            // The last window closes by the idle advance: out-of-orderness 5 s + idle 1 s after its end.
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() ->
                            MetricsJobRuns.points(influx.query(DATABASE, live)).size() >= expected.size());
            MetricsJobRuns.assertExactly(MetricsJobRuns.points(influx.query(DATABASE, live)), expected);

            Map<String, String> reasons = new TreeMap<>();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        reasons.clear();
                        reasons.putAll(deadLetters(kafka));
                        assertThat(reasons.values().stream().filter(r -> r.startsWith("timestamp-in-future")))
                                .hasSize(40);
                        assertThat(reasons.values().stream().filter(r -> r.startsWith("undecodable")))
                                .hasSize(PARTITIONS);
                        assertThat(reasons.values().stream().filter(r -> r.startsWith("timestamp-out-of-range")))
                                .hasSize(1);
                        // old-1's 10-s and 1-min windows, and its site's; the intruder's two windows
                        assertThat(reasons.entrySet().stream()
                                        .filter(e -> e.getValue().startsWith("refused-by-influxdb")
                                                && e.getKey().contains("old-")))
                                .hasSize(4);
                        assertThat(reasons.entrySet().stream()
                                        .filter(e -> e.getValue().startsWith("refused-by-influxdb")
                                                && e.getKey().contains("intruder-")))
                                .hasSize(4);
                    });
            assertThat(reasons.entrySet().stream()
                            .filter(e -> e.getKey().contains("old-"))
                            .map(Map.Entry::getValue))
                    .allMatch(r -> r.contains("beyond retention policy"));
            assertThat(reasons).hasSize(40 + PARTITIONS + 1 + 4 + 4);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            assertThat(failures(job)).as("the job's failures").contains("\"entries\":[]");
        } finally {
            job.cancel().get();
        }
    }

    /** The failures the job has had, as Flink's REST API lists them ({@code /jobs/:id/exceptions}). */
    private static String failures(JobClient job) throws Exception {
        String answer = MiniClusterRest.get(FLINK.getClientConfiguration(), "/jobs/" + job.getJobID() + "/exceptions");
        assertThat(answer).as("Flink's answer").contains("\"exceptionHistory\"");
        return answer;
    }

    /** What anything with write access to the topic could write; none of it through ingest. */
    private static void sendHostileRecords(KafkaProducer<byte[], byte[]> producer, long now) {
        long farAhead = now + Duration.ofDays(300).toMillis();
        for (int i = 0; i < 40; i++) {
            send(
                    producer,
                    i % PARTITIONS,
                    new Reading(
                            "city",
                            "live",
                            "noise",
                            "pirate-" + i,
                            farAhead,
                            1,
                            farAhead,
                            new String[] {"db"},
                            new double[] {1}));
        }
        for (int p = 0; p < PARTITIONS; p++) {
            producer.send(new ProducerRecord<>(
                    "telemetry.readings", p, bytes("junk-" + p), bytes("{\"not\":\"a reading\"}")));
        }
        send(
                producer,
                1,
                new Reading(
                        "city",
                        "live",
                        "noise",
                        "pirate-min",
                        Long.MIN_VALUE + now,
                        1,
                        now,
                        new String[] {"db"},
                        new double[] {1}));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, int partition, Reading reading) {
        producer.send(new ProducerRecord<>(
                "telemetry.readings", partition, bytes(reading.deviceId()), ReadingCodec.encode(reading)));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Every dead letter so far: where it came from ("partition/offset" of a refused record, the
     * point's line for a refused point; a record written twice counts once) → "reason: detail".
     */
    private static Map<String, String> deadLetters(KafkaProcess kafka) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false);
        Map<String, String> out = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition("telemetry.deadletter", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    String source = header(record, "source-topic");
                    String where = source.equals("telemetry.readings")
                            ? header(record, "source-partition") + "/" + header(record, "source-offset")
                            : new String(record.value(), StandardCharsets.UTF_8);
                    out.put(where, header(record, "reason") + ": " + header(record, "reason-detail"));
                }
            }
        }
        return out;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
