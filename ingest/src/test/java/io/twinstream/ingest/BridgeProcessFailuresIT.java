package io.twinstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.infra.stack.local.GuardedProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.simulator.publish.PublishStats;
import io.twinstream.simulator.stream.DeviceFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Nothing is lost when the bridge process is killed (SIGKILL) or stopped (SIGTERM) and started again. */
class BridgeProcessFailuresIT extends BridgeFailureRuns {

    /** Each reading written more than once: partition, offset and record time of every copy. */
    private static void printDuplicates(String bootstrap) {
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", io.twinstream.infra.stack.KafkaTopics.uniqueName("dups"));
        props.put("auto.offset.reset", "earliest");
        java.util.Map<String, java.util.List<String>> copies = new java.util.TreeMap<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(
                props,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(java.util.List.of("telemetry.readings"));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(300))) {
                    var r = io.twinstream.model.ReadingCodec.decode(record.value());
                    copies.computeIfAbsent(r.deviceId() + "#" + r.seq(), k -> new java.util.ArrayList<>())
                            .add("p" + record.partition() + "@" + record.offset() + " t="
                                    + java.time.Instant.ofEpochMilli(record.timestamp()));
                }
            }
        }
        copies.forEach((key, where) -> {
            if (where.size() > 1) {
                System.out.println("duplicate " + key + ": " + where);
            }
        });
    }

    @Test
    void shouldDeliverEverythingWhenTheBridgeProcessIsKilledAndRestarted() throws Exception {
        try (MosquittoProcess mqtt = startMosquitto();
                KafkaProcess kafka = startKafkaWithTopics()) {
            Path config = tmp.resolve("ingest.properties");
            try (var out = Files.newBufferedWriter(config)) {
                properties(mqtt.url(), kafka.bootstrapServers(), "crash", 2).store(out, "bridge under test");
            }
            DeviceFleet fleet = fleet(300);
            ExecutorService runner = Executors.newSingleThreadExecutor();
            GuardedProcess bridge = startBridgeProcess(config, "bridge-1");
            try {
                awaitSubscribed(bridge); // from here on the sessions keep what is published for the bridge
                Future<?> publishing = publishInBackground(runner, mqtt.url(), fleet);
                Thread.sleep(4000);

                bridge.kill(); // SIGKILL: nothing drained, nothing acknowledged
                Thread.sleep(2000);
                bridge = startBridgeProcess(config, "bridge-2");
                awaitSubscribed(bridge);

                publishing.get();
                Set<String> seen = new HashSet<>();
                long records = readAll(kafka.bootstrapServers(), seen, 6000);
                assertThat(missing(seen, 300)).as("readings missing from Kafka").isEmpty();
                assertThat(records)
                        .as("duplicates allowed: the stream jobs remove them")
                        .isGreaterThanOrEqualTo(6000);
            } finally {
                bridge.stop(Duration.ofSeconds(30));
                runner.shutdownNow();
            }
        }
    }

    /**
     * SIGTERM to the only bridge, kept subscribed ({@code mqtt.on-shutdown=keep-subscription}): it
     * drains what is in flight to Kafka, acknowledges it, and exits by itself; what arrives after
     * the signal is left to the broker, which keeps queuing for the sessions. Restarted, the bridge
     * picks all of it up: every reading arrives, and none twice.
     */
    @Test
    void shouldDrainAndExitOnSigtermAndLoseNothingOverARestart() throws Exception {
        try (MosquittoProcess mqtt = startMosquitto();
                KafkaProcess kafka = startKafkaWithTopics()) {
            Path config = tmp.resolve("graceful.properties");
            Properties p = properties(mqtt.url(), kafka.bootstrapServers(), "graceful", 2);
            p.setProperty("mqtt.on-shutdown", "keep-subscription");
            try (var out = Files.newBufferedWriter(config)) {
                p.store(out, "bridge under test");
            }
            DeviceFleet fleet = fleet(300);
            ExecutorService runner = Executors.newSingleThreadExecutor();
            GuardedProcess bridge = startBridgeProcess(config, "graceful-1");
            try {
                awaitSubscribed(bridge);
                Future<PublishStats> publishing = publishInBackground(runner, mqtt.url(), fleet);
                Thread.sleep(4000);

                long stopping = System.nanoTime();
                bridge.stop(Duration.ofSeconds(40)); // SIGTERM; SIGKILL only if it does not exit in time
                long stopMillis = (System.nanoTime() - stopping) / 1_000_000;
                String log = Files.readString(bridge.logFile());
                assertThat(log).contains("shutting down; draining").contains("drained;");
                assertThat(stopMillis)
                        .as("exited by itself, well before the SIGKILL")
                        .isLessThan(35_000);

                GuardedProcess first = bridge;
                bridge = startBridgeProcess(config, "graceful-2");
                awaitSubscribed(bridge);
                PublishStats published = publishing.get();
                Set<String> seen = new HashSet<>();
                readAll(kafka.bootstrapServers(), seen, 6000);
                assertThat(missing(seen, 300)).as("readings missing from Kafka").isEmpty();
                Thread.sleep(2000); // let a late duplicate land, if there were one
                long records = recordCount(kafka.bootstrapServers());
                if (records != 6000) { // what a failure needs to be understood: who sent what twice
                    System.out.printf(
                            "SIGTERM test: %d records; publisher resent %d after a lost connection, %d as unrouted%n"
                                    + "--- first bridge's log:%n%s%n--- second bridge's log:%n%s%n",
                            records,
                            published.retried(),
                            published.unrouted(),
                            Files.readString(first.logFile()),
                            Files.readString(bridge.logFile()));
                    printDuplicates(kafka.bootstrapServers());
                }
                assertThat(records)
                        .as("drained and acknowledged: nothing sent twice")
                        .isEqualTo(6000);
            } finally {
                bridge.stop(Duration.ofSeconds(30));
                runner.shutdownNow();
            }
        }
    }
}
