package io.twinstream.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.jobs.alerts.AlertsJobRuns.TimedReading;
import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.model.Reading;
import io.twinstream.simulator.publish.MqttCallbackAdapter;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.ScenarioParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerts job against real Kafka, influxd and Mosquitto, on the demo scenario (two districts
 * and a plant for 10 simulated minutes, an air-quality and a spindle-overheating episode,
 * duplicates, out-of-order, late readings, dropouts), its payloads turned into readings by
 * ingest's own parser, with the shipped demo rules ⇒ {@code telemetry.alerts} (read_committed),
 * the {@code alerts} measurement and MQTT {@code alerts/#} hold exactly the transitions of the
 * ground truth ({@code simulator expect}), no more, no fewer; also after the job fails in the
 * middle of both episodes and restarts from its checkpoint.
 */
class AlertsJobIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final AtomicBoolean FAIL_NEXT = new AtomicBoolean();
    private static final AtomicInteger FAILURES = new AtomicInteger();

    /** Throws once when asked to: a task failure in the middle of the stream. */
    static final class FailOnce implements MapFunction<Reading, Reading> {
        private static final long serialVersionUID = 1L;

        @Override
        public Reading map(Reading reading) {
            if (FAIL_NEXT.compareAndSet(true, false)) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("injected failure (AlertsJobIT)");
            }
            return reading;
        }
    }

    @TempDir
    Path tmp;

    /**
     * Pinned to a Monday 07:30 in Moscow (rush hour, first shift): the job is given the readings
     * directly (no wall-clock check), and a fixed time of day keeps the shipped rules' verdicts
     * reproducible; the demo, which starts at the present, covers the other times of day.
     */
    private final Scenario demo =
            ScenarioParser.load("demo.yaml").withStart(java.time.Instant.parse("2026-01-05T04:30:00Z"));

    private LocalOptions local() {
        return LocalOptions.defaults().withRunDirParent(tmp);
    }

    /** An MQTT client collecting every message on alerts/# as a transition key. */
    private static MqttClient subscribe(String url, List<String> into) throws MqttException {
        MqttClient client = new MqttClient(url, "alerts-it-subscriber", new MemoryPersistence());
        client.setCallback(MqttCallbackAdapter.onMessage((topic, message) -> {
            if (topic.equals(AlertsJobRuns.topicOf(message.getPayload()))) {
                into.add(AlertsJobRuns.key(message.getPayload()));
            } else {
                into.add("on the wrong topic " + topic); // fails the comparison
            }
        }));
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        client.connect(options);
        client.subscribe("alerts/#", 1);
        return client;
    }

    @Test
    void shouldPublishExactlyTheGroundTruthsTransitionsEverywhere() throws Exception {
        List<String> expected = AlertsJobRuns.expectedTransitions(demo);
        assertThat(expected)
                .as("the demo's episodes raise and clear alerts")
                .hasSizeGreaterThan(10)
                .anyMatch(t -> t.contains(" raised "))
                .anyMatch(t -> t.contains(" cleared "));
        List<TimedReading> readings = AlertsJobRuns.readings(demo);
        try (Services services = Services.start(local(), "alertsit")) {
            KafkaProcess kafka = services.kafka();
            InfluxdProcess influx = services.influx();
            MosquittoProcess mosquitto = services.mosquitto();
            List<String> viaMqtt = new CopyOnWriteArrayList<>();
            MqttClient subscriber = subscribe(mosquitto.url(), viaMqtt);
            AlertsJobRuns.produce(kafka.bootstrapServers(), readings);
            JobClient job = services.startJob(tmp.resolve("checkpoints"), r -> r);
            try {
                services.awaitExactly(expected);
                assertThat(new ArrayList<>(viaMqtt)).as("MQTT alerts/#").containsExactlyInAnyOrderElementsOf(expected);

                Map<String, List<String>> statuses = AlertsJobRuns.statuses(influx, "alertsit");
                assertThat(statuses)
                        .as("every device of the scenario has a status")
                        .hasSize(fleetSize());
                statuses.forEach((device, points) ->
                        assertThat(points.get(0)).as(device + " starts online").startsWith("online@"));
            } finally {
                job.cancel().get();
                AlertsJobRuns.closeQuietly(subscriber);
            }
        }
    }

    /**
     * The job started before the fleet: its readings partitions are quiet and read to their end, so
     * the source lets them go (they must not hold event time back), and its readings input goes idle
     * before it ever had a watermark. The rules input's watermark must not then become the rule
     * evaluator's event time: it did (the end of time), every reading after it was late, and the
     * job raised nothing (ClusterPipelineIT: 0 of 43 transitions).
     */
    @Test
    void shouldRaiseTheSameAlertsWhenTheFleetStartsAfterTheJobHasGoneQuiet() throws Exception {
        List<String> expected = AlertsJobRuns.expectedTransitions(demo);
        List<TimedReading> readings = AlertsJobRuns.readings(demo);
        try (Services services = Services.start(local(), "lateit")) {
            KafkaProcess kafka = services.kafka();
            JobClient job = services.startJob(tmp.resolve("checkpoints"), r -> r);
            try {
                await().atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> AlertsJobRuns.idlePartitions(FLINK.getClientConfiguration(), job) == 3);
                Thread.sleep(1000); // the idleness has reached the rule evaluator

                // A replay into a job that has been waiting. First one partition's whole backlog
                // (ten minutes). Read first, it set event time alone, minutes ahead of the others'
                // first records, which then came too late for their alerts (8 of 12 pm25 raises a
                // minute late, 1 CI run in 4 with the partitions filled together): the source now
                // holds a waking partition's watermark a while (CaughtUpIdleReader).
                int first = AlertsJobRuns.partitionOf(readings.get(0).reading().deviceId(), 3);
                List<TimedReading> others = readings.stream()
                        .filter(r -> AlertsJobRuns.partitionOf(r.reading().deviceId(), 3) != first)
                        .toList();
                AlertsJobRuns.produce(
                        kafka.bootstrapServers(),
                        readings.stream()
                                .filter(r ->
                                        AlertsJobRuns.partitionOf(r.reading().deviceId(), 3) == first)
                                .toList());
                // Half a second later, within that hold, the other partitions' first five minutes (one of
                // them is the other subtask's). That subtask was idle downstream; had it become
                // active there only with its first watermark, after the first subtask's, Flink
                // would have left it out of the rule evaluator's event time until it caught up, and
                // its next five minutes would all have been late (EventTimeClock).
                long half = readings.get(0).sentAt()
                        + (readings.get(readings.size() - 1).sentAt()
                                        - readings.get(0).sentAt())
                                / 2;
                Thread.sleep(500); // their records read by then, and out of the source without the hold
                AlertsJobRuns.produce(
                        kafka.bootstrapServers(),
                        others.stream().filter(r -> r.sentAt() < half).toList());
                Thread.sleep(4000); // the holds are over, no partition quiet long enough to go idle
                AlertsJobRuns.produce(
                        kafka.bootstrapServers(),
                        others.stream().filter(r -> r.sentAt() >= half).toList());
                services.awaitExactly(expected);
            } finally {
                job.cancel().get();
            }
        }
    }

    /** Kafka (telemetry.readings in 3 partitions, the topics the job requires), influxd and Mosquitto for one test. */
    private record Services(KafkaProcess kafka, InfluxdProcess influx, MosquittoProcess mosquitto, String database)
            implements AutoCloseable {

        static Services start(LocalOptions local, String database) throws Exception {
            KafkaProcess kafka =
                    new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
            InfluxdProcess influx =
                    new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local));
            MosquittoProcess mosquitto =
                    new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(local));
            Services services = new Services(kafka, influx, mosquitto, database);
            try {
                kafka.start();
                influx.start();
                mosquitto.start();
                kafka.createTopic("telemetry.readings", 3);
                kafka.ensurePipelineTopics(); // the alerts job requires telemetry.alerts and telemetry.rules
                influx.createDatabase(database);
                return services;
            } catch (Exception | AssertionError e) {
                services.close();
                throw e;
            }
        }

        /**
         * Once as many transitions as expected are on telemetry.alerts (and 4 s more): exactly those
         * there and in InfluxDB.
         */
        /** The alerts job on the test's MiniCluster, writing into this test's database. */
        JobClient startJob(Path checkpoints, UnaryOperator<DataStream<Reading>> beforeTopology) throws Exception {
            return AlertsJobRuns.start(
                    kafka, influx, mosquitto.url(), checkpoints, Map.of("influx.database", database), beforeTopology);
        }

        void awaitExactly(List<String> expected) throws Exception {
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> AlertsJobRuns.kafkaTransitions(kafka.bootstrapServers(), "telemetry.alerts")
                                    .size()
                            >= expected.size());
            Thread.sleep(4000); // anything extra would have come by now
            assertThat(AlertsJobRuns.kafkaTransitions(kafka.bootstrapServers(), "telemetry.alerts"))
                    .as("telemetry.alerts")
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(AlertsJobRuns.influxTransitions(influx, database))
                    .as("the alerts measurement")
                    .containsExactlyInAnyOrderElementsOf(expected);
        }

        @Override
        public void close() throws Exception {
            try (kafka;
                    influx;
                    mosquitto) {
                // each closed, the last first, whatever the others do
            }
        }
    }

    private int fleetSize() {
        return new io.twinstream.simulator.stream.DeviceFleet(demo, 1.0).size();
    }

    @Test
    void shouldNeitherRepeatNorLoseATransitionWhenTheJobFailsMidEpisode() throws Exception {
        List<String> expected = AlertsJobRuns.expectedTransitions(demo);
        List<TimedReading> readings = AlertsJobRuns.readings(demo);
        long failAt = demo.start().plus(Duration.ofMinutes(6)).toEpochMilli(); // both episodes under way
        List<TimedReading> before =
                readings.stream().filter(t -> t.sentAt() < failAt).toList();
        List<TimedReading> after =
                readings.stream().filter(t -> t.sentAt() >= failAt).toList();
        long raisedBefore = expected.stream()
                .filter(t -> t.contains(" raised ") && Long.parseLong(t.split(" ")[0]) < failAt - 60_000)
                .count();
        assertThat(raisedBefore).as("alerts raised before the failure").isPositive();
        try (Services services = Services.start(local(), "restartit")) {
            KafkaProcess kafka = services.kafka();
            InfluxdProcess influx = services.influx();
            MosquittoProcess mosquitto = services.mosquitto();
            List<String> viaMqtt = new CopyOnWriteArrayList<>();
            MqttClient subscriber = subscribe(mosquitto.url(), viaMqtt);
            FAILURES.set(0);
            AlertsJobRuns.produce(kafka.bootstrapServers(), before);
            JobClient job = services.startJob(
                    tmp.resolve("checkpoints"),
                    r -> r.map(new FailOnce(), ReadingTypes.READING)
                            .name("fail once")
                            .uid("fail-once"));
            try {
                await().atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> AlertsJobRuns.kafkaTransitions(kafka.bootstrapServers(), "telemetry.alerts")
                                        .size()
                                >= raisedBefore);
                Thread.sleep(2500); // checkpoints have completed since

                FAIL_NEXT.set(true);
                AlertsJobRuns.produce(kafka.bootstrapServers(), after);

                await().atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofSeconds(2))
                        .until(() -> AlertsJobRuns.kafkaTransitions(kafka.bootstrapServers(), "telemetry.alerts")
                                        .size()
                                >= expected.size());
                Thread.sleep(4000);
                assertThat(FAILURES.get())
                        .as("the job failed once and recovered")
                        .isEqualTo(1);
                assertThat(AlertsJobRuns.kafkaTransitions(kafka.bootstrapServers(), "telemetry.alerts"))
                        .as("telemetry.alerts, read committed")
                        .containsExactlyInAnyOrderElementsOf(expected);
                assertThat(AlertsJobRuns.influxTransitions(influx, "restartit"))
                        .as("the alerts measurement")
                        .containsExactlyInAnyOrderElementsOf(expected);
                assertThat(new TreeSet<>(viaMqtt))
                        .as("MQTT, at least once: every transition, repeats allowed")
                        .containsExactlyInAnyOrderElementsOf(new TreeSet<>(expected));
            } finally {
                job.cancel().get();
                AlertsJobRuns.closeQuietly(subscriber);
            }
        }
    }
}
