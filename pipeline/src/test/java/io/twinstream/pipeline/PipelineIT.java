package io.twinstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.ingest.Bridge;
import io.twinstream.ingest.config.IngestConfig;
import io.twinstream.jobs.AlertsJob;
import io.twinstream.jobs.AlertsJobConfig;
import io.twinstream.jobs.MetricsJob;
import io.twinstream.jobs.MetricsJobConfig;
import io.twinstream.pipeline.audit.Audit;
import io.twinstream.pipeline.audit.AuditReport;
import io.twinstream.simulator.publish.MqttPublisher;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.ScenarioParser;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.StreamObserver;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on this machine, every component real: the simulator publishes the demo
 * scenario (10 simulated minutes at its 10x speed, QoS 1, gateway batches and single readings in
 * JSON, SenML and draft SenML, with duplicates, out-of-order, late and malformed messages, dropouts
 * and connection losses, an air-quality and an overheating episode) to Mosquitto → the ingest bridge → Kafka → the metrics and alerts jobs in
 * one Flink MiniCluster → InfluxDB ⇒ the audit against {@code simulator expect} is clean: every
 * window, field by field, and every alert transition, nothing missing, nothing extra, and every
 * malformed message dead-lettered.
 */
class PipelineIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @TempDir
    Path tmp;

    @Test
    void shouldPassTheAuditEndToEnd() throws Exception {
        Scenario scenario = ScenarioParser.load("demo.yaml");
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        try (MosquittoProcess mosquitto = new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(local));
             KafkaProcess kafka = new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
             InfluxdProcess influx = new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local))) {
            mosquitto.start();
            kafka.start();
            influx.start();
            kafka.createTopic("telemetry.readings", 3);
            kafka.createTopic("telemetry.deadletter", 1);
            kafka.createTopic("telemetry.late", 1);
            influx.createDatabase("telemetry");

            JobClient metrics = startMetricsJob(kafka, influx);
            JobClient alerts = startAlertsJob(kafka, influx, mosquitto);
            try (Bridge bridge = new Bridge(ingestConfig(mosquitto, kafka))) {
                bridge.start();
                publish(scenario, mosquitto.url());

                Audit.Target target = new Audit.Target(influx.url(), "telemetry", kafka.bootstrapServers());
                AuditReport report = awaitClean(scenario, target, Duration.ofMinutes(4));
                ByteArrayOutputStream printed = new ByteArrayOutputStream();
                report.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
                System.out.println(printed.toString(StandardCharsets.UTF_8));

                assertThat(report.windows().expected()).as("windows the scenario makes").isGreaterThan(1000);
                assertThat(report.alerts().expected()).as("transitions of the pm25 episode").isPositive();
                assertThat(report.totals().get("duplicates")).isPositive();
                assertThat(report.totals().get("malformed")).isPositive();
                assertThat(report.totals().get("late")).isPositive();
                assertThat(report.totals().get("outOfOrder")).isPositive();
                assertThat(report.clean()).as(printed.toString(StandardCharsets.UTF_8)).isTrue();
            } finally {
                metrics.cancel().get();
                alerts.cancel().get();
            }
        }
    }

    /** Audits every 5 s until clean or out of time; returns the last report. */
    private static AuditReport awaitClean(Scenario scenario, Audit.Target target, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        AuditReport report = Audit.run(scenario, 1.0, target);
        while (!report.clean() && System.nanoTime() < deadline) {
            Thread.sleep(5000);
            report = Audit.run(scenario, 1.0, target);
        }
        return report;
    }

    private static void publish(Scenario scenario, String mqttUrl) throws Exception {
        DeviceFleet fleet = new DeviceFleet(scenario, 1.0);
        MqttPublisher publisher = new MqttPublisher(fleet,
                new MqttPublisher.Settings(mqttUrl, null, null, scenario.speed(), true).withRetryUnrouted(true));
        try {
            publisher.connectAll();
            publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
            publisher.drainAll();
        } finally {
            publisher.close();
        }
    }

    private static IngestConfig ingestConfig(MosquittoProcess mqtt, KafkaProcess kafka) {
        Properties p = new Properties();
        p.setProperty("mqtt.url", mqtt.url());
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("metrics.port", "0");
        return IngestConfig.load(p, Map.of());
    }

    private JobClient startMetricsJob(KafkaProcess kafka, InfluxdProcess influx) throws Exception {
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("influx.url", influx.url());
        p.setProperty("metrics.idle-after", "5s");
        p.setProperty("checkpoint.interval", "2s");
        p.setProperty("checkpoint.dir", tmp.resolve("metrics-checkpoints").toUri().toString());
        MetricsJobConfig config = MetricsJobConfig.load(p, Map.of());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(MetricsJob.flinkConfiguration(config));
        env.setParallelism(2);
        MetricsJob.addTo(env, config);
        return env.executeAsync("metrics (pipeline test)");
    }

    private JobClient startAlertsJob(KafkaProcess kafka, InfluxdProcess influx, MosquittoProcess mqtt) throws Exception {
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("influx.url", influx.url());
        p.setProperty("mqtt.url", mqtt.url());
        p.setProperty("alerts.idle-after", "5s");
        p.setProperty("checkpoint.interval", "2s");
        p.setProperty("checkpoint.dir", tmp.resolve("alerts-checkpoints").toUri().toString());
        AlertsJobConfig config = AlertsJobConfig.load(p, Map.of());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(AlertsJob.flinkConfiguration(config));
        env.setParallelism(2);
        AlertsJob.addTo(env, config);
        return env.executeAsync("alerts (pipeline test)");
    }
}
