package io.twinstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.infra.stack.KafkaBroker;
import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaCluster;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.pipeline.audit.Audit;
import io.twinstream.pipeline.audit.AuditReport;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.ScenarioParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo scenario end to end with a crash a third of the way in ⇒ the audit is still clean:
 * the ingest bridge stops abruptly (nothing drained, nothing acknowledged: the broker keeps its
 * sessions and sends the unacknowledged again) and a new one starts 3 s later; or one Kafka node
 * of three dies. A TaskManager killed is {@code ClusterPipelineIT}'s: there the new TaskManager is a
 * JVM of its own, as users run it, which a MiniCluster's in-process TaskManager cannot show.
 */
class PipelineFailuresIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(4)
            .build());

    @TempDir
    Path tmp;

    /** What the test does to the running pipeline a third of the way into the scenario. */
    private interface Failure {
        void inject(Pipeline pipeline) throws Exception;
    }

    /** The Kafka the pipeline runs on, started. */
    private interface KafkaStarter {
        KafkaBroker start(LocalOptions local);
    }

    private static final KafkaStarter ONE_NODE = local -> {
        KafkaProcess kafka = new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
        kafka.start();
        return kafka;
    };

    @Test
    void shouldPassTheAuditThroughABridgeCrash() throws Exception {
        runTheDemoScenarioAndAudit(ONE_NODE, pipeline -> pipeline.crashAndRestartBridge(Duration.ofSeconds(3)));
    }

    /**
     * A Kafka cluster of three nodes, topics replicated three times with min.insync.replicas 2;
     * the node leading telemetry.readings' first partition dies (SIGKILL) and stays dead: the
     * bridge's producer, the jobs' consumers and their transactional sinks move to the new leaders
     * and coordinators; nothing is lost, nothing doubled.
     */
    @Test
    void shouldPassTheAuditThroughAKafkaNodeKilled() throws Exception {
        KafkaCluster[] cluster = new KafkaCluster[1];
        runTheDemoScenarioAndAudit(
                local -> cluster[0] =
                        new KafkaCluster(3, KafkaProcess.Options.defaults().withLocal(local)).start(),
                pipeline -> {
                    int leader;
                    try (Admin admin = Admin.create(
                            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster[0].bootstrapServers()))) {
                        TopicDescription readings = admin.describeTopics(List.of("telemetry.readings"))
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS)
                                .get("telemetry.readings");
                        assertThat(readings.partitions())
                                .allSatisfy(p -> assertThat(p.isr()).hasSize(3));
                        leader = readings.partitions().get(0).leader().id();
                    }
                    cluster[0].nodes().stream()
                            .filter(node -> node.nodeId() == leader)
                            .findFirst()
                            .orElseThrow()
                            .kill();
                });
    }

    private void runTheDemoScenarioAndAudit(KafkaStarter kafkaStarter, Failure failure) throws Exception {
        Scenario scenario = ScenarioParser.load("demo.yaml").startingNow(); // 10 simulated minutes at 10x: about 60 s
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try (MosquittoProcess mosquitto =
                        new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(local));
                KafkaBroker kafka = kafkaStarter.start(local);
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local));
                Pipeline pipeline = startAll(mosquitto, kafka, influx)) {
            Future<?> publishing = DemoScenarioRuns.publish(runner, scenario, mosquitto.url());

            Thread.sleep(20_000);
            failure.inject(pipeline);
            Audit.Expectation expected = Audit.expect(scenario, 1.0); // while the rest of the scenario plays
            publishing.get();

            AuditReport report = DemoScenarioRuns.assertCleanWithin(
                    expected,
                    new Audit.Target(influx.url(), Pipeline.DATABASE, kafka.bootstrapServers()),
                    Duration.ofMinutes(4));
            assertThat(report.topicRecords().get("telemetry.readings"))
                    .as("what was redelivered is removed by the jobs")
                    .isGreaterThanOrEqualTo(
                            report.totals().get("readings") + report.totals().get("duplicates"));
        } finally {
            runner.shutdownNow();
        }
    }

    private Pipeline startAll(MosquittoProcess mosquitto, KafkaBroker kafka, InfluxdProcess influx) throws Exception {
        mosquitto.start();
        influx.start();
        return Pipeline.start(
                mosquitto, kafka, influx, new Pipeline.Settings(tmp.resolve("checkpoints"), Duration.ofSeconds(5), 2));
    }
}
