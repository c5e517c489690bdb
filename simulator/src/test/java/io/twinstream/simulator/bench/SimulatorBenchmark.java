package io.twinstream.simulator.bench;

import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.simulator.publish.MqttCallbackAdapter;
import io.twinstream.simulator.publish.MqttPublisher;
import io.twinstream.simulator.publish.NoDelaySocketFactory;
import io.twinstream.simulator.scenario.ScenarioParser;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.SimMessage;
import io.twinstream.simulator.stream.StreamObserver;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Figures for the simulator's goals, against a local Mosquitto with a null subscriber:
 * <ul>
 *   <li>{@code throughput}: the simulator publishing a scenario at full speed, against a minimal
 *       Paho publisher sending the same messages pre-built over the same connections (goal ≥ 90 %);</li>
 *   <li>{@code million}: 1,000,000 devices in gateway mode from one process (goal: within a 4 GiB heap);</li>
 *   <li>{@code connections}: 10,000 concurrent per-device MQTT connections.</li>
 * </ul>
 * Not a test: run with {@code infra/bin/bench-simulator [throughput|million|connections|all]}.
 */
public final class SimulatorBenchmark {

    private SimulatorBenchmark() {}

    public static void main(String[] args) throws Exception {
        List<String> parts = args.length == 0 || args[0].equals("all")
                ? List.of("throughput", "million", "connections")
                : Arrays.asList(args);
        System.out.printf(
                "simulator benchmark: %d cores, max heap %d MiB, Java %s%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"));
        Path runDir = Files.createTempDirectory("twinstream-bench");
        try (MosquittoProcess broker = new MosquittoProcess(MosquittoProcess.Options.defaults()
                .withPort(0)
                .withLocal(LocalOptions.defaults().withRunDirParent(runDir)))) {
            broker.start();
            for (String part : parts) {
                switch (part) {
                    case "throughput" -> throughput(broker);
                    case "million" -> million(broker);
                    case "connections" -> connections(broker);
                    default ->
                        throw new IllegalArgumentException(
                                "unknown part " + part + " (throughput|million|connections|all)");
                }
            }
        }
        System.exit(0);
    }

    private static DeviceFleet fleet(String yaml) {
        return new DeviceFleet(ScenarioParser.parse("bench.yaml", yaml).startingNow(), 1);
    }

    /** Same messages, same connections, same in-flight bound: the simulator against pre-built payloads. */
    private static void throughput(MosquittoProcess broker) throws Exception {
        for (int qos : new int[] {1, 0}) {
            DeviceFleet fleet = fleet(String.join(
                    "\n",
                    "name: bench",
                    "seed: 1",
                    "duration: 100s",
                    "speed: max",
                    "publish: { qos: " + qos + ", connections: gateway, devicesPerGateway: 500, maxInFlight: 20 }",
                    "sites:",
                    "  - name: bench-city",
                    "    domain: city",
                    "    devices:",
                    "      air-quality: { count: 2000, interval: 1s, format: json }"));
            List<SimMessage> prebuilt = new ArrayList<>();
            long generating = System.nanoTime();
            MessageGenerator generator = new MessageGenerator(fleet, StreamObserver.NONE);
            for (SimMessage m = generator.next(); m != null; m = generator.next()) {
                prebuilt.add(m);
            }
            double generatorAlone = prebuilt.size() / ((System.nanoTime() - generating) / 1e9);
            long bytes = prebuilt.stream().mapToLong(m -> m.payload().length).sum();
            System.out.printf(
                    "%nthroughput, QoS %d: %d messages of %d B on average over %d connections, null subscriber;"
                            + " the generator alone writes %,.0f msg/s%n",
                    qos, prebuilt.size(), bytes / prebuilt.size(), fleet.connectionCount(), generatorAlone);
            try (NullSubscriber subscriber = new NullSubscriber(broker.url())) {
                minimalPublisher(broker.url(), prebuilt, fleet.connectionCount(), qos); // warm-up, not counted
                simulatorPublisher(broker.url(), fleet);
                List<Double> ratios = new ArrayList<>();
                for (int round = 1; round <= 5; round++) {
                    double b = minimalPublisher(broker.url(), prebuilt, fleet.connectionCount(), qos);
                    double s = simulatorPublisher(broker.url(), fleet);
                    ratios.add(s / b);
                    System.out.printf(
                            "  round %d: minimal Paho publisher %,.0f msg/s, simulator %,.0f msg/s (%.0f %%)%n",
                            round, b, s, 100 * s / b);
                }
                System.out.printf(
                        "  median of 5 rounds: simulator at %.0f %% of the minimal publisher (goal >= 90 %%);"
                                + " subscriber received %,d%n",
                        100 * median(ratios), subscriber.received.sum());
            }
        }
    }

    private static double minimalPublisher(String url, List<SimMessage> messages, int connections, int qos)
            throws Exception {
        MqttAsyncClient[] clients = new MqttAsyncClient[connections];
        Semaphore[] inFlight = new Semaphore[connections];
        for (int c = 0; c < connections; c++) {
            clients[c] = new MqttAsyncClient(url, "baseline-" + c, new MemoryPersistence());
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setSocketFactory(new NoDelaySocketFactory());
            clients[c].connect(options).waitForCompletion();
            inFlight[c] = new Semaphore(20);
        }
        long start = System.nanoTime();
        for (SimMessage m : messages) {
            Semaphore permits = inFlight[m.connection()];
            permits.acquire();
            clients[m.connection()].publish(m.topic(), m.payload(), qos, false, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    permits.release();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    permits.release();
                }
            });
        }
        for (Semaphore s : inFlight) {
            s.acquire(20);
        }
        double rate = messages.size() / ((System.nanoTime() - start) / 1e9);
        for (MqttAsyncClient client : clients) {
            client.disconnect().waitForCompletion();
            client.close();
        }
        return rate;
    }

    private static double simulatorPublisher(String url, DeviceFleet fleet) throws Exception {
        MqttPublisher publisher = new MqttPublisher(fleet, new MqttPublisher.Settings(url, null, null, 0, true));
        publisher.connectAll();
        long before = publisher.stats().messages();
        long start = System.nanoTime();
        publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
        publisher.drainAll();
        double rate = (publisher.stats().messages() - before) / ((System.nanoTime() - start) / 1e9);
        publisher.close();
        return rate;
    }

    /** A million devices (smart meters every 15 min, batched by 200 gateways) from one process. */
    private static void million(MosquittoProcess broker) throws Exception {
        System.gc();
        long heapBefore = usedHeap();
        long t0 = System.nanoTime();
        DeviceFleet fleet = fleet(String.join(
                "\n",
                "name: million",
                "seed: 1",
                "duration: 20m",
                "speed: max",
                "publish: { qos: 1, connections: gateway, devicesPerGateway: 5000, batchSize: 100 }",
                "sites:",
                "  - name: metro",
                "    domain: city",
                "    devices:",
                "      electricity-meter: { count: 600000, interval: 15m, format: batch }",
                "      water-meter: { count: 300000, interval: 15m, format: batch }",
                "      heat-meter: { count: 100000, interval: 15m, format: batch }"));
        MessageGenerator generator = new MessageGenerator(fleet, StreamObserver.NONE);
        double setup = (System.nanoTime() - t0) / 1e9;
        System.gc();
        long heapFleet = usedHeap() - heapBefore;
        System.out.printf(
                "%nmillion: %,d devices on %d gateway connections: fleet and generator built in %.1f s, %,d MiB of heap%n",
                fleet.size(), fleet.connectionCount(), setup, heapFleet >> 20);
        MqttPublisher publisher =
                new MqttPublisher(fleet, new MqttPublisher.Settings(broker.url(), null, null, 0, true));
        publisher.connectAll();
        long start = System.nanoTime();
        publisher.run(generator);
        publisher.drainAll();
        double seconds = (System.nanoTime() - start) / 1e9;
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed())
                .sum();
        System.out.printf(
                "million: 20 simulated minutes, %,d readings in %,d messages in %.1f s: %,.0f readings/s; "
                        + "heap peak %,d MiB of %,d MiB max (goal: within 4 GiB)%n",
                publisher.stats().readings(),
                publisher.stats().messages(),
                seconds,
                publisher.stats().readings() / seconds,
                peak >> 20,
                Runtime.getRuntime().maxMemory() >> 20);
        publisher.close();
    }

    /** Ten thousand devices, each its own MQTT connection with a Last Will. */
    private static void connections(MosquittoProcess broker) throws Exception {
        int devices = 10_000;
        DeviceFleet fleet = fleet(String.join(
                "\n",
                "name: connections",
                "seed: 1",
                "duration: 2m",
                "speed: max",
                "publish: { qos: 1, connections: device }",
                "sites:",
                "  - name: district",
                "    domain: city",
                "    devices:",
                "      parking: { count: " + devices + ", interval: 1m, format: json }"));
        MqttPublisher publisher =
                new MqttPublisher(fleet, new MqttPublisher.Settings(broker.url(), null, null, 0, true));
        long t0 = System.nanoTime();
        publisher.connectAll();
        double connect = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                "%nconnections: %,d of %,d device connections up after %.1f s; JVM threads %,d%n",
                publisher.stats().connected(), devices, connect, Thread.activeCount());
        long start = System.nanoTime();
        publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
        publisher.drainAll();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "connections: %,d messages over %,d concurrent connections in %.1f s (%,.0f msg/s); "
                        + "still connected %,d; %d errors (goal: >= 10,000 concurrent)%n",
                publisher.stats().messages(),
                devices,
                seconds,
                publisher.stats().messages() / seconds,
                publisher.stats().connected(),
                publisher.stats().errors());
        long closing = System.nanoTime();
        publisher.close();
        System.out.printf("connections: closed in %.1f s%n", (System.nanoTime() - closing) / 1e9);
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }

    /** Subscribes to everything under telemetry/ and only counts. */
    private static final class NullSubscriber implements AutoCloseable {
        final LongAdder received = new LongAdder();
        private final MqttClient client;

        NullSubscriber(String url) throws MqttException {
            client = new MqttClient(url, "null-subscriber", new MemoryPersistence());
            client.setCallback(MqttCallbackAdapter.onMessage((topic, message) -> received.increment()));
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setSocketFactory(new NoDelaySocketFactory());
            client.connect(options);
            client.subscribe("telemetry/#", 0);
        }

        @Override
        public void close() throws MqttException {
            client.disconnect();
            client.close();
        }
    }
}
