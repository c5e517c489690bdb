package io.twinstream.pipeline.bench;

import io.twinstream.infra.stack.local.FlinkJobManagerProcess;
import io.twinstream.infra.stack.local.FlinkSessionCluster;
import io.twinstream.infra.stack.local.FlinkTaskManagerProcess;
import io.twinstream.infra.stack.local.GuardedProcess;
import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.LocalService;
import io.twinstream.infra.stack.local.MosquittoProcess;
import io.twinstream.infra.stack.local.ProcessUsage;
import io.twinstream.ingest.IngestMain;
import io.twinstream.jobs.StreamJobsMain;
import io.twinstream.pipeline.ConsumerLag;
import io.twinstream.pipeline.JobJar;
import io.twinstream.pipeline.Pipeline;
import io.twinstream.pipeline.audit.Audit;
import io.twinstream.pipeline.audit.AuditReport;
import io.twinstream.simulator.SimulatorMain;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.ScenarioParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The end-to-end benchmark (not a test): every component in a process of its own, as an operator
 * would run them on one machine — Mosquitto, Kafka, influxd, the ingest bridge, the metrics job, the
 * alerts job (each a local Flink MiniCluster), the simulator publishing as fast as it can at QoS 1.
 * Measures when each stage has everything (published, in Kafka, consumed by both jobs, every
 * window in InfluxDB), audits InfluxDB against the ground truth, and reports CPU (cores) and peak
 * resident memory per process over the run.
 *
 * <p>Modes: {@code batches} (gateway batches of 50 readings) and {@code single} (one reading per
 * message), the two figures the issue sets goals for (≥ 100,000 readings/s and ≥ 20,000 msg/s).
 */
public final class EndToEndBenchmark {

    private static final String USAGE = String.join(
            "\n",
            "Usage: infra/bin/bench-e2e [--mode batches|single|latency|all] [--devices N] [--interval D]",
            "                           [--duration D] [--speed S|max] [--out-of-orderness D] [--cluster N]",
            "",
            "  --mode       batches: gateway batches of 50 readings as fast as they go; single: one reading per",
            "               message as fast as they go; latency: one reading per message in real time (a reading",
            "               every 10 s per device), publish to first visible and to final per reading (default all)",
            "  --devices    electricity meters (2 metrics each; default 20000)",
            "  --interval   between a meter's readings (default 10s: one reading per 10-s window, the most",
            "               window points per reading; 1s: ten readings per window)",
            "  --duration   simulated time to publish (default 5m: 20,000 devices give 600,000 readings)",
            "  --speed      simulated seconds per wall second for batches and single (default max: as fast as",
            "               the simulator goes; a fixed speed offers a fixed rate: devices / interval × speed)",
            "  --out-of-orderness  the metrics job's metrics.out-of-orderness (default: the job's, 5s); a window",
            "               is queryable no sooner than this after its end",
            "  --cluster N  run the jobs on a Flink session cluster of N TaskManagers (each its own JVM, the",
            "               shaded job jar submitted with flink run), each job at parallelism = cores; default 0:",
            "               each job in a local MiniCluster of its own",
            "",
            "Starts everything itself on free loopback ports; prints figures on standard output.");

    private static final List<String> JVM_OPTIONS = List.of("-Xmx2g", "-XX:+UseG1GC");

    /** No progress for this long once the simulator is done: what is missing will not come. */
    private static final Duration STALLED_AFTER = Duration.ofMinutes(2);

    private final Path runDir;
    private final int devices;
    private final String duration;
    private final String outOfOrderness;
    private final String interval;
    private final String speed;
    /** TaskManagers of a session cluster to run the jobs on; 0: each job in a MiniCluster JVM of its own. */
    private final int taskManagers;
    /** Whether every audit so far was clean. */
    private boolean clean = true;

    private EndToEndBenchmark(
            Path runDir,
            int devices,
            String interval,
            String duration,
            String speed,
            String outOfOrderness,
            int taskManagers) {
        this.runDir = runDir;
        this.taskManagers = taskManagers;
        this.speed = speed;
        this.devices = devices;
        this.interval = interval;
        this.duration = duration;
        this.outOfOrderness = outOfOrderness;
    }

