package io.twinstream.ingest.bench;

import io.twinstream.infra.stack.local.FreePorts;
import io.twinstream.infra.stack.local.GuardedProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.LocalService;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.infra.stack.local.ProcessUsage;
import io.twinstream.ingest.IngestMain;
import io.twinstream.ingest.config.IngestConfig;
import io.twinstream.simulator.publish.MqttCallbackAdapter;
import io.twinstream.simulator.scenario.ScenarioParser;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.SimMessage;
import io.twinstream.simulator.stream.StreamObserver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * The ingest bridge's throughput against a null subscriber, on one machine, in one run:
 * <ol>
 *   <li>the same pre-built QoS 1 messages are published by the same minimal publisher (Paho, 8
 *       connections, as many in flight as the broker allows, Mosquitto: 20) to the local Mosquitto,
 *       twice: once to a <em>null
 *       subscriber</em> (2 connections in a shared subscription, receive maximum 1000, acknowledges
 *       each message as it arrives and does nothing else), once to the <em>bridge</em> (its own
 *       process, with its default connections, receive maximum 1000), which writes every reading to Kafka and
 *       acknowledges only after Kafka has it;</li>
 *   <li>the rate is messages (and readings) received, from the first message to the last;</li>
 *   <li>zero loss is checked, not assumed: the readings topic must hold exactly the readings sent;</li>
 *   <li>the bridge's heap in use and resident memory are sampled from its /metrics every 200 ms,
 *       and its peak RSS read from /proc/&lt;pid&gt;/status (VmHWM).</li>
 * </ol>
 * Two loads: one reading per JSON message, and gateway batches of 50 readings per message. CPU
 * per process is printed for both runs, and the bridge's CPU per message: on a machine where all
 * of them share two cores, that is the steadier figure.
 * Not a test: run with {@code infra/bin/bench-ingest [single|batch|all]}.
 */
public final class IngestBenchmark {

    private static final int PUBLISH_CONNECTIONS = 8;
    private static final int PUBLISH_IN_FLIGHT = 100;
    /** The null subscriber's connections; the bridge runs with its default ({@code mqtt.connections}). */
    private static final int SUBSCRIBE_CONNECTIONS = 2;

    private static final int RECEIVE_MAXIMUM = 1000;

    private IngestBenchmark() {}

    private record Load(String name, List<SimMessage> messages, long readings) {}

