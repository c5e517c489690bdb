package io.twinstream.pipeline;

import io.twinstream.infra.stack.ServiceStack;
import io.twinstream.infra.stack.local.FlinkJobManagerProcess;
import io.twinstream.infra.stack.local.FlinkSessionCluster;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.LocalService;
import io.twinstream.model.Durations;
import io.twinstream.model.cli.CommandLines;
import io.twinstream.model.cli.Converters;
import io.twinstream.model.cli.TwinstreamVersion;
import io.twinstream.pipeline.audit.Audit;
import io.twinstream.pipeline.audit.AuditReport;
import io.twinstream.pipeline.live.LiveDashboard;
import io.twinstream.pipeline.live.LiveState;
import io.twinstream.pipeline.live.PipelineRates;
import io.twinstream.simulator.ScenarioOptions;
import io.twinstream.simulator.publish.MqttPublisher;
import io.twinstream.simulator.publish.PublishStats;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.StreamObserver;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The demo: the whole pipeline on this machine. Starts the services (local processes, or those
 * named by MQTT_URL, KAFKA_BOOTSTRAP, INFLUX_URL), the ingest bridge, the metrics and alerts jobs on
 * a Flink session cluster started here (or, with --embedded, in local MiniClusters), and the
 * simulator with a scenario; shows progress every few seconds;
 * when the scenario has been published (or on Ctrl-C), waits for the jobs to finish its last
 * windows, audits InfluxDB against the ground truth, says where to look, and stops everything.
 * Exit status 0 when the audit is clean.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = TwinstreamVersion.class,
        description = {
            "The whole pipeline on this machine, audited.",
            "Runs the whole pipeline here: simulator → Mosquitto → ingest → Kafka → Flink (metrics, alerts) →"
                    + " InfluxDB, with a progress line every 5 s, then an audit of InfluxDB against the ground truth"
                    + " (simulator expect)."
        },
        footer = {
            "Services: MQTT_URL, KAFKA_BOOTSTRAP, INFLUX_URL name running ones to use instead of starting them."
                    + " Ctrl-C stops early: the audit still runs (on a partial stream it reports what is missing),"
                    + " then everything started here is stopped. Exit status: 0 when the audit is clean."
        })
public final class DemoMain implements Callable<Integer> {

    @Mixin
    ScenarioOptions scenarioOptions;

    @Mixin
    ScenarioOptions.Speed speed;

    @Option(
            names = "--settle",
            paramLabel = "D",
            defaultValue = "3m",
            description =
                    "longest wait after the last message for the last windows and alerts (default ${DEFAULT-VALUE})")
    Duration settle;

    @Option(
            names = "--keep-running",
            description = "after the audit, keep everything up (live page, InfluxDB, Kafka, MQTT) until Ctrl-C")
    boolean keepRunning;

    @Option(names = "--keep-data", description = "keep the local services' directories (data, logs) after the demo")
    boolean keepData;

    @Option(
            names = "--dashboard-port",
            paramLabel = "PORT",
            defaultValue = "8088",
            converter = Converters.Port.class,
            description = "port of the built-in live page on 127.0.0.1 (default ${DEFAULT-VALUE}; a free one if taken)")
    int dashboardPort;

    @ArgGroup(exclusive = true)
    WhereJobsRun whereJobsRun = new WhereJobsRun();

    /** A Flink session cluster of N TaskManagers (the default, N = 1), or MiniClusters in this JVM. */
    static final class WhereJobsRun {
        @Option(
                names = "--taskmanagers",
                paramLabel = "N",
                description = "the jobs run on a Flink session cluster started here, as users deploy them: a"
                        + " JobManager and N TaskManagers (default 1, at most 8), each its own JVM, the job jar"
                        + " submitted with flink run; its web UI's address is printed")
        Integer taskManagers;

        @Option(
                names = "--embedded",
                description = "the jobs in this JVM instead (a Flink MiniCluster each): lighter, starts faster")
        boolean embedded;
    }

    @Spec
    CommandSpec spec;

