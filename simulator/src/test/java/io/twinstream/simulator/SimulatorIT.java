package io.twinstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.MqttBroker;
import io.twinstream.infra.stack.junit.ServiceStackExtension;
import io.twinstream.simulator.publish.MqttCallbackAdapter;
import io.twinstream.simulator.publish.MqttPublisher;
import io.twinstream.simulator.scenario.ScenarioParser;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.SimMessage;
import io.twinstream.simulator.stream.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Against the real Mosquitto: a subscriber receives exactly the scenario's stream. */
@ExtendWith(ServiceStackExtension.class)
class SimulatorIT {

    private static String scenario(String name, String connections, String faults) {
        return String.join(
                "\n",
                "name: " + name,
                "seed: 99",
                "duration: " + (connections.equals("device") ? "15m" : "3m"),
                "speed: max",
                "publish: { qos: 1, connections: " + connections + ", devicesPerGateway: 4, batchSize: 3 }",
                "sites:",
                "  - name: " + name + "-site",
                "    domain: city",
                "    devices:",
                "      air-quality: { count: 3, interval: 2s, format: json }",
                "      noise: { count: 2, interval: 3s, format: senml }",
                "      parking: { count: 2, interval: 5s, format: senml-draft }",
                connections.equals("gateway")
                        ? "      electricity-meter: { count: 4, interval: 5s, format: batch }"
                        : "",
                "faults: " + faults);
    }

