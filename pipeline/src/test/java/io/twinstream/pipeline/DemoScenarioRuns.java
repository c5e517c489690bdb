package io.twinstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twinstream.pipeline.audit.Audit;
import io.twinstream.pipeline.audit.AuditReport;
import io.twinstream.simulator.publish.MqttPublisher;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** What the tests that play a scenario through the whole pipeline share: publishing it, auditing the result. */
public final class DemoScenarioRuns {

    private DemoScenarioRuns() {}

    /** Publishes {@code scenario} to the broker at {@code mqttUrl} on {@code runner}, at the scenario's speed. */
    public static Future<?> publish(ExecutorService runner, Scenario scenario, String mqttUrl) {
        DeviceFleet fleet = new DeviceFleet(scenario, 1.0);
        return runner.submit(() -> {
            MqttPublisher publisher = new MqttPublisher(
                    fleet,
                    new MqttPublisher.Settings(mqttUrl, null, null, scenario.speed(), true).withRetryUnrouted(true));
            try {
                publisher.connectAll();
                publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
                publisher.drainAll();
            } finally {
                publisher.close();
            }
            return null;
        });
    }

    /**
     * Audits until the result is clean or {@code within} has passed, prints the last report and
     * asserts it clean; returns it for further checks.
     */
    static AuditReport assertCleanWithin(Audit.Expectation expected, Audit.Target target, Duration within)
            throws Exception {
        AuditReport report = auditUntilClean(expected, target, within);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        report.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertThat(report.clean()).as(text).isTrue();
        return report;
    }

    /** Audits every second until the result is clean or {@code within} has passed; returns the last report. */
    public static AuditReport auditUntilClean(Audit.Expectation expected, Audit.Target target, Duration within)
            throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        AuditReport report = Audit.run(expected, target);
        while (!report.clean() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            report = Audit.run(expected, target);
        }
        return report;
    }

    /**
     * Every alert transition committed to {@code telemetry.alerts} (read as {@code read_committed}
     * consumers do, up to the last stable offset) as "deviceId rule ts state", in topic order: a
     * transition written twice (a replay not fenced by the transactions) appears twice.
     */
    static List<String> committedAlertTransitions(String bootstrap) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> transitions = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("telemetry.alerts").stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime())
                        .as("reading telemetry.alerts to its end within 60 s")
                        .isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode alert = JSON.readTree(record.value());
                    transitions.add(alert.get("deviceId").asText() + " "
                            + alert.get("rule").asText() + " " + alert.get("ts").asLong() + " "
                            + alert.get("state").asText());
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return transitions;
    }

    private static final ObjectMapper JSON = new ObjectMapper();
}
