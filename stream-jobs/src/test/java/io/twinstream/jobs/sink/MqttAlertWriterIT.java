package io.twinstream.jobs.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.jobs.alerts.AlertTransition;
import io.twinstream.simulator.publish.MqttCallbackAdapter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MQTT alert writer against a real Mosquitto: topics and payloads; the broker stopped while
 * alerts come (nothing blocks, the checkpoint state holds them, they are published once it is
 * back); a writer restored from that state publishes them; an unreachable broker with too many
 * pending messages fails the write after the retry time.
 */
class MqttAlertWriterIT {

    @TempDir
    Path tmp;

    /** Runs the writer's ticks when the test says so, on the test's thread (as the task's mailbox would). */
    private static final class ManualTime implements ProcessingTimeService {
        private final List<ProcessingTimeCallback> due = new ArrayList<>();

        @Override
        public long getCurrentProcessingTime() {
            return System.currentTimeMillis();
        }

        @Override
        public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback callback) {
            due.add(callback);
            return null;
        }

        void tick() throws Exception {
            List<ProcessingTimeCallback> now = new ArrayList<>(due);
            due.clear();
            for (ProcessingTimeCallback callback : now) {
                callback.onProcessingTime(System.currentTimeMillis());
            }
        }
    }

    private static AlertTransition alert(String device, long ts) {
        return new AlertTransition(
                "hot",
                "critical",
                AlertTransition.State.RAISED,
                "factory",
                "plant-1",
                "cnc",
                device,
                "spindle_temp",
                ts,
                91.5,
                80,
                "cnc " + device + " hot");
    }

    private static MqttAlertSink.Settings settings(String url, Duration retryFor, int maxPending) {
        return new MqttAlertSink.Settings(url, null, null, "writer-it", 1, retryFor, maxPending);
    }

    private static MqttClient subscriber(String url, List<String> into) throws Exception {
        MqttClient client = new MqttClient(url, "writer-it-subscriber", new MemoryPersistence());
        client.setCallback(MqttCallbackAdapter.onMessage(
                (topic, message) -> into.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8))));
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(600L);
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, 1);
        client.connect(options);
        client.subscribe("alerts/#", 1);
        return client;
    }

    private static void closeQuietly(MqttClient client) {
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(1000);
            }
            client.close(true);
        } catch (Exception e) {
            // the test's own result counts
        }
    }

    @Test
    void shouldKeepAlertsWhileTheBrokerIsAwayAndPublishThemWhenItIsBack() throws Exception {
        try (MosquittoProcess mosquitto = new MosquittoProcess(MosquittoProcess.Options.defaults()
                .withLocal(LocalOptions.defaults().withRunDirParent(tmp)))) {
            mosquitto.start();
            List<String> received = new CopyOnWriteArrayList<>();
            MqttClient subscriber = subscriber(mosquitto.url(), received);
            ManualTime time = new ManualTime();
            MqttAlertWriter writer =
                    new MqttAlertWriter(settings(mosquitto.url(), Duration.ofSeconds(30), 1000), 0, time, List.of());
            try {
                writer.write(alert("cnc-1", 1000), null);
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    time.tick();
                    return writer.pendingCount() == 0;
                });
                await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
                assertThat(received.get(0))
                        .startsWith("alerts/factory/plant-1/cnc-1 {\"type\":\"alert\",\"rule\":\"hot\"")
                        .contains("\"state\":\"raised\"")
                        .contains("\"ts\":1000")
                        .contains("\"value\":91.5");

                mosquitto.stop();
                long before = System.nanoTime();
                for (int i = 2; i <= 30; i++) {
                    writer.write(alert("cnc-" + i, 1000), null);
                    time.tick();
                }
                writer.flush(false);
                assertThat(Duration.ofNanos(System.nanoTime() - before))
                        .as("a missing broker does not block")
                        .isLessThan(Duration.ofSeconds(5));
                assertThat(writer.snapshotState(1))
                        .as("checkpointed until acknowledged")
                        .hasSize(29);

                mosquitto.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    time.tick();
                    return writer.pendingCount() == 0;
                });
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> received.stream()
                                        .map(r -> r.split(" ")[0])
                                        .distinct()
                                        .count()
                                == 30);
            } finally {
                writer.close();
                closeQuietly(subscriber);
            }
        }
    }

    @Test
    void shouldPublishWhatARestoredWriterGetsFromTheCheckpoint() throws Exception {
        try (MosquittoProcess mosquitto = new MosquittoProcess(MosquittoProcess.Options.defaults()
                .withLocal(LocalOptions.defaults().withRunDirParent(tmp)))) {
            mosquitto.start();
            List<String> received = new CopyOnWriteArrayList<>();
            MqttClient subscriber = subscriber(mosquitto.url(), received);
            MqttAlertSink.PendingAlertSerializer serializer = new MqttAlertSink.PendingAlertSerializer();
            MqttAlertSink.PendingAlert saved = serializer.deserialize(
                    1,
                    serializer.serialize(new MqttAlertSink.PendingAlert(
                            "alerts/city/mitte/aq-1", "{\"restored\":true}".getBytes(StandardCharsets.UTF_8))));
            ManualTime time = new ManualTime();
            MqttAlertWriter writer = new MqttAlertWriter(
                    settings(mosquitto.url(), Duration.ofSeconds(30), 1000), 0, time, List.of(saved));
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    time.tick();
                    return !received.isEmpty();
                });
                assertThat(received).containsExactly("alerts/city/mitte/aq-1 {\"restored\":true}");
            } finally {
                writer.close();
                closeQuietly(subscriber);
            }
        }
    }

    @Test
    void shouldFailTheWriteWhenTooManyWaitForLongerThanTheRetryTime() throws Exception {
        ManualTime time = new ManualTime();
        int unusedPort = io.twinstream.infra.stack.local.FreePorts.pick();
        MqttAlertWriter writer = new MqttAlertWriter(
                settings("tcp://127.0.0.1:" + unusedPort, Duration.ofSeconds(2), 3), 0, time, List.of());
        try {
            writer.write(alert("cnc-1", 1), null);
            writer.write(alert("cnc-2", 2), null);
            assertThatThrownBy(() -> writer.write(alert("cnc-3", 3), null))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("more than 3 alert messages wait for the broker")
                    .hasMessageContaining("the job restarts from its last checkpoint");
            assertThat(writer.snapshotState(1)).hasSize(3);
        } finally {
            writer.close();
        }
    }
}