    @Test
    void shouldDeliverExactlyTheScenarioStreamThroughGateways(MqttBroker broker) throws Exception {
        DeviceFleet fleet = new DeviceFleet(
                ScenarioParser.parse(
                                "it.yaml",
                                scenario(
                                        "gw",
                                        "gateway",
                                        "{ duplicate: 0.05, outOfOrder: 0.05, late: 0.01, lateDelay: 30s, malformed: 0.03, offline: 20, clockSkew: 1s }"))
                        .startingNow(),
                1);
        Counting counting = new Counting();
        List<SimMessage> expected = new ArrayList<>();
        MessageGenerator reference = new MessageGenerator(fleet, counting);
        for (SimMessage m = reference.next(); m != null; m = reference.next()) {
            expected.add(m);
        }

        try (Subscriber subscriber = Subscriber.connect(broker, "telemetry/+/gw-site/#", "devices/#")) {
            publish(broker, fleet);
            // Telemetry plus status, plus each gateway's own online and (clean) offline.
            int total = expected.size() + 2 * fleet.gatewayCount();
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(subscriber.received.size())
                            .as("messages received")
                            .isGreaterThanOrEqualTo(total));
            Thread.sleep(500); // nothing more may come
            assertThat(subscriber.received).hasSize(total);

            Map<String, List<String>> byTopicExpected = byTopic(expected.stream()
                    .map(m -> new String[] {m.topic(), text(m.payload())})
                    .toList());
            Map<String, List<String>> byTopicReceived = byTopic(subscriber.received.stream()
                    .filter(r -> !r[0].startsWith("devices/gw-"))
                    .toList());
            assertThat(byTopicReceived.keySet()).isEqualTo(byTopicExpected.keySet());
            byTopicExpected.forEach((topic, payloads) -> assertThat(byTopicReceived.get(topic))
                    .as("in order on %s", topic)
                    .containsExactlyElementsOf(payloads));
        }
        assertThat(counting.duplicates).isPositive();
        assertThat(counting.malformed).isPositive();
        assertThat(counting.statusChanges).isPositive();
        assertThat(expected)
                .filteredOn(m -> m.kind() == SimMessage.Kind.DUPLICATE)
                .hasSizeGreaterThan(0);
    }

    @Test
    void shouldLetTheBrokerAnnounceADroppedDeviceThroughItsLastWill(MqttBroker broker) throws Exception {
        DeviceFleet fleet = new DeviceFleet(
                ScenarioParser.parse("it.yaml", scenario("dev", "device", "{ offline: 20, duplicate: 0.02 }"))
                        .startingNow(),
                1);
        List<SimMessage> expected = new ArrayList<>();
        MessageGenerator reference = new MessageGenerator(fleet, StreamObserver.NONE);
        for (SimMessage m = reference.next(); m != null; m = reference.next()) {
            expected.add(m);
        }
        long wills = expected.stream()
                .filter(m -> m.kind() == SimMessage.Kind.LAST_WILL)
                .count();
        assertThat(wills).as("the scenario takes devices offline").isPositive();

        try (Subscriber subscriber = Subscriber.connect(broker, "telemetry/+/dev-site/#", "devices/+/status")) {
            publish(broker, fleet);
            long telemetry = expected.stream()
                    .filter(m -> m.topic().startsWith("telemetry/"))
                    .count();
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(subscriber.received.stream()
                                    .filter(r -> r[0].startsWith("telemetry/"))
                                    .count())
                            .as("telemetry received")
                            .isGreaterThanOrEqualTo(telemetry));

            // Each drop gives the broker's Will; each device still online at the end says offline when it stops.
            Map<String, SimMessage.Kind> lastStatus = new HashMap<>();
            expected.stream()
                    .filter(m -> m.topic().startsWith("devices/"))
                    .forEach(m -> lastStatus.put(m.topic(), m.kind()));
            long offlineAtEnd = lastStatus.values().stream()
                    .filter(k -> k == SimMessage.Kind.LAST_WILL)
                    .count();
            long comebacks = expected.stream()
                    .filter(m -> m.kind() == SimMessage.Kind.STATUS)
                    .count();
            long offlines = wills + fleet.size() - offlineAtEnd;
            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(subscriber.received)
                            .filteredOn(r -> r[0].startsWith("devices/") && r[1].equals("offline"))
                            .hasSize((int) offlines));
            Thread.sleep(500); // nothing more may come
            Map<String, List<String>> status = byTopic(subscriber.received.stream()
                    .filter(r -> r[0].startsWith("devices/"))
                    .toList());
            List<String> states = status.values().stream().flatMap(List::stream).toList();
            assertThat(states).filteredOn("offline"::equals).hasSize((int) offlines);
            assertThat(states).filteredOn("online"::equals).hasSize((int) (fleet.size() + comebacks));
            assertThat(status.values()).allSatisfy(s -> {
                assertThat(s.get(0)).isEqualTo("online");
                assertThat(s.get(s.size() - 1)).isEqualTo("offline");
            });
            Map<String, List<String>> telemetryExpected = byTopic(expected.stream()
                    .filter(m -> m.topic().startsWith("telemetry/"))
                    .map(m -> new String[] {m.topic(), text(m.payload())})
                    .toList());
            Map<String, List<String>> telemetryReceived = byTopic(subscriber.received.stream()
                    .filter(r -> r[0].startsWith("telemetry/"))
                    .toList());
            telemetryExpected.forEach((topic, payloads) ->
                    assertThat(telemetryReceived.get(topic)).as(topic).containsExactlyInAnyOrderElementsOf(payloads));
        }
    }

    private static void publish(MqttBroker broker, DeviceFleet fleet) throws Exception {
        MqttPublisher publisher =
                new MqttPublisher(fleet, new MqttPublisher.Settings(broker.url(), null, null, 0, true));
        try {
            publisher.connectAll();
            publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
        } finally {
            publisher.close();
        }
        assertThat(publisher.stats().errors()).isZero();
        assertThat(publisher.stats().acknowledged()).isEqualTo(publisher.stats().messages());
    }

    private static Map<String, List<String>> byTopic(List<String[]> messages) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String[] m : messages) {
            out.computeIfAbsent(m[0], k -> new ArrayList<>()).add(m[1]);
        }
        return out;
    }

    private static String text(byte[] payload) {
        return new String(payload, StandardCharsets.ISO_8859_1); // byte-exact, also for binary junk
    }

    private static final class Counting implements StreamObserver {
        int duplicates;
        int malformed;
        int statusChanges;
        final Map<Integer, Integer> readings = new HashMap<>();

        @Override
        public void reading(int device, long seq, long ts, double[] values, boolean late, long delayMillis) {
            readings.merge(device, 1, Integer::sum);
        }

        @Override
        public void duplicate(int device, long seq) {
            duplicates++;
        }

        @Override
        public void malformed(int device) {
            malformed++;
        }

        @Override
        public void status(int device, long ts, boolean online) {
            statusChanges++;
        }
    }

    /** A QoS 1 subscriber collecting (topic, payload) in arrival order. */
    private static final class Subscriber implements AutoCloseable {
        final List<String[]> received = new CopyOnWriteArrayList<>();
        private final MqttClient client;

        private Subscriber(MqttClient client) {
            this.client = client;
        }

        static Subscriber connect(MqttBroker broker, String... filters) throws MqttException {
            MqttClient client =
                    new MqttClient(broker.url(), "it-subscriber-" + System.nanoTime(), new MemoryPersistence());
            Subscriber subscriber = new Subscriber(client);
            client.setCallback(MqttCallbackAdapter.onMessage((topic, message) -> {
                if (!message.isRetained()) { // retained: left by an earlier test on the shared broker
                    subscriber.received.add(new String[] {topic, text(message.getPayload())});
                }
            }));
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            client.connect(options);
            MqttSubscription[] subscriptions = new MqttSubscription[filters.length];
            for (int i = 0; i < filters.length; i++) {
                subscriptions[i] = new MqttSubscription(filters[i], 1);
            }
            client.subscribe(subscriptions);
            return subscriber;
        }

        @Override
        public void close() throws MqttException {
            client.disconnect();
            client.close();
        }
    }
}
