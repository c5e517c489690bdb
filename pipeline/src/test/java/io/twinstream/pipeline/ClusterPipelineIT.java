package io.twinstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.twinstream.infra.stack.local.FlinkJobManagerProcess;
import io.twinstream.infra.stack.local.FlinkSessionCluster;
import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.pipeline.audit.Audit;
import io.twinstream.pipeline.audit.AuditReport;
import io.twinstream.simulator.publish.MqttPublisher;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.ScenarioParser;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs as users run them: the shaded job jar submitted with {@code flink run} to a session
 * cluster whose JobManager and TaskManagers are JVMs of their own (one slot each), both jobs at
 * parallelism 2, so each runs on two TaskManagers and every shuffle crosses JVMs: what a
 * MiniCluster (one JVM) cannot show. The demo scenario plays, once as it is and once with a
 * TaskManager of the metrics job killed (SIGKILL); the audit against the ground truth must be clean.
 * (SiteKey's identity hash failed here: "Key group N is not in KeyGroupRange"; and after the kill,
 * minutes-late readings were counted into their windows on replay until {@code LateByDevice}.)
 */
class ClusterPipelineIT {

    private static final int PARALLELISM = 2;

    @TempDir
    Path tmp;

    @Test
    void shouldPassTheAuditWithBothJobsAtParallelism2AcrossTaskManagers() throws Exception {
        runTheDemoScenarioAndAudit(false);
    }

    /**
     * A TaskManager of the metrics job killed (SIGKILL) a third of the way in, a new one started 3 s
     * later: the job restores in a JVM that never saw the keys and replays its backlog.
     */
    @Test
    void shouldPassTheAuditThroughATaskManagerKilled() throws Exception {
        runTheDemoScenarioAndAudit(true);
    }

    private void runTheDemoScenarioAndAudit(boolean killATaskManager) throws Exception {
        int parallelism = PARALLELISM;
        Scenario scenario = ScenarioParser.load("demo.yaml").startingNow(); // 10 simulated minutes at 10x: about 60 s
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try (MosquittoProcess mosquitto = new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(local));
             KafkaProcess kafka = new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
             InfluxdProcess influx = new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local));
             FlinkSessionCluster flink = new FlinkSessionCluster(FlinkJobManagerProcess.Options.defaults()
                     .withSlotsPerTaskManager(1).withLocal(local))) {
            mosquitto.start();
            kafka.start();
            influx.start();
            // One slot each: every job's parallel instances run in TaskManagers of their own (with
            // more slots per TaskManager, Flink may put a job's instances side by side in one JVM).
            flink.start(2 * parallelism);
            try (Pipeline pipeline = Pipeline.startOnCluster(mosquitto, kafka, influx,
                    new Pipeline.Settings(tmp.resolve("checkpoints"), Duration.ofSeconds(5), parallelism), flink, JobJar.find())) {
                DeviceFleet fleet = new DeviceFleet(scenario, 1.0);
                Future<?> publishing = runner.submit(() -> {
                    MqttPublisher publisher = new MqttPublisher(fleet,
                            new MqttPublisher.Settings(mosquitto.url(), null, null, scenario.speed(), true).withRetryUnrouted(true));
                    try {
                        publisher.connectAll();
                        publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
                        publisher.drainAll();
                    } finally {
                        publisher.close();
                    }
                    return null;
                });

                for (Pipeline.RunningJob job : pipeline.jobs()) {
                    assertThat(flink.taskManagersOf(job.id())).as("TaskManagers running job %s", job.id()).hasSize(parallelism);
                }
                if (killATaskManager) {
                    Thread.sleep(20_000);
                    String metricsJob = pipeline.jobs().get(0).id();
                    String victim = flink.taskManagersOf(metricsJob).iterator().next();
                    flink.taskManagers().stream().filter(tm -> tm.resourceId().equals(victim)).findFirst().orElseThrow().kill();
                    Thread.sleep(3000);
                    flink.addTaskManager();
                }
                Audit.Expectation expected = Audit.expect(scenario, 1.0); // while the rest of the scenario plays
                publishing.get();

                Audit.Target target = new Audit.Target(influx.url(), Pipeline.DATABASE, kafka.bootstrapServers());
                long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                AuditReport report = Audit.run(expected, target);
                while (!report.clean() && System.nanoTime() < deadline) {
                    Thread.sleep(1000);
                    report = Audit.run(expected, target);
                }
                ByteArrayOutputStream printed = new ByteArrayOutputStream();
                report.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
                System.out.println(printed.toString(StandardCharsets.UTF_8));

                if (killATaskManager) {
                    assertThat(flink.hasFailed(pipeline.jobs().get(0).id())).as("the metrics job failed over").isTrue();
                }
                for (Pipeline.RunningJob job : pipeline.jobs()) {
                    assertThat(flink.jobState(job.id())).as("job %s after the audit", job.id()).isEqualTo("RUNNING");
                    if (!killATaskManager) {
                        assertThat(flink.hasFailed(job.id())).as("job %s failed", job.id()).isFalse();
                    }
                }
                assertThat(report.clean()).as(printed.toString(StandardCharsets.UTF_8)).isTrue();
            }
        } finally {
            runner.shutdownNow();
        }
    }
}
