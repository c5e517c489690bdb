package io.twinstream.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.jobs.StreamJobsMain;
import io.twinstream.jobs.alerts.AlertsJobRuns.TimedReading;
import io.twinstream.model.Reading;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerts job while an operator works with it, against real Kafka, influxd and Mosquitto: rules
 * replaced through {@code stream-jobs rules} take effect without a restart, a bad rules text on the
 * topic is refused and the last good rules stay, the MQTT broker going away delays only the MQTT
 * copies (Kafka and InfluxDB go on; MQTT gets them once the broker is back), and a fleet that
 * goes silent is marked offline by the idle advance of event time, a device back online with its
 * next reading.
 */
class AlertsJobOperationsIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final int DEVICES = 4;

    @TempDir
    Path tmp;

    private final long t0 = Instant.now()
            .minus(Duration.ofHours(1))
            .truncatedTo(ChronoUnit.HOURS)
            .toEpochMilli();

    /** Every device's temperature once a second for seconds [from, to). */
    private List<TimedReading> temperatures(int from, int to, double celsius) {
        List<TimedReading> out = new ArrayList<>();
        for (int s = from; s < to; s++) {
            for (int d = 1; d <= DEVICES; d++) {
                long ts = t0 + s * 1000L;
                out.add(new TimedReading(
                        ts,
                        new Reading(
                                "factory",
                                "it-plant",
                                "motor",
                                "m-" + d,
                                ts,
                                s,
                                ts,
                                new String[] {"temp"},
                                new double[] {celsius})));
            }
        }
        return out;
    }

    private static String rule(String name, int above, int clearBelow) {
        return "rules:\n  - { name: " + name
                + ", severity: warning, match: { deviceType: motor, metric: temp }, above: " + above
                + ", for: 5s, clearBelow: " + clearBelow + " }\n";
    }

    @Test
    void shouldApplyNewRulesRefuseBadOnesAndOutliveTheMqttBroker() throws Exception {
        Path initialRules = Files.writeString(tmp.resolve("initial.yaml"), rule("hot", 80, 70));
        Path newRules = Files.writeString(tmp.resolve("new.yaml"), rule("warm", 50, 40));
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        try (KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local));
                MosquittoProcess mosquitto =
                        new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(local))) {
            kafka.start();
            influx.start();
            mosquitto.start();
            kafka.createTopic("telemetry.readings", 2);
            kafka.ensurePipelineTopics(); // the alerts job requires telemetry.alerts and telemetry.rules
            influx.createDatabase("opsit");
            List<String> viaMqtt = new CopyOnWriteArrayList<>();
            MqttClient subscriber = persistentSubscriber(mosquitto.url(), viaMqtt);

            AlertsJobRuns.produce(kafka.bootstrapServers(), temperatures(0, 20, 60));
            JobClient job = AlertsJobRuns.start(
                    kafka,
                    influx,
                    mosquitto.url(),
                    tmp.resolve("checkpoints"),
                    // Event time moves with the readings only (no idle advance): what the new rules see is fixed.
                    Map.of(
                            "influx.database",
                            "opsit",
                            "rules.file",
                            initialRules.toString(),
                            "alerts.out-of-orderness",
                            "1s",
                            "alerts.idle-after",
                            "1h"),
                    r -> r);
            try {
                await().atMost(Duration.ofMinutes(2))
                        .until(() -> AlertsJobRuns.statuses(influx, "opsit").size() == DEVICES);
                assertThat(AlertsJobRuns.kafkaTransitions(kafka.bootstrapServers(), "telemetry.alerts"))
                        .as("60 °C is under the first rules' 80")
                        .isEmpty();

                // An operator lowers the threshold: checked, published, applied by the running job.
                ByteArrayOutputStream said = new ByteArrayOutputStream();
                assertThat(StreamJobsMain.run(
                                new String[] {"rules", "publish", newRules.toString()},
                                Map.of(
                                        "KAFKA_BOOTSTRAP",
                                        kafka.bootstrapServers(),
                                        "ALERTS_RULES_FILE",
                                        initialRules.toString()),
                                new PrintStream(said, true, StandardCharsets.UTF_8),
                                System.err))
                        .isZero();
                assertThat(said.toString(StandardCharsets.UTF_8))
                        .contains("published 1 rules [warm] to telemetry.rules");
                // Then someone writes a broken rules text straight onto the topic: refused by the job.
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new StringSerializer(),
                        new StringSerializer())) {
                    producer.send(new ProducerRecord<>("telemetry.rules", "rules", rule("broken", 10, 90)))
                            .get();
                }
                Thread.sleep(3000); // "within seconds"

                mosquitto.stop();
                AlertsJobRuns.produce(kafka.bootstrapServers(), temperatures(20, 40, 60));

                List<String> raised = new ArrayList<>();
                for (int d = 1; d <= DEVICES; d++) {
                    // The readings at 18 and 19 s were still held (1 s out-of-orderness) when the rules
                    // changed: the new rule sees them, 60 °C > 50 from 18 s, held 5 s at 23 s.
                    raised.add((t0 + 23_000) + " m-" + d
                            + " warm raised value=60.0 threshold=50.0 factory/it-plant/motor temp warning");
                }
                await().atMost(Duration.ofMinutes(1))
                        .until(() -> AlertsJobRuns.kafkaTransitions(kafka.bootstrapServers(), "telemetry.alerts")
                                        .size()
                                >= DEVICES);
                assertThat(AlertsJobRuns.kafkaTransitions(kafka.bootstrapServers(), "telemetry.alerts"))
                        .as("the new rule, while the MQTT broker is away")
                        .containsExactlyInAnyOrderElementsOf(raised);
                assertThat(AlertsJobRuns.influxTransitions(influx, "opsit"))
                        .containsExactlyInAnyOrderElementsOf(raised);
                assertThat(viaMqtt).isEmpty();

                mosquitto.start();
                await().atMost(Duration.ofMinutes(1)).until(() -> viaMqtt.size() >= DEVICES);
                assertThat(new TreeSet<>(viaMqtt))
                        .as("MQTT copies once the broker is back")
                        .containsExactlyInAnyOrderElementsOf(raised);

            } finally {
                job.cancel().get();
                AlertsJobRuns.closeQuietly(subscriber);
            }
        }
    }

    @Test
    void shouldMarkASilentFleetOfflineByTheIdleAdvanceAndADeviceOnlineWithItsNextReading() throws Exception {
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        try (KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local))) {
            kafka.start();
            influx.start();
            kafka.createTopic("telemetry.readings", 2);
            kafka.ensurePipelineTopics(); // the alerts job requires telemetry.alerts and telemetry.rules
            influx.createDatabase("silentit");
            AlertsJobRuns.produce(kafka.bootstrapServers(), temperatures(0, 20, 60));
            JobClient job = AlertsJobRuns.start(
                    kafka,
                    influx,
                    "none",
                    tmp.resolve("checkpoints"),
                    // Idle after 3 s: both source subtasks have read their partitions by then (an idle
                    // advance of one before the other has read would make the other's readings late).
                    Map.of("influx.database", "silentit", "alerts.out-of-orderness", "1s", "alerts.idle-after", "3s"),
                    r -> r);
            try {
                // Silence after 19 s: offline 3 intervals (1 s) later, by the idle advance of event time.
                await().atMost(Duration.ofMinutes(1))
                        .untilAsserted(() -> assertThat(AlertsJobRuns.statuses(influx, "silentit"))
                                .hasSize(DEVICES)
                                .allSatisfy(
                                        (device, points) -> assertThat(points).hasSizeGreaterThanOrEqualTo(2)));
                for (int d = 1; d <= DEVICES; d++) {
                    assertThat(AlertsJobRuns.statuses(influx, "silentit").get("m-" + d))
                            .containsExactly(
                                    "online@" + t0 + "(" + t0 + ")",
                                    "offline@" + (t0 + 22_000) + "(" + (t0 + 19_000) + ")");
                }

                Reading back = new Reading(
                        "factory",
                        "it-plant",
                        "motor",
                        "m-1",
                        t0 + 60_000,
                        60,
                        t0 + 60_000,
                        new String[] {"temp"},
                        new double[] {30});
                AlertsJobRuns.produce(kafka.bootstrapServers(), List.of(new TimedReading(back.ts(), back)));
                await().atMost(Duration.ofMinutes(1))
                        .until(() -> AlertsJobRuns.statuses(influx, "silentit")
                                        .get("m-1")
                                        .size()
                                >= 3);
                assertThat(AlertsJobRuns.statuses(influx, "silentit").get("m-1").get(2))
                        .isEqualTo("online@" + (t0 + 60_000) + "(" + (t0 + 60_000) + ")");
                assertThat(AlertsJobRuns.statuses(influx, "silentit").get("m-2"))
                        .as("the others stay offline")
                        .hasSize(2);
            } finally {
                job.cancel().get();
            }
        }
    }

    /** A subscriber whose session (and the QoS 1 messages queued for it) outlives a broker restart. */
    private static MqttClient persistentSubscriber(String url, List<String> into) throws Exception {
        MqttClient client = new MqttClient(url, "alerts-ops-subscriber", new MemoryPersistence());
        client.setCallback(io.twinstream.simulator.publish.MqttCallbackAdapter.onMessage(
                (topic, message) -> into.add(AlertsJobRuns.key(message.getPayload()))));
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(600L);
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, 2);
        client.connect(options);
        client.subscribe("alerts/#", 1);
        return client;
    }
}