    public static void main(String[] args) throws Exception {
        String mode = "all";
        int devices = 20_000;
        String duration = "5m";
        String outOfOrderness = "5s";
        String interval = "10s";
        String speed = "max";
        int taskManagers = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                case "--mode" -> mode = args[++i];
                case "--devices" -> devices = Integer.parseInt(args[++i]);
                case "--duration" -> duration = args[++i];
                case "--out-of-orderness" -> outOfOrderness = args[++i];
                case "--interval" -> interval = args[++i];
                case "--speed" -> speed = args[++i];
                case "--cluster" -> taskManagers = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("bench-e2e: unknown option '" + args[i] + "'\n\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        if (!List.of("batches", "single", "latency", "all").contains(mode) || devices < 1 || taskManagers < 0) {
            System.err.println(
                    "bench-e2e: --mode batches|single|latency|all, --devices ≥ 1 and --cluster ≥ 0\n\n" + USAGE);
            System.exit(2);
        }
        System.out.printf(
                "bench-e2e: %d cores, %s, Java %s; %,d electricity meters × %s at a reading every %s; "
                        + "metrics job out-of-orderness %s%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("java.version"),
                devices,
                duration,
                interval,
                outOfOrderness);
        System.out.println(
                taskManagers == 0
                        ? "bench-e2e: jobs each in a local MiniCluster (a JVM per job)"
                        : "bench-e2e: jobs on a Flink session cluster, a JobManager and " + taskManagers
                                + " TaskManager(s), parallelism "
                                + Runtime.getRuntime().availableProcessors());
        Path runDir = Files.createTempDirectory("twinstream-bench-e2e");
        int exitCode = 0;
        try {
            EndToEndBenchmark bench =
                    new EndToEndBenchmark(runDir, devices, interval, duration, speed, outOfOrderness, taskManagers);
            for (String each : List.of("batches", "single", "latency")) {
                if (mode.equals("all") || mode.equals(each)) {
                    bench.run(each);
                }
            }
            if (!bench.clean) {
                System.out.println("bench-e2e: an audit was NOT CLEAN (exit code 1)");
                exitCode = 1;
            }
        } finally {
            LocalService.deleteTree(runDir);
        }
        System.exit(exitCode);
    }

    private String scenarioYaml(String mode) {
        String format = mode.equals("batches") ? "batch" : "json";
        double publishSpeed = mode.equals("latency") ? 1 : speed.equals("max") ? 0 : Double.parseDouble(speed);
        // Pinned in the file, so that the simulator's process plays the start the audit expects; ends at the present.
        Instant start = io.twinstream.simulator.scenario.Scenario.startEndingNow(
                Instant.now(), io.twinstream.model.Durations.parse(duration), publishSpeed);
        return String.join(
                "\n",
                "name: e2e-" + mode,
                "seed: 7",
                "start: " + start,
                "duration: " + duration,
                "speed: " + (mode.equals("latency") ? "1" : speed),
                "publish: { qos: 1, connections: gateway, devicesPerGateway: 1000, batchSize: 50 }",
                "sites:",
                "  - name: bench-east",
                "    domain: city",
                "    devices:",
                "      electricity-meter: { count: " + (devices + 1) / 2 + ", interval: " + interval + ", format: "
                        + format + " }",
                "  - name: bench-west",
                "    domain: city",
                "    devices:",
                "      electricity-meter: { count: " + devices / 2 + ", interval: " + interval + ", format: " + format
                        + " }",
                "");
    }

