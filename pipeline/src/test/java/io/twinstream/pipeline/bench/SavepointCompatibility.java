package io.twinstream.pipeline.bench;

import io.twinstream.infra.stack.local.FlinkJobManagerProcess;
import io.twinstream.infra.stack.local.FlinkSessionCluster;
import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.LocalService;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.pipeline.DemoScenarioRuns;
import io.twinstream.pipeline.JobJar;
import io.twinstream.pipeline.Pipeline;
import io.twinstream.pipeline.audit.Audit;
import io.twinstream.pipeline.audit.AuditReport;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.ScenarioParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Whether a savepoint of an older job jar restores into this build's (a tool, not a test: it needs
 * another build of the jobs; {@code infra/bin/savepoint-compat} makes one from a git revision).
 * Plays the demo scenario on a session cluster with the old jar, stops both jobs with a savepoint
 * a third of the way in, resumes them from it as the new jar, and audits the whole scenario
 * against the ground truth: CLEAN only if the new jar restored every window, de-duplication and
 * rule state the old one had (a state it cannot read fails the job; a state it silently drops
 * shows as wrong or missing windows). Exit 0 when clean, 1 when not, 2 on bad arguments.
 */
public final class SavepointCompatibility {

    private static final String USAGE = String.join(
            "\n",
            "Usage: infra/bin/savepoint-compat --old-jar FILE [--new-jar FILE]",
            "       infra/bin/savepoint-compat REVISION      (the script builds REVISION's job jar first)",
            "",
            "Plays the demo scenario on a local Flink session cluster with the old job jar, stops both jobs",
            "with a savepoint a third of the way in, resumes them from it as the new jar (default: this build's),",
            "and audits the result against the ground truth. Exit 0 when CLEAN.");

    private SavepointCompatibility() {}

    public static void main(String[] args) throws Exception {
        Path oldJar = null;
        Path newJar = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                case "--old-jar" -> oldJar = i + 1 < args.length ? Path.of(args[++i]) : null;
                case "--new-jar" -> newJar = i + 1 < args.length ? Path.of(args[++i]) : null;
                default -> {
                    System.err.println("savepoint-compat: unknown option '" + args[i] + "'\n\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        if (oldJar == null || !Files.isRegularFile(oldJar) || newJar != null && !Files.isRegularFile(newJar)) {
            System.err.println("savepoint-compat: --old-jar (and --new-jar, if given) must name job jars\n\n" + USAGE);
            System.exit(2);
        }
        if (newJar == null) {
            newJar = JobJar.find();
        }
        System.exit(run(oldJar, newJar) ? 0 : 1);
    }

    private static boolean run(Path oldJar, Path newJar) throws Exception {
        System.out.printf("savepoint-compat: %s -> %s%n", oldJar, newJar);
        Scenario scenario = ScenarioParser.load("demo.yaml").startingNow(); // about 60 s at 10x
        Path dir = Files.createTempDirectory("twinstream-savepoint-compat");
        LocalOptions local = LocalOptions.defaults().withRunDirParent(dir);
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try (MosquittoProcess mosquitto =
                        new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(local));
                KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local));
                FlinkSessionCluster flink = new FlinkSessionCluster(FlinkJobManagerProcess.Options.defaults()
                        .withSlotsPerTaskManager(2)
                        .withLocal(local))) {
            mosquitto.start();
            kafka.start();
            influx.start();
            flink.start(2);
            try (Pipeline pipeline = Pipeline.startOnCluster(
                    mosquitto,
                    kafka,
                    influx,
                    new Pipeline.Settings(dir.resolve("checkpoints"), Duration.ofSeconds(5), 2),
                    flink,
                    oldJar)) {
                System.out.println("savepoint-compat: both jobs run the old jar; publishing the demo scenario ...");
                Future<?> publishing = DemoScenarioRuns.publish(runner, scenario, mosquitto.url());
                Thread.sleep(20_000);
                List<Path> savepoints;
                try {
                    savepoints = pipeline.upgrade(dir.resolve("savepoints"), 2, newJar);
                } catch (Exception e) {
                    System.out.println(
                            "savepoint-compat: INCOMPATIBLE: the new jar did not resume from the old one's savepoint: "
                                    + e);
                    return false;
                }
                System.out.println("savepoint-compat: resumed as the new jar from " + savepoints);
                Audit.Expectation expected = Audit.expect(scenario, 1.0);
                publishing.get();
                AuditReport report = DemoScenarioRuns.auditUntilClean(
                        expected,
                        new Audit.Target(influx.url(), Pipeline.DATABASE, kafka.bootstrapServers()),
                        Duration.ofMinutes(4));
                report.print(System.out);
                boolean restored = true;
                for (int i = 0; i < 2; i++) {
                    String job = pipeline.jobs().get(i).id();
                    String from = flink.lastRestoredFrom(job);
                    boolean running = flink.jobState(job).equals("RUNNING") && !flink.hasFailed(job);
                    System.out.printf(
                            "savepoint-compat: job %s restored from %s, %s%n",
                            job,
                            from.isEmpty() ? "nothing" : from,
                            running ? "running, never failed" : "state " + flink.jobState(job) + ", failed since");
                    restored &=
                            running && FlinkSessionCluster.savepointPath(from).equals(savepoints.get(i));
                }
                boolean compatible = report.clean() && restored;
                System.out.println("savepoint-compat: " + (compatible ? "COMPATIBLE (audit CLEAN)" : "NOT COMPATIBLE"));
                return compatible;
            }
        } finally {
            runner.shutdownNow();
            LocalService.deleteTree(dir);
        }
    }
}