    /** Where the demo draws its progress and report (a terminal gets a status line redrawn in place). */
    private final PrintStream out;

    private final BeforeStopping beforeStopping;

    DemoMain(PrintStream out, BeforeStopping beforeStopping) {
        this.out = out;
        this.beforeStopping = beforeStopping;
    }

    /** The demo as {@code main} and the launcher run it: on this process's terminal. */
    public DemoMain() {
        this(System.out, ended -> {});
    }

    public static void main(String[] args) {
        CommandLines.main(new DemoMain(), args);
    }

    /**
     * Options, validated.
     *
     * @param speed simulated seconds per wall second the fleet publishes at (0: as fast as possible)
     */
    record Options(
            double rateScale,
            double speed,
            Duration settle,
            boolean keepRunning,
            boolean keepData,
            int dashboardPort,
            int taskManagers) {

        /** Whether the jobs run embedded (MiniClusters in this JVM) rather than on a session cluster. */
        boolean embedded() {
            return taskManagers == 0;
        }
    }

    @Override
    public Integer call() throws Exception {
        Integer taskManagers = whereJobsRun == null ? null : whereJobsRun.taskManagers;
        if (taskManagers != null && (taskManagers < 1 || taskManagers > 8)) {
            throw new ParameterException(spec.commandLine(), "--taskmanagers must be 1-8, was '" + taskManagers + "'");
        }
        boolean embedded = whereJobsRun != null && whereJobsRun.embedded;
        Scenario file = scenarioOptions.scenario("demo.yaml");
        Options options = new Options(
                scenarioOptions.rateScale(),
                speed.of(file),
                settle,
                keepRunning,
                keepData,
                dashboardPort,
                embedded ? 0 : taskManagers == null ? 1 : taskManagers);
        boolean endsAtThePresent = !file.hasStart(); // neither the file nor --start pins it
        Scenario scenario = file.startingNow(java.time.Clock.systemUTC(), options.speed());
        return run(options, scenario, endsAtThePresent, out, beforeStopping);
    }

    /** What a test may look at once the audit is done, before everything stops. */
    record Ended(Scenario scenario, String influxUrl, String dashboardUrl, AuditReport report, CtrlC ctrlC) {}

    /**
     * What Ctrl-C does (SIGINT's handler calls it). A test presses it directly: a process started in
     * the background by a non-interactive shell ignores SIGINT, and the JVM then installs no handler.
     */
    interface CtrlC {
        void press();
    }