    private void run(String mode) throws Exception {
        Path dir = Files.createDirectories(runDir.resolve(mode));
        Path scenarioFile = dir.resolve("scenario.yaml");
        Files.writeString(scenarioFile, scenarioYaml(mode));
        Scenario scenario = ScenarioParser.load(scenarioFile.toString());
        System.out.printf("%n== %s: computing the ground truth ...%n", mode);
        Audit.Expectation expected = Audit.expect(scenario, 1.0);
        long readings = expected.truth().totals().get("readings");
        long windows = expected.truth().windows().size();
        System.out.printf("%s: %,d readings, %,d windows expected%n", mode, readings, windows);

        LocalOptions local = LocalOptions.defaults().withRunDirParent(dir);
        List<GuardedProcess> peers = new ArrayList<>();
        int parallelism = Runtime.getRuntime().availableProcessors();
        // Both jobs at full parallelism: slots for all of them, spread over the TaskManagers.
        try (FlinkSessionCluster flink = taskManagers == 0
                        ? null
                        : new FlinkSessionCluster(FlinkJobManagerProcess.Options.defaults()
                                .withSlotsFor(2 * parallelism, taskManagers)
                                .withLocal(local));
                MosquittoProcess mosquitto =
                        new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(local));
                KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local));
                ConsumerLag lag = startServices(mosquitto, kafka, influx)) {
            Path log4j = dir.resolve("log4j2.properties");
            Files.writeString(
                    log4j,
                    String.join(
                            "\n",
                            "status = warn",
                            "appender.out.type = Console",
                            "appender.out.name = out",
                            "appender.out.layout.type = PatternLayout",
                            "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %msg%n",
                            "rootLogger.level = warn",
                            "rootLogger.appenderRef.out.ref = out",
                            "logger.task.name = org.apache.flink.runtime.taskmanager.Task",
                            "logger.task.level = info",
                            ""));
            Map<String, String> common = Map.of(
                    "kafka.bootstrap",
                    kafka.bootstrapServers(),
                    "influx.url",
                    influx.url(),
                    "influx.database",
                    Pipeline.DATABASE);
            GuardedProcess bridge = startJvm(
                    dir,
                    log4j,
                    "ingest",
                    IngestMain.class,
                    Map.of(
                            "mqtt.url",
                            mosquitto.url(),
                            "kafka.bootstrap",
                            kafka.bootstrapServers(),
                            "metrics.port",
                            "0"));
            peers.add(bridge);
            Map<String, String> metricsConfig = merge(
                    common,
                    Map.of(
                            "kafka.group-id",
                            Pipeline.METRICS_GROUP,
                            "metrics.idle-after",
                            "5s",
                            "metrics.out-of-orderness",
                            outOfOrderness,
                            "checkpoint.dir",
                            dir.resolve("checkpoints-metrics").toUri().toString()));
            Map<String, String> alertsConfig = merge(
                    common,
                    Map.of(
                            "kafka.group-id",
                            Pipeline.ALERTS_GROUP,
                            "alerts.idle-after",
                            "5s",
                            "mqtt.url",
                            mosquitto.url(),
                            "checkpoint.dir",
                            dir.resolve("checkpoints-alerts").toUri().toString()));
            Map<String, Long> pids = new LinkedHashMap<>();
            pids.put("simulator", 0L);
            pids.put("mosquitto", mosquitto.pid().orElseThrow());
            pids.put("ingest", bridge.pid());
            pids.put("kafka", kafka.pid().orElseThrow());
            if (flink == null) {
                GuardedProcess metrics =
                        startJvm(dir, log4j, "metrics", StreamJobsMain.class, metricsConfig, "metrics");
                peers.add(metrics);
                GuardedProcess alerts = startJvm(dir, log4j, "alerts", StreamJobsMain.class, alertsConfig, "alerts");
                peers.add(alerts);
                awaitRunning(metrics);
                awaitRunning(alerts);
                pids.put("metrics job", metrics.pid());
                pids.put("alerts job", alerts.pid());
            } else {
                flink.start(taskManagers);
                for (Map.Entry<String, Map<String, String>> job :
                        Map.of("metrics", metricsConfig, "alerts", alertsConfig).entrySet()) {
                    Path file = writeProperties(dir, job.getKey(), job.getValue());
                    String id = flink.submit(
                            JobJar.find(), parallelism, null, List.of(job.getKey(), "--config", file.toString()));
                    flink.awaitRunning(id, Duration.ofMinutes(2));
                }
                pids.put("JobManager", flink.jobManager().pid().orElseThrow());
                for (FlinkTaskManagerProcess taskManager : flink.taskManagers()) {
                    pids.put(
                            taskManager.name().replace("flink-taskmanager", "TaskManager"),
                            taskManager.pid().orElseThrow());
                }
            }
            Thread.sleep(3000); // the bridge's subscriptions are up long before; let the jobs' first checkpoint pass
            pids.put("influxd", influx.pid().orElseThrow());
            ProcessUsage usage = new ProcessUsage(pids);

            LatencyProbe probe = mode.equals("latency") ? new LatencyProbe(influx.url()) : null;
            long t0 = System.nanoTime();
            GuardedProcess simulator = GuardedProcess.start(
                    "bench-simulator",
                    javaCommand(
                            log4j,
                            SimulatorMain.class,
                            List.of(
                                    "run",
                                    "--scenario",
                                    scenarioFile.toString(),
                                    "--mqtt-url",
                                    mosquitto.url(),
                                    "--retry-unrouted",
                                    "--progress-every",
                                    "10s")),
                    dir,
                    dir.resolve("simulator.log"),
                    Map.of());
            peers.add(simulator);
            usage.track("simulator", simulator.pid());
            usage.start();

            long published = 0;
            long ingested = 0;
            long consumed = 0;
            long written = 0;
            long lastLine = 0;
            long deadline = t0 + Duration.ofMinutes(30).toNanos();
            // Once the simulator is done, progress shows as more in Kafka, less lag or more windows;
            // when none of them moves for STALLED_AFTER the rest will not come: stop and let the audit
            // name what is missing rather than wait out the 30 minutes.
            long lastProgress = t0;
            String progressSeen = "";
            String stopped = null;
            while (written == 0) {
                if (System.nanoTime() >= deadline) {
                    stopped = "did not finish within 30 minutes";
                    break;
                }
                Thread.sleep(500);
                long now = System.nanoTime();
                if (published == 0 && !simulator.isAlive()) {
                    published = now;
                }
                ConsumerLag.Position position = lag.of("telemetry.readings", Pipeline.JOB_GROUPS);
                long inKafka = position.records();
                if (published != 0 && ingested == 0 && inKafka >= readings) {
                    ingested = now;
                }
                long lagMetrics = position.lag(Pipeline.METRICS_GROUP);
                long lagAlerts = position.lag(Pipeline.ALERTS_GROUP);
                if (ingested != 0 && consumed == 0 && lagMetrics == 0 && lagAlerts == 0) {
                    consumed = now;
                }
                if (now - lastLine > 5_000_000_000L || consumed != 0 && now - lastLine > 1_000_000_000L) {
                    long points = Audit.finalWindows(influx.url(), Pipeline.DATABASE, "device_metrics")
                            + Audit.finalWindows(influx.url(), Pipeline.DATABASE, "site_metrics");
                    System.out.printf(
                            "%s: %5.0f s | in Kafka %,10d of %,d | lag metrics %,9d alerts %,9d | windows in InfluxDB %,9d of %,d%n",
                            mode, (now - t0) / 1e9, inKafka, readings, lagMetrics, lagAlerts, points, windows);
                    lastLine = now;
                    if (consumed != 0 && points >= windows) {
                        written = now;
                    }
                    String progress = inKafka + "/" + lagMetrics + "/" + lagAlerts + "/" + points;
                    if (!progress.equals(progressSeen)) {
                        progressSeen = progress;
                        lastProgress = now;
                    } else if (published != 0 && written == 0 && now - lastProgress > STALLED_AFTER.toNanos()) {
                        stopped = String.format(
                                "nothing moved for %d s after the simulator ended (in Kafka %,d of %,d, "
                                        + "lag metrics %,d alerts %,d, windows %,d of %,d): the rest will not come",
                                STALLED_AFTER.toSeconds(), inKafka, readings, lagMetrics, lagAlerts, points, windows);
                        break;
                    }
                }
            }
            if (stopped != null) {
                System.out.printf("%s: stopped waiting: %s; auditing what arrived%n", mode, stopped);
            }
            usage.stop();
            AuditReport report =
                    Audit.run(expected, new Audit.Target(influx.url(), Pipeline.DATABASE, kafka.bootstrapServers()));
            report.print(System.out);
            Duration bound = io.twinstream.model.Durations.parse(outOfOrderness);
            ReadingsOrder.read(kafka.bootstrapServers(), readings, bound).print(System.out, mode, bound);
            long messages = mode.equals("batches") ? (readings + 49) / 50 : readings;
            System.out.printf(
                    "%n%s results (QoS 1, %s%s):%n",
                    mode,
                    mode.equals("batches") ? "batches of 50 readings" : "one reading per message",
                    mode.equals("latency")
                            ? ", real time"
                            : speed.equals("max") ? ", as fast as it goes" : ", speed " + speed);
            line(mode, "published (simulator done)", published, t0, readings, messages);
            line(mode, "in Kafka (ingest done)", ingested, t0, readings, messages);
            line(mode, "consumed by both jobs (lag 0)", consumed, t0, readings, messages);
            line(mode, "every window in InfluxDB", written, t0, readings, messages);
            usage.print(System.out, mode);
            System.out.printf(
                    "%s: audit %s%s%n",
                    mode,
                    report.clean() ? "CLEAN" : "NOT CLEAN",
                    stopped == null ? "" : " (stopped waiting: " + stopped + ")");
            clean &= report.clean();
            if (probe != null) {
                probe.close();
                LatencyProbe.Latencies latencies =
                        probe.latencies(kafka.bootstrapServers(), readings, Duration.ofSeconds(30));
                System.out.printf(
                        "%s: the last 30 s of the stream left out (closed by the idle advance); out-of-orderness %s%n",
                        mode, outOfOrderness);
                latencyLine(
                        mode,
                        "publish → first visible (10-s site window, early result or final)",
                        latencies.firstVisible(),
                        "goal: ≤ 3,000 ms");
                latencyLine(
                        mode,
                        "publish → final (10-s site window, final=true)",
                        latencies.finalValue(),
                        "goal: ≤ window + out-of-orderness + 2 s");
            }
        } finally {
            for (GuardedProcess peer : peers) {
                peer.stop(Duration.ofSeconds(10));
            }
        }
    }

    private static void latencyLine(String mode, String what, long[] sorted, String goal) {
        System.out.printf(
                "%s: %s, %,d readings: p50 %,d ms, p90 %,d ms, p99 %,d ms, max %,d ms (%s)%n",
                mode,
                what,
                sorted.length,
                LatencyProbe.percentile(sorted, 50),
                LatencyProbe.percentile(sorted, 90),
                LatencyProbe.percentile(sorted, 99),
                sorted.length == 0 ? -1 : sorted[sorted.length - 1],
                goal);
    }

    private static void line(String mode, String stage, long at, long t0, long readings, long messages) {
        if (at == 0) {
            System.out.printf("%s:   %-32s not reached%n", mode, stage);
            return;
        }
        double seconds = (at - t0) / 1e9;
        System.out.printf(
                "%s:   %-32s after %7.1f s = %,9.0f readings/s, %,9.0f messages/s%n",
                mode, stage, seconds, readings / seconds, messages / seconds);
    }

    private ConsumerLag startServices(MosquittoProcess mosquitto, KafkaProcess kafka, InfluxdProcess influx)
            throws Exception {
        mosquitto.start();
        kafka.start();
        influx.start();
        Pipeline.createTopicsAndDatabase(kafka, influx);
        return new ConsumerLag(kafka.bootstrapServers());
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> out = new LinkedHashMap<>(a);
        out.putAll(b);
        return out;
    }

    private static List<String> javaCommand(Path log4j, Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(JVM_OPTIONS);
        command.add("-Dlog4j2.configurationFile=" + log4j);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        return command;
    }

    private static Path writeProperties(Path dir, String name, Map<String, String> config) throws IOException {
        Path file = dir.resolve(name + ".properties");
        StringBuilder text = new StringBuilder();
        config.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        return Files.writeString(file, text);
    }

    private static GuardedProcess startJvm(
            Path dir, Path log4j, String name, Class<?> main, Map<String, String> config, String... firstArgs)
            throws IOException {
        Path file = writeProperties(dir, name, config);
        List<String> args = new ArrayList<>(List.of(firstArgs));
        args.addAll(List.of("--config", file.toString()));
        return GuardedProcess.start(
                "bench-" + name, javaCommand(log4j, main, args), dir, dir.resolve(name + ".log"), Map.of());
    }

    /** Until the job's readings source task runs (its log says so), or it ended. */
    private static void awaitRunning(GuardedProcess job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (!job.isAlive()) {
                throw new IllegalStateException(job + " ended:\n" + job.logTail(30));
            }
            String log = Files.readString(job.logFile());
            if (log.lines().anyMatch(l -> l.contains("Source: telemetry.readings") && l.contains("to RUNNING"))) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(job + " not running after 2 minutes:\n" + job.logTail(30));
    }
}
