package io.twinstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.simulator.publish.MqttCallbackAdapter;
import io.twinstream.simulator.publish.MqttPublisher;
import io.twinstream.simulator.scenario.ScenarioParser;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.SimMessage;
import io.twinstream.simulator.stream.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publisher rides out a broker restart and a reconnect storm without losing a QoS 1 message. */
class PublisherFailuresIT {

    @TempDir
    Path tmp;

    private static DeviceFleet fleet(String connections, int devices, String duration, String speed) {
        return new DeviceFleet(
                ScenarioParser.parse(
                                "failures.yaml",
                                String.join(
                                        "\n",
                                        "name: failures",
                                        "seed: 5",
                                        "duration: " + duration,
                                        "speed: " + speed,
                                        "publish: { qos: 1, connections: " + connections + ", devicesPerGateway: 10 }",
                                        "sites:",
                                        "  - name: f-site",
                                        "    domain: city",
                                        "    devices:",
                                        "      noise: { count: " + devices + ", interval: 1s }"))
                        .startingNow(),
                1);
    }

    @Test
    void shouldDeliverEveryQos1MessageAcrossABrokerRestart() throws Exception {
        DeviceFleet fleet = fleet("gateway", 20, "40s", "4"); // 800 readings over about 10 s of wall time
        Set<String> expected = new HashSet<>();
        MessageGenerator reference = new MessageGenerator(fleet, StreamObserver.NONE);
        for (SimMessage m = reference.next(); m != null; m = reference.next()) {
            expected.add(m.topic() + " " + new String(m.payload(), StandardCharsets.UTF_8));
        }
        try (MosquittoProcess broker = new MosquittoProcess(MosquittoProcess.Options.defaults()
                .withLocal(LocalOptions.defaults().withRunDirParent(tmp)))) {
            broker.start();
            Set<String> received = ConcurrentHashMap.newKeySet();
            MqttClient subscriber = persistentSubscriber(broker.url(), received);
            ExecutorService runner = Executors.newSingleThreadExecutor();
            MqttPublisher publisher =
                    new MqttPublisher(fleet, new MqttPublisher.Settings(broker.url(), null, null, 4, true));
            try {
                publisher.connectAll();
                Future<?> run = runner.submit(() -> {
                    publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
                    return null;
                });
                await().atMost(Duration.ofSeconds(20)).until(() -> received.size() > 200);
                broker.restart(); // graceful: sessions and queued messages are kept on disk

                run.get();
                await().atMost(Duration.ofSeconds(60))
                        .untilAsserted(() -> assertThat(received).containsAll(expected));
                assertThat(publisher.stats().reconnects())
                        .as("every gateway reconnected by itself")
                        .isPositive();
            } finally {
                publisher.close();
                runner.shutdownNow();
                subscriber.disconnect();
                subscriber.close();
            }
        }
    }

    @Test
    void shouldReconnectEveryDeviceAfterAStormWithAndWithoutJitter() throws Exception {
        for (boolean jitter : new boolean[] {true, false}) {
            DeviceFleet fleet = fleet("device", 200, "5s", "max");
            try (MosquittoProcess broker = new MosquittoProcess(MosquittoProcess.Options.defaults()
                    .withLocal(LocalOptions.defaults().withRunDirParent(tmp)))) {
                broker.start();
                MqttPublisher publisher =
                        new MqttPublisher(fleet, new MqttPublisher.Settings(broker.url(), null, null, 0, jitter));
                try {
                    publisher.connectAll();
                    publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
                    long millis = publisher.reconnectStorm();

                    assertThat(publisher.stats().connected())
                            .as("jitter %s", jitter)
                            .isEqualTo(200);
                    assertThat(millis).isLessThan(60_000);
                } finally {
                    publisher.close();
                }
                assertThat(publisher.stats().errors()).isZero();
            }
        }
    }

    /**
     * With retry-unrouted, what the broker acknowledges as "no matching subscribers" is published
     * again until someone subscribes: nothing is lost to the gap after a broker restart, before
     * the ingest group is subscribed again (Mosquitto does not keep shared subscriptions).
     */
    @Test
    void shouldPublishUnroutedMessagesAgainUntilSomeoneSubscribes() throws Exception {
        DeviceFleet fleet = fleet("gateway", 10, "10s", "max"); // 100 readings
        Set<String> expected = new HashSet<>();
        MessageGenerator reference = new MessageGenerator(fleet, StreamObserver.NONE);
        for (SimMessage m = reference.next(); m != null; m = reference.next()) {
            if (m.topic().startsWith("telemetry/")) {
                expected.add(m.topic() + " " + new String(m.payload(), StandardCharsets.UTF_8));
            }
        }
        try (MosquittoProcess broker = new MosquittoProcess(MosquittoProcess.Options.defaults()
                .withLocal(LocalOptions.defaults().withRunDirParent(tmp)))) {
            broker.start();
            ExecutorService runner = Executors.newSingleThreadExecutor();
            MqttPublisher publisher = new MqttPublisher(
                    fleet, new MqttPublisher.Settings(broker.url(), null, null, 0, true).withRetryUnrouted(true));
            MqttClient subscriber = null;
            try {
                publisher.connectAll();
                Future<?> run = runner.submit(() -> {
                    publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
                    return null;
                });
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> publisher.stats().unrouted() >= 10);
                assertThat(run).as("held back while nobody subscribes").isNotDone();

                Set<String> received = ConcurrentHashMap.newKeySet();
                subscriber = persistentSubscriber(broker.url(), received);
                run.get();
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(received).containsAll(expected));
                assertThat(publisher.stats().errors()).isZero();
            } finally {
                publisher.close();
                runner.shutdownNow();
                if (subscriber != null) {
                    subscriber.disconnect();
                    subscriber.close();
                }
            }
        }
    }

    /** A subscriber whose session (and queued messages) survives the broker's restart. */
    private static MqttClient persistentSubscriber(String url, Set<String> received) throws MqttException {
        MqttClient client = new MqttClient(url, "failures-subscriber", new MemoryPersistence());
        client.setCallback(MqttCallbackAdapter.onMessage((topic, message) ->
                received.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8))));
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(600L);
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, 2);
        client.connect(options);
        client.subscribe("telemetry/#", 1);
        return client;
    }
}