    /** Called with {@link Ended} before the demo stops what it started. */
    interface BeforeStopping {
        void accept(Ended ended) throws Exception;
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, ended -> {});
    }

    static int run(String[] args, PrintStream out, PrintStream err, BeforeStopping beforeStopping) {
        return CommandLines.execute(new DemoMain(out, beforeStopping), out, err, args);
    }

    private static int run(
            Options options,
            Scenario scenario,
            boolean endsAtThePresent,
            PrintStream out,
            BeforeStopping beforeStopping)
            throws Exception {
        StatusLine screen = out == System.out ? StatusLine.forTerminal(out) : new StatusLine(out, false, 240);
        Path work = Files.createTempDirectory("twinstream-demo");
        AtomicBoolean stopRequested = new AtomicBoolean();
        AtomicBoolean audited = new AtomicBoolean();
        Thread main = Thread.currentThread();
        // Ctrl-C as a signal handler, not a shutdown hook: the JVM does not start shutting down (and
        // Flink's and the local stack's own hooks do not run) until the audit is done and all stopped.
        CtrlC ctrlC = () -> {
            if (stopRequested.compareAndSet(false, true)) {
                screen.println(
                        audited.get()
                                ? "demo: Ctrl-C: stopping everything"
                                : "demo: Ctrl-C: stopping the simulator, then the audit, then everything");
                main.interrupt();
            }
        };
        sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> ctrlC.press());
        try (ServiceStack stack =
                ServiceStack.fromEnvironment(LocalOptions.defaults().withKeepRunDir(options.keepData()))) {
            screen.println("demo: " + scenario.name() + ", simulated start " + scenario.start()
                    + (endsAtThePresent
                            ? " (ends at the present; replay it with --start " + scenario.start() + ")"
                            : ""));
            String logFile = System.getProperty(LOG_FILE_PROPERTY);
            if (logFile != null) {
                screen.println("demo: component logs (ingest, Flink, Kafka clients): " + logFile);
            }
            screen.println("demo: starting the services ...");
            stack.startAll();
            stack.describe().forEach(line -> screen.println("  " + line));
            FlinkSessionCluster flink = null;
            if (!options.embedded()) {
                screen.println("demo: starting a Flink session cluster (a JobManager, " + options.taskManagers()
                        + " TaskManager(s)) ...");
                // Both jobs at parallelism 2: slots for all four instances, spread over the TaskManagers.
                flink = new FlinkSessionCluster(FlinkJobManagerProcess.Options.defaults()
                        .withSlotsFor(2 * JOB_PARALLELISM, options.taskManagers())
                        .withLocal(LocalOptions.defaults().withKeepRunDir(options.keepData())));
            }
            try (FlinkSessionCluster cluster = flink) {
                if (cluster != null) {
                    cluster.start(options.taskManagers());
                }
                screen.println(
                        cluster == null
                                ? "demo: starting the ingest bridge and the metrics and alerts jobs (embedded) ..."
                                : "demo: " + cluster + "; submitting the job jar, starting the ingest bridge ...");
                AtomicReference<PipelineRates> rates = new AtomicReference<>();
                Pipeline.Settings settings =
                        new Pipeline.Settings(work.resolve("checkpoints"), Duration.ofSeconds(5), JOB_PARALLELISM);
                try (Pipeline pipeline = cluster == null
                                ? Pipeline.start(stack.mqtt(), stack.kafka(), stack.influx(), settings)
                                : Pipeline.startOnCluster(
                                        stack.mqtt(), stack.kafka(), stack.influx(), settings, cluster, JobJar.find());
                        LiveDashboard dashboard = LiveDashboard.start(
                                options.dashboardPort(),
                                new LiveState(stack.influx().url(), Pipeline.DATABASE, rates::get))) {
                    whereToLook(stack, cluster, dashboard, screen);
                    AuditReport report = play(scenario, options, stack, pipeline, rates, stopRequested, screen);
                    audited.set(true);
                    screen.endStatus();
                    report.print(out);
                    beforeStopping.accept(new Ended(scenario, stack.influx().url(), dashboard.url(), report, ctrlC));
                    if (options.keepRunning() && !stopRequested.get()) {
                        screen.println("demo: everything stays up for exploring: live page " + dashboard.url()
                                + ", InfluxDB, Kafka and MQTT as above; Ctrl-C stops it");
                        waitForCtrlC(stopRequested);
                    }
                    screen.println("demo: stopping everything started here");
                    return report.clean() ? 0 : 1;
                }
            }
        } finally {
            LocalService.deleteTree(work);
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), previous);
        }
    }

    /** Both jobs' parallelism, embedded or on the cluster. */
    private static final int JOB_PARALLELISM = 2;

    /** The launcher points Log4j's file appender here (twinstream-demo-log4j2.xml); the demo prints it. */
    static final String LOG_FILE_PROPERTY = "twinstream.log.file";

    private static void waitForCtrlC(AtomicBoolean stopRequested) {
        while (!stopRequested.get()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                // Ctrl-C: the handler has set stopRequested
            }
        }
        Thread.interrupted(); // the handler's interrupt is handled: stopping must not be cut short by it
    }

    /**
     * Publishes the scenario with a progress line every 5 s, then waits for the jobs to close the
     * last windows (event time must pass their end) and audits as soon as the result is clean, or
     * after {@code --settle} at the most; returns the last report.
     */
    private static AuditReport play(
            Scenario scenario,
            Options options,
            ServiceStack stack,
            Pipeline pipeline,
            AtomicReference<PipelineRates> rates,
            AtomicBoolean stopRequested,
            StatusLine screen)
            throws Exception {
        DeviceFleet fleet = new DeviceFleet(scenario, options.rateScale());
        double speed = options.speed();
        screen.println(String.format(
                "demo: publishing %s (%,d devices, %s simulated, %s) to %s",
                scenario.name(),
                fleet.size(),
                Durations.format(scenario.duration()),
                speed == 0 ? "max speed" : speed + "x",
                stack.mqtt().url()));
        MqttPublisher publisher = new MqttPublisher(
                fleet, new MqttPublisher.Settings(stack.mqtt().url(), null, null, speed, true).withRetryUnrouted(true));
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread publishing = new Thread(
                () -> {
                    try {
                        publisher.connectAll();
                        publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
                        publisher.drainAll();
                    } catch (Exception e) {
                        failure.set(e);
                    }
                },
                "demo-publisher");
        publishing.start();
        // The ground truth, computed while the stream plays (it replays the whole stream itself).
        Audit.Expectation expected = Audit.expect(scenario, options.rateScale());
        try (Progress progress = new Progress(stack, pipeline, publisher.stats(), rates, screen)) {
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
                screen.println("demo: the simulator failed: " + failure.get().getMessage());
            }
            Audit.Target target = new Audit.Target(
                    stack.influx().url(), Pipeline.DATABASE, stack.kafka().bootstrapServers());
            long deadline = System.nanoTime()
                    + (stopRequested.get() ? 0 : options.settle().toNanos());
            AuditReport report = Audit.run(expected, target);
            long lastDrawn = 0;
            while (!report.clean() && System.nanoTime() < deadline && !stopRequested.get()) {
                if (System.nanoTime() - lastDrawn >= 4_500_000_000L) {
                    progress.settling(waitingFor(report));
                    lastDrawn = System.nanoTime();
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.interrupted();
                    break;
                }
                report = Audit.run(expected, target);
            }
            progress.print(report.clean() ? "done" : "audit");
            return report;
        }
    }

    /** What the audit still misses, as the jobs see it: windows and transitions whose event time has not passed yet. */
    static String waitingFor(AuditReport report) {
        List<String> parts = new ArrayList<>();
        int windows = report.windows().missing().size();
        int alerts = report.alerts().missing().size();
        if (windows > 0) {
            parts.add(String.format("%,d windows", windows));
        }
        if (alerts > 0) {
            parts.add(alerts + " alert transitions");
        }
        int different = report.windows().wrong().size()
                + report.windows().extra().size()
                + report.alerts().wrong().size()
                + report.alerts().extra().size();
        if (different > 0) {
            parts.add(String.format("%,d windows or alerts to be corrected", different));
        }
        if (report.deadLettersMissing() > 0) {
            parts.add(report.deadLettersMissing() + " dead letters");
        }
        String first = !report.windows().missing().isEmpty()
                ? report.windows().missing().get(0)
                : !report.alerts().missing().isEmpty()
                        ? report.alerts().missing().get(0)
                        : null;
        return parts.isEmpty()
                ? "the audit"
                : String.join(", ", parts) + (first == null ? "" : "; first: " + readable(first));
    }

    /** An epoch-millisecond time in an audit key. */
    private static final java.util.regex.Pattern EPOCH_MILLIS = java.util.regex.Pattern.compile("\\b(1\\d{12})\\b");

    /** An audit key with its epoch-millisecond time shown as a time of day (UTC). */
    private static String readable(String key) {
        java.util.regex.Matcher millis = EPOCH_MILLIS.matcher(key);
        return millis.find()
                ? millis.replaceFirst(
                        java.time.Instant.ofEpochMilli(Long.parseLong(millis.group(1)))
                                        .toString()
                                        .substring(11, 19) + "Z")
                : key;
    }

    /** One progress line: each stage's count and rate; also what the live page shows. */
    private static final class Progress implements AutoCloseable {
        private final ServiceStack stack;
        private final Pipeline pipeline;
        private final PublishStats published;
        private final AtomicReference<PipelineRates> latest;
        private final StatusLine screen;
        private final ConsumerLag lag;
        private final long started = System.nanoTime();
        private long lastAt = System.nanoTime();
        private long lastPublished;
        private long lastIngested;
        private long lastWindows;

        Progress(
                ServiceStack stack,
                Pipeline pipeline,
                PublishStats published,
                AtomicReference<PipelineRates> latest,
                StatusLine screen) {
            this.stack = stack;
            this.pipeline = pipeline;
            this.published = published;
            this.latest = latest;
            this.screen = screen;
            this.lag = new ConsumerLag(stack.kafka().bootstrapServers());
        }

        /** The line while the jobs close the last windows: what the audit still waits for. */
        void settling(String waitingFor) {
            long elapsed = (System.nanoTime() - started) / 1_000_000_000L;
            screen.status(
                    String.format("demo %3d:%02d settling   waiting for %s", elapsed / 60, elapsed % 60, waitingFor));
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
                long windows = Audit.finalWindows(influx, Pipeline.DATABASE, "device_metrics");
                ConsumerLag.Position readings = lag.of("telemetry.readings", Pipeline.JOB_GROUPS);
                rates = new PipelineRates(
                        phase,
                        publishedReadings,
                        ingested,
                        deadLettered,
                        readings.records(),
                        readings.lag(Pipeline.METRICS_GROUP),
                        readings.lag(Pipeline.ALERTS_GROUP),
                        windows,
                        Audit.count(
                                influx,
                                Pipeline.DATABASE,
                                "SELECT count(\"value\") FROM alerts WHERE \"state\" = 'raised'"),
                        Audit.count(
                                influx,
                                Pipeline.DATABASE,
                                "SELECT count(\"value\") FROM alerts WHERE \"state\" = 'cleared'"),
                        new PipelineRates.Rates(
                                (publishedReadings - lastPublished) / seconds,
                                (ingested - lastIngested) / seconds,
                                (windows - lastWindows) / seconds));
            } catch (Exception e) {
                screen.status("demo: " + phase + " (could not read the counts: " + e.getMessage() + ")");
                return;
            }
            latest.set(rates);
            long elapsed = (now - started) / 1_000_000_000L;
            screen.status(String.format(
                    "demo %3d:%02d %-10s published %,d (%,.0f/s) → ingested %,d, dead-lettered %,d → "
                            + "lag metrics %,d alerts %,d → device windows %,d, alerts %d raised %d cleared",
                    elapsed / 60,
                    elapsed % 60,
                    phase,
                    rates.published(),
                    rates.perSecond().published(),
                    rates.ingested(),
                    rates.deadLettered(),
                    rates.metricsLag(),
                    rates.alertsLag(),
                    rates.deviceWindows(),
                    rates.alertsRaised(),
                    rates.alertsCleared()));
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

    private static void whereToLook(
            ServiceStack stack, FlinkSessionCluster cluster, LiveDashboard dashboard, StatusLine screen) {
        String influx = stack.influx().url();
        screen.println("");
        screen.println("Where to look while the demo runs:");
        screen.println(
                "  Live page: " + dashboard.url() + "  (per-site charts, alerts, device status, pipeline rates)");
        if (cluster != null) {
            screen.println(
                    "  Flink web UI: " + cluster.restUrl() + "  (both jobs: their graphs, checkpoints, backpressure)");
        }
        screen.println("  InfluxDB " + influx + ", database " + Pipeline.DATABASE + ", e.g.: curl -G " + influx
                + "/query --data-urlencode db=telemetry --data-urlencode 'q=SELECT * FROM alerts'");
        screen.println("  Kafka " + stack.kafka().bootstrapServers()
                + ": telemetry.readings, .deadletter, .late, .alerts (read_committed)");
        screen.println("  MQTT " + stack.mqtt().url() + ": alerts/# (each alert transition)");
        screen.println(
                "  Grafana: infra/docker-compose.yml provisions infra/grafana/dashboards; point its datasource at "
                        + influx + " (the data is in their default range, the last hour)");
        screen.println("");
    }
}