    public static void main(String[] args) throws Exception {
        List<String> parts =
                args.length == 0 || args[0].equals("all") ? List.of("single", "batch") : Arrays.asList(args);
        System.out.printf(
                "ingest benchmark: %d cores, Java %s; Mosquitto, Kafka, publisher, subscriber and bridge on this machine%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        Path runDir = Files.createTempDirectory("twinstream-bench-ingest");
        LocalOptions local = LocalOptions.defaults().withRunDirParent(runDir);
        try (MosquittoProcess mqtt =
                        new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(local));
                KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local))) {
            mqtt.start();
            kafka.start();
            int round = 0;
            for (String part : parts) {
                Load load = switch (part) {
                    case "single" -> load("single", "json", 1, 300, 1000); // 300,000 messages of 1 reading
                    case "batch" -> load("batch", "batch", 50, 600, 5000); // 60,000 messages of 50 readings
                    default -> throw new IllegalArgumentException("unknown part " + part + " (single|batch|all)");
                };
                System.out.printf(
                        "%n%s: %,d QoS 1 messages, %,d readings%n", load.name, load.messages.size(), load.readings);
                double nullRate = nullSubscriber(mqtt, load);
                String topic = "bench" + (++round) + ".readings";
                kafka.createTopic(topic, 3);
                kafka.createTopic("bench" + round + ".deadletter", 1);
                double bridgeRate = bridge(mqtt, kafka, load, topic, runDir);
                System.out.printf(
                        "%s: bridge / null subscriber = %.0f %% (goal >= 90 %%)%n",
                        load.name, 100 * bridgeRate / nullRate);
            }
        } finally {
            LocalService.deleteTree(runDir);
        }
        System.exit(0);
    }

    /** {@code seconds} simulated seconds of {@code devices} noise sensors reporting every second. */
    private static Load load(String name, String format, int batchSize, int seconds, int devices) {
        DeviceFleet fleet = new DeviceFleet(
                ScenarioParser.parse(
                        "bench.yaml",
                        String.join(
                                "\n",
                                "name: bench-" + name,
                                "seed: 11",
                                "duration: " + seconds + "s",
                                "speed: max",
                                "start: "
                                        + java.time.Instant.now()
                                                .minus(Duration.ofHours(2))
                                                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                                "publish: { qos: 1, connections: gateway, devicesPerGateway: "
                                        + Math.max(1, devices / 20) + ", batchSize: " + batchSize + " }",
                                "sites:",
                                "  - name: bench",
                                "    domain: city",
                                "    devices:",
                                "      noise: { count: " + devices + ", interval: 1s, format: " + format + " }")),
                1);
        List<SimMessage> messages = new ArrayList<>();
        long readings = 0;
        MessageGenerator generator = new MessageGenerator(fleet, StreamObserver.NONE);
        for (SimMessage m = generator.next(); m != null; m = generator.next()) {
            if (m.topic().startsWith("telemetry/")) {
                messages.add(m);
                readings += m.readings();
            }
        }
        return new Load(name, messages, readings);
    }

    /** Receive and acknowledge only: the most any subscriber can get from this broker and publisher. */
    private static double nullSubscriber(MosquittoProcess mqtt, Load load) throws Exception {
        LongAdder received = new LongAdder();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        List<MqttAsyncClient> subscribers = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBE_CONNECTIONS; i++) {
            MqttAsyncClient client =
                    new MqttAsyncClient(mqtt.url(), "null-" + load.name + "-" + i, new MemoryPersistence());
            client.setManualAcks(true);
            client.setCallback(MqttCallbackAdapter.onMessage((topic, message) -> {
                long now = System.nanoTime();
                first.compareAndSet(0, now);
                last.set(now);
                try {
                    client.messageArrivedComplete(message.getId(), message.getQos());
                } catch (MqttException e) {
                    throw new IllegalStateException(e);
                }
                received.increment();
            }));
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setReceiveMaximum(RECEIVE_MAXIMUM);
            client.connect(options).waitForCompletion(15_000);
            client.subscribe("$share/null/telemetry/#", 1).waitForCompletion(15_000);
            subscribers.add(client);
        }
        ProcessUsage usage = new ProcessUsage(Map.of(
                "mosquitto",
                mqtt.pid().orElse(-1),
                "bench JVM",
                ProcessHandle.current().pid()));
        usage.start();
        publish(mqtt, load);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (received.sum() < load.messages.size() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        usage.stop();
        for (MqttAsyncClient client : subscribers) {
            client.disconnect().waitForCompletion(10_000);
            client.close();
        }
        double seconds = (last.get() - first.get()) / 1e9;
        double rate = received.sum() / seconds;
        System.out.printf(
                "  null subscriber: %,d messages in %.1f s: %,.0f msg/s, %,.0f readings/s%n",
                received.sum(), seconds, rate, rate * load.readings / load.messages.size());
        usage.print(System.out, "  null subscriber (the bench JVM publishes and subscribes)");
        return rate;
    }

    private static double bridge(MosquittoProcess mqtt, KafkaProcess kafka, Load load, String topic, Path runDir)
            throws Exception {
        int metricsPort = FreePorts.pick();
        Properties p = new Properties();
        p.setProperty("mqtt.url", mqtt.url());
        p.setProperty("mqtt.client-id", "bench-" + load.name);
        p.setProperty("mqtt.receive-maximum", Integer.toString(RECEIVE_MAXIMUM));
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("kafka.readings-topic", topic);
        p.setProperty("kafka.deadletter-topic", topic.replace(".readings", ".deadletter"));
        p.setProperty("metrics.port", Integer.toString(metricsPort));
        // e.g. BENCH_BRIDGE_CONFIG="kafka.producer.linger.ms=20 mqtt.connections=4" to try other settings
        String extraConfig = System.getenv("BENCH_BRIDGE_CONFIG");
        if (extraConfig != null && !extraConfig.isBlank()) {
            for (String pair : extraConfig.trim().split("\\s+")) {
                String[] keyValue = pair.split("=", 2);
                p.setProperty(keyValue[0], keyValue[1]);
            }
            System.out.println("  bridge settings: " + extraConfig.trim());
        }
        Path config = runDir.resolve("bench-" + load.name + ".properties");
        try (var out = Files.newBufferedWriter(config)) {
            p.store(out, "benchmark bridge");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString()));
        // e.g. BENCH_BRIDGE_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/bridge.jfr" to profile the bridge
        String extraOptions = System.getenv("BENCH_BRIDGE_JAVA_OPTS");
        if (extraOptions != null && !extraOptions.isBlank()) {
            command.addAll(Arrays.asList(extraOptions.trim().split("\\s+")));
        }
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                IngestMain.class.getName(),
                "--config",
                config.toString()));
        GuardedProcess bridge = GuardedProcess.start(
                "bench-bridge", command, runDir, runDir.resolve("bench-bridge-" + load.name + ".log"), Map.of());
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
            try {
                int connections = IngestConfig.load(p, Map.of()).connections();
                waitFor(
                        () -> value(scrape(http, metrics), "ingest_mqtt_connections_up") >= connections,
                        Duration.ofSeconds(60));
            } catch (IllegalStateException e) {
                throw new IllegalStateException("the bridge did not come up; its log:\n" + bridge.logTail(40), e);
            }

            Thread publisher = new Thread(
                    () -> {
                        try {
                            publish(mqtt, load);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    "bench-publisher");
            long firstAt = 0;
            long lastAt = 0;
            long lastCount = 0;
            double heapPeak = 0;
            double rssPeak = 0;
            ProcessUsage usage = new ProcessUsage(Map.of(
                    "bridge",
                    bridge.pid(),
                    "mosquitto",
                    mqtt.pid().orElse(-1),
                    "kafka",
                    kafka.pid().orElse(-1),
                    "bench JVM",
                    ProcessHandle.current().pid()));
            usage.start();
            publisher.start();
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (System.nanoTime() < deadline) {
                String text = scrape(http, metrics);
                long now = System.nanoTime();
                long acknowledged = (long) value(text, "ingest_messages_acknowledged_total");
                heapPeak = Math.max(heapPeak, value(text, "jvm_memory_used_bytes{area=\"heap\"}"));
                rssPeak = Math.max(rssPeak, value(text, "process_resident_memory_bytes"));
                if (acknowledged > 0 && firstAt == 0) {
                    firstAt = now;
                }
                if (acknowledged > lastCount) {
                    lastCount = acknowledged;
                    lastAt = now;
                }
                if (acknowledged >= load.messages.size()) {
                    break;
                }
                Thread.sleep(200);
            }
            publisher.join();
            usage.stop();
            double seconds = (lastAt - firstAt) / 1e9;
            double rate = lastCount / seconds;
            long inKafka = recordCount(kafka.bootstrapServers(), topic);
            System.out.printf(
                    "  bridge:          %,d messages in %.1f s: %,.0f msg/s, %,.0f readings/s; %,d of %,d readings in Kafka (%s)%n",
                    lastCount,
                    seconds,
                    rate,
                    rate * load.readings / load.messages.size(),
                    inKafka,
                    load.readings,
                    inKafka == load.readings ? "zero loss" : "MISMATCH");
            System.out.printf(
                    "  bridge memory:   heap in use peak %.0f MiB, RSS peak %.0f MiB (sampled), VmHWM %s%n",
                    heapPeak / (1 << 20), rssPeak / (1 << 20), peakRss(bridge.pid()));
            double bridgeCpu = usage.cpuSeconds("bridge");
            System.out.printf(
                    "  bridge CPU:      %.1f s in all: %.1f us per message, %.2f us per reading%n",
                    bridgeCpu, bridgeCpu * 1e6 / load.messages.size(), bridgeCpu * 1e6 / load.readings);
            usage.print(System.out, "  bridge (the bench JVM publishes)");
            return rate;
        } finally {
            bridge.stop(Duration.ofSeconds(30));
        }
    }

    /** Pre-built messages over {@link #PUBLISH_CONNECTIONS} connections, a gateway always on the same one. */
    private static void publish(MosquittoProcess mqtt, Load load) throws Exception {
        MqttAsyncClient[] clients = new MqttAsyncClient[PUBLISH_CONNECTIONS];
        Semaphore[] inFlight = new Semaphore[PUBLISH_CONNECTIONS];
        int[] capacity = new int[PUBLISH_CONNECTIONS];
        for (int i = 0; i < PUBLISH_CONNECTIONS; i++) {
            clients[i] = new MqttAsyncClient(
                    mqtt.url(), "bench-pub-" + load.name + "-" + i + "-" + System.nanoTime(), new MemoryPersistence());
            IMqttToken connected = clients[i].connect(new MqttConnectionOptions());
            connected.waitForCompletion(15_000);
            // Paho fails a publish beyond the broker's Receive Maximum (Mosquitto: 20) instead of waiting.
            Integer brokerMaximum = connected.getResponseProperties() == null
                    ? null
                    : connected.getResponseProperties().getReceiveMaximum();
            capacity[i] = brokerMaximum == null ? PUBLISH_IN_FLIGHT : Math.min(PUBLISH_IN_FLIGHT, brokerMaximum);
            inFlight[i] = new Semaphore(capacity[i]);
        }
        for (SimMessage m : load.messages) {
            int c = Math.floorMod(m.topic().hashCode(), PUBLISH_CONNECTIONS);
            Semaphore permits = inFlight[c];
            permits.acquire();
            clients[c].publish(m.topic(), m.payload(), 1, false, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    permits.release();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    permits.release();
                    System.err.println("publish failed: " + exception);
                }
            });
        }
        for (int i = 0; i < PUBLISH_CONNECTIONS; i++) {
            inFlight[i].acquire(capacity[i]); // every message acknowledged

            clients[i].disconnect().waitForCompletion(10_000);
            clients[i].close();
        }
    }

    private static long recordCount(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            return consumer.endOffsets(partitions).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
    }

    private static String scrape(HttpClient http, URI uri) {
        try {
            return http.send(
                            HttpRequest.newBuilder(uri)
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static double value(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static String peakRss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return (Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10) + " MiB";
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone or not Linux
        }
        return "n/a";
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout);
            }
            Thread.sleep(100);
        }
    }
}
