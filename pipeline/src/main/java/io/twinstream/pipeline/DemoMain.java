package io.twinstream.pipeline;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.twinstream.infra.stack.ServiceStack;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.LocalService;
import io.twinstream.pipeline.audit.Audit;
import io.twinstream.pipeline.audit.AuditMain;
import io.twinstream.pipeline.audit.AuditReport;
import io.twinstream.pipeline.live.LiveDashboard;
import io.twinstream.pipeline.live.LiveState;
import io.twinstream.pipeline.live.PipelineRates;
import io.twinstream.simulator.publish.MqttPublisher;
import io.twinstream.simulator.publish.PublishStats;
import io.twinstream.simulator.scenario.Durations;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.ScenarioException;
import io.twinstream.simulator.scenario.ScenarioParser;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.StreamObserver;

/**
 * The demo: the whole pipeline on this machine. Starts the services (local processes, or those
 * named by MQTT_URL, KAFKA_BOOTSTRAP, INFLUX_URL), the ingest bridge, the metrics and alerts jobs in
 * local Flink MiniClusters, and the simulator with a scenario; shows progress every few seconds;
 * when the scenario has been published (or on Ctrl-C), waits for the jobs to finish its last
 * windows, audits InfluxDB against the ground truth, says where to look, and stops everything.
 * Exit status 0 when the audit is clean.
 */
public final class DemoMain {

    static final String USAGE = String.join("\n",
            "Usage: infra/bin/demo [--scenario demo.yaml] [--rate-scale X] [--duration D] [--speed S|max]",
            "                      [--settle 3m] [--keep-data] [--dashboard-port 8088]",
            "",
            "Runs the whole pipeline here: simulator → Mosquitto → ingest → Kafka → Flink (metrics, alerts) → InfluxDB,",
            "with progress every 5 s, then an audit of InfluxDB against the ground truth (simulator expect).",
            "",
            "  --scenario     a scenario file or a shipped one (demo.yaml, city.yaml, factory.yaml); default demo.yaml",
            "  --rate-scale   multiply every fleet's size (default 1)",
            "  --duration     simulated time to play, e.g. 5m (default: the scenario's)",
            "  --speed        simulated seconds per wall second, or max (default: the scenario's)",
            "  --settle       how long to wait after the last message for the audit to come out clean (default 3m)",
            "  --keep-data    keep the local services' directories (data, logs) after the demo",
            "  --dashboard-port  port of the built-in live page on 127.0.0.1 (default 8088; a free one if taken)",
            "  -h, --help     this text",
            "",
            "Services: MQTT_URL, KAFKA_BOOTSTRAP, INFLUX_URL name running ones to use instead of starting them.",
            "Ctrl-C stops early: the audit still runs (on a partial stream it reports what is missing), then",
            "everything started here is stopped.");

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /** Options, validated. */
    record Options(String scenario, double rateScale, Duration duration, Double speed, Duration settle, boolean keepData,
                   int dashboardPort) {

        static Options parse(List<String> args) {
            String scenario = "demo.yaml";
            double rateScale = 1;
            Duration duration = null;
            Double speed = null;
            Duration settle = Duration.ofMinutes(3);
            boolean keepData = false;
            int dashboardPort = 8088;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals("--keep-data")) {
                    keepData = true;
                    continue;
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(arg.startsWith("--") ? arg + " needs a value" : "unexpected argument '" + arg + "'");
                }
                String value = args.get(++i);
                switch (arg) {
                    case "--scenario" -> scenario = value;
                    case "--rate-scale" -> rateScale = AuditMain.positive(arg, value);
                    case "--duration" -> duration = Durations.parse(value);
                    case "--speed" -> speed = value.equals("max") ? 0.0 : AuditMain.positive(arg, value);
                    case "--settle" -> settle = Durations.parse(value);
                    case "--dashboard-port" -> dashboardPort = port(arg, value);
                    default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
            return new Options(scenario, rateScale, duration, speed, settle, keepData, dashboardPort);
        }

        private static int port(String option, String value) {
            try {
                int port = Integer.parseInt(value);
                if (port >= 0 && port <= 65_535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(option + " must be a port number (0-65535, 0: any free one), was '" + value + "'");
        }
    }

    /** What a test may look at once the audit is done, before everything stops. */
    record Ended(Scenario scenario, String influxUrl, String dashboardUrl, AuditReport report) {
    }

    /** Called with {@link Ended} before the demo stops what it started. */
    interface BeforeStopping {
        void accept(Ended ended) throws Exception;
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        return run(args, out, err, ended -> { });
    }

    static int run(String[] args, PrintStream out, PrintStream err, BeforeStopping beforeStopping) throws Exception {
        List<String> arguments = new ArrayList<>(Arrays.asList(args));
        if (arguments.contains("-h") || arguments.contains("--help")) {
            out.println(USAGE);
            return 0;
        }
        Options options;
        Scenario scenario;
        try {
            options = Options.parse(arguments);
            scenario = AuditMain.withOverrides(ScenarioParser.load(options.scenario()), options.duration(), null);
        } catch (IllegalArgumentException | ScenarioException e) {
            err.println("demo: " + e.getMessage() + "\n\n" + USAGE);
            return 2;
        }
        Path work = Files.createTempDirectory("twinstream-demo");
        AtomicBoolean stopRequested = new AtomicBoolean();
        Thread main = Thread.currentThread();
        // Ctrl-C as a signal handler, not a shutdown hook: the JVM does not start shutting down (and
        // Flink's and the local stack's own hooks do not run) until the audit is done and all stopped.
        sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> {
            if (stopRequested.compareAndSet(false, true)) {
                out.println("\ndemo: Ctrl-C: stopping the simulator, then the audit, then everything");
                main.interrupt();
            }
        });
        try (ServiceStack stack = ServiceStack.fromEnvironment(LocalOptions.defaults().withKeepRunDir(options.keepData()))) {
            out.println("demo: starting the services ...");
            stack.startAll();
            stack.describe().forEach(line -> out.println("  " + line));
            out.println("demo: starting the ingest bridge and the metrics and alerts jobs ...");
            AtomicReference<PipelineRates> rates = new AtomicReference<>();
            try (Pipeline pipeline = Pipeline.start(stack.mqtt(), stack.kafka(), stack.influx(),
                    new Pipeline.Settings(work.resolve("checkpoints"), Duration.ofSeconds(5), 2));
                 LiveDashboard dashboard = LiveDashboard.start(options.dashboardPort(),
                         new LiveState(stack.influx().url(), Pipeline.DATABASE, rates::get))) {
                whereToLook(stack, dashboard, scenario, out);
                AuditReport report = play(scenario, options, stack, pipeline, rates, stopRequested, out);
                report.print(out);
                beforeStopping.accept(new Ended(scenario, stack.influx().url(), dashboard.url(), report));
                out.println("demo: stopping everything started here");
                return report.clean() ? 0 : 1;
            }
        } finally {
            LocalService.deleteTree(work);
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), previous);
        }
    }

    /** Publishes the scenario with progress lines, then audits until clean or settled; returns the last report. */
    private static AuditReport play(Scenario scenario, Options options, ServiceStack stack, Pipeline pipeline,
                                    AtomicReference<PipelineRates> rates, AtomicBoolean stopRequested, PrintStream out)
            throws Exception {
        DeviceFleet fleet = new DeviceFleet(scenario, options.rateScale());
        double speed = options.speed() != null ? options.speed() : scenario.speed();
        out.printf("demo: publishing %s (%,d devices, %s simulated, %s) to %s%n", scenario.name(), fleet.size(),
                Durations.format(scenario.duration()), speed == 0 ? "max speed" : speed + "x", stack.mqtt().url());
        MqttPublisher publisher = new MqttPublisher(fleet,
                new MqttPublisher.Settings(stack.mqtt().url(), null, null, speed, true).withRetryUnrouted(true));
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread publishing = new Thread(() -> {
            try {
                publisher.connectAll();
                publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
                publisher.drainAll();
            } catch (Exception e) {
                failure.set(e);
            }
        }, "demo-publisher");
        publishing.start();
        try (Progress progress = new Progress(stack, pipeline, publisher.stats(), rates, out)) {
            try {
                while (publishing.isAlive() && !stopRequested.get()) {
                    publishing.join(5000);
                    progress.print("publishing");
                }
            } catch (InterruptedException e) {
                Thread.interrupted(); // Ctrl-C: go on to the audit
            } finally {
                publisher.stop();
                publishing.join(10_000);
                publisher.close();
            }
            if (failure.get() != null) {
                out.println("demo: the simulator failed: " + failure.get().getMessage());
            }
            Audit.Target target = new Audit.Target(stack.influx().url(), Pipeline.DATABASE, stack.kafka().bootstrapServers());
            long deadline = System.nanoTime() + (stopRequested.get() ? 0 : options.settle().toNanos());
            out.println("demo: published; waiting for the jobs to close the last windows, then the audit ...");
            Audit.Expectation expected = Audit.expect(scenario, options.rateScale());
            AuditReport report = Audit.run(expected, target);
            while (!report.clean() && System.nanoTime() < deadline && !stopRequested.get()) {
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException e) {
                    Thread.interrupted();
                    break;
                }
                progress.print("settling");
                report = Audit.run(expected, target);
            }
            return report;
        }
    }

    /** One progress line: each stage's count and rate since the last line; also what the live page shows. */
    private static final class Progress implements AutoCloseable {
        private final ServiceStack stack;
        private final Pipeline pipeline;
        private final PublishStats published;
        private final AtomicReference<PipelineRates> latest;
        private final PrintStream out;
        private final ConsumerLag lag;
        private long lastAt = System.nanoTime();
        private long lastPublished;
        private long lastIngested;
        private long lastWindows;

        Progress(ServiceStack stack, Pipeline pipeline, PublishStats published, AtomicReference<PipelineRates> latest,
                 PrintStream out) {
            this.stack = stack;
            this.pipeline = pipeline;
            this.published = published;
            this.latest = latest;
            this.out = out;
            this.lag = new ConsumerLag(stack.kafka().bootstrapServers());
        }

        void print(String phase) {
            long now = System.nanoTime();
            double seconds = Math.max(1e-3, (now - lastAt) / 1e9);
            long publishedReadings = published.readings();
            long ingested = pipeline.bridge().metrics().readingsWritten.sum();
            long deadLettered = pipeline.bridge().metrics().deadLetteredTotal();
            String influx = stack.influx().url();
            PipelineRates rates;
            try {
                long windows = Audit.count(influx, Pipeline.DATABASE, "SELECT count(\"count\") FROM device_metrics");
                ConsumerLag.Position readings = lag.of("telemetry.readings", Pipeline.JOB_GROUPS);
                rates = new PipelineRates(phase, publishedReadings, ingested, deadLettered, readings.records(),
                        readings.lag(Pipeline.METRICS_GROUP), readings.lag(Pipeline.ALERTS_GROUP), windows,
                        Audit.count(influx, Pipeline.DATABASE, "SELECT count(\"value\") FROM alerts WHERE \"state\" = 'raised'"),
                        Audit.count(influx, Pipeline.DATABASE, "SELECT count(\"value\") FROM alerts WHERE \"state\" = 'cleared'"),
                        new PipelineRates.Rates((publishedReadings - lastPublished) / seconds, (ingested - lastIngested) / seconds,
                                (windows - lastWindows) / seconds));
            } catch (Exception e) {
                out.println("demo: " + phase + " (could not read the counts: " + e.getMessage() + ")");
                return;
            }
            latest.set(rates);
            out.printf("demo: %-10s published %,8d readings (%,6.0f/s) | ingested %,8d (%,6.0f/s), dead-lettered %,d | "
                            + "in Kafka %,8d, lag metrics %,d alerts %,d | device windows %,7d (%,5.0f/s) | alerts raised %d, cleared %d%n",
                    phase, rates.published(), rates.perSecond().published(), rates.ingested(), rates.perSecond().ingested(),
                    rates.deadLettered(), rates.inKafka(), rates.metricsLag(), rates.alertsLag(), rates.deviceWindows(),
                    rates.perSecond().deviceWindows(), rates.alertsRaised(), rates.alertsCleared());
            lastAt = now;
            lastPublished = publishedReadings;
            lastIngested = ingested;
            lastWindows = rates.deviceWindows();
        }

        @Override
        public void close() {
            lag.close();
        }
    }

    private static void whereToLook(ServiceStack stack, LiveDashboard dashboard, Scenario scenario, PrintStream out) {
        String influx = stack.influx().url();
        out.println();
        out.println("Where to look while the demo runs (what it started stops when it ends):");
        out.println("  Live dashboard: " + dashboard.url() + "  (per-site charts, alerts, device status, pipeline rates)");
        out.println("  InfluxDB " + influx + ", database " + Pipeline.DATABASE + ", for example:");
        out.println("    curl -G " + influx + "/query --data-urlencode db=telemetry --data-urlencode \\");
        out.println("      \"q=SELECT mean(\\\"mean\\\") FROM device_metrics WHERE \\\"metric\\\" = 'pm25' AND \\\"window\\\" = '1m' GROUP BY site\"");
        out.println("    ... q=SELECT \"state\", \"value\", \"message\" FROM alerts");
        out.println("    ... q=SELECT last(\"state\") FROM device_status GROUP BY device_id");
        out.println("  Kafka " + stack.kafka().bootstrapServers() + ": telemetry.readings, telemetry.deadletter, telemetry.late,"
                + " telemetry.alerts (read_committed)");
        out.println("  MQTT " + stack.mqtt().url() + ": alerts/# (the alerts job publishes each transition there)");
        long from = scenario.start().toEpochMilli();
        long to = scenario.start().plus(scenario.duration()).toEpochMilli();
        out.println("  Grafana (infra/docker-compose.yml provisions infra/grafana/dashboards; point its datasource at " + influx + "):");
        out.println("    city overview, factory floor, alerts and status, pipeline health; this scenario's event time: ?from=" + from + "&to=" + to);
        out.println();
    }
}
