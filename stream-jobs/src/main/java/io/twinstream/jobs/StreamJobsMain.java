package io.twinstream.jobs;

import io.twinstream.jobs.alerts.AlertsJob;
import io.twinstream.jobs.alerts.AlertsJobConfig;
import io.twinstream.jobs.alerts.RuleException;
import io.twinstream.jobs.alerts.RuleSet;
import io.twinstream.jobs.alerts.RulesParser;
import io.twinstream.jobs.metrics.MetricsJob;
import io.twinstream.jobs.metrics.MetricsJobConfig;
import io.twinstream.model.cli.CommandLines;
import io.twinstream.model.cli.TwinstreamVersion;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Entry point of the job jar: {@code flink run stream-jobs/target/twinstream-stream-jobs-*.jar
 * metrics|alerts [--config FILE]} on a Flink cluster, or the same arguments with Flink on the
 * classpath to run in a local MiniCluster; and {@code rules check|publish FILE} to check a rules file
 * and hand it to the running alerts job.
 */
@Command(
        name = "stream-jobs",
        mixinStandardHelpOptions = true,
        versionProvider = TwinstreamVersion.class,
        description = "Flink jobs reading telemetry.readings from Kafka and writing InfluxDB.",
        footer = {
            "Environment: KAFKA_BOOTSTRAP, INFLUX_URL, MQTT_URL (alerts), and METRICS_<KEY> / ALERTS_<KEY> for any"
                    + " key (METRICS_INFLUX_DATABASE=..., ALERTS_RULES_FILE=...)."
        })
public final class StreamJobsMain {

    private static final String CONFIG_HELP = "a properties file (keys: docs/configuration.md)";

    private final Map<String, String> environment;
    /** What Flink threw from {@code execute}: handed back to {@code flink run}, which may expect it. */
    private Exception fromFlink;

    @Spec
    CommandSpec spec;

    /** Under {@code flink run}, Flink's client reports what the job throws; elsewhere this command does. */
    private final boolean underFlinkRun;

    private StreamJobsMain(Map<String, String> environment, boolean underFlinkRun) {
        this.environment = environment;
        this.underFlinkRun = underFlinkRun;
    }

    /**
     * The command tree: {@code metrics}, {@code alerts} and {@code rules check|publish}, configured
     * from {@code environment}.
     */
    public static CommandLine commandLine(Map<String, String> environment) {
        return commandLine(new StreamJobsMain(environment, false));
    }

    private static CommandLine commandLine(StreamJobsMain jobs) {
        CommandLine commandLine = new CommandLine(jobs);
        commandLine.addSubcommand(new Rules(jobs.environment));
        return CommandLines.configured(commandLine);
    }

    public static void main(String[] args) throws Exception {
        StreamJobsMain jobs = new StreamJobsMain(System.getenv(), true);
        int status = CommandLines.execute(commandLine(jobs), System.out, System.err, args);
        if (jobs.fromFlink != null) {
            // Flink's own, as `flink run` expects them: its client reports them, and some (the plan
            // extraction of a jar submitted over REST) are how it stops main on purpose.
            throw jobs.fromFlink;
        }
        if (status != CommandLines.OK) {
            // Under `flink run`, System.exit would take the client down without its own report.
            throw new IllegalArgumentException("stream-jobs: see the message above and --help");
        }
    }

    /** The command line in this JVM, as a test or an embedding program runs it. */
    public static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        return CommandLines.execute(commandLine(environment), out, err, args);
    }

    @Command(
            name = "metrics",
            mixinStandardHelpOptions = true,
            versionProvider = TwinstreamVersion.class,
            description = "Event-time windowed metrics per device and per site (device_metrics, site_metrics).")
    int metrics(@Option(names = "--config", paramLabel = "FILE", description = CONFIG_HELP) Path configFile) {
        return runJob("metrics", configFile, MetricsJobConfig::load, config -> {}, Flink::runMetrics);
    }

    @Command(
            name = "alerts",
            mixinStandardHelpOptions = true,
            versionProvider = TwinstreamVersion.class,
            description = "Threshold alerts (telemetry.alerts, alerts, MQTT alerts/...) and device status"
                    + " (device_status).")
    int alerts(@Option(names = "--config", paramLabel = "FILE", description = CONFIG_HELP) Path configFile) {
        return runJob(
                "alerts",
                configFile,
                AlertsJobConfig::load,
                config -> spec.commandLine()
                        .getOut()
                        .println(spec.qualifiedName() + " alerts: " + config.rules() + " from " + config.rulesSource()
                                + "; replace them with: rules publish FILE"),
                Flink::runAlerts);
    }

    /** How a job's configuration is read: from the file (null: none) and the environment. */
    @FunctionalInterface
    private interface ConfigLoader<C> {
        C load(Path file, Map<String, String> environment) throws IOException;
    }

    /** How a job runs on Flink, once configured. */
    @FunctionalInterface
    private interface JobRunner<C> {
        void run(C config) throws Flink.Failed;
    }

    /**
     * Loads a job's configuration and runs the job: a configuration that cannot be read, or that
     * the job refuses while it is put together (a missing topic), is bad input; a failure of
     * Flink's is the job's.
     */
    private <C> int runJob(
            String job, Path configFile, ConfigLoader<C> loader, Consumer<C> announce, JobRunner<C> runner) {
        C config;
        try {
            config = loader.load(configFile(configFile), environment);
        } catch (IllegalArgumentException | IOException e) {
            return badConfiguration(job, e);
        }
        announce.accept(config);
        try {
            runner.run(config);
            return CommandLines.OK;
        } catch (IllegalArgumentException | IllegalStateException e) {
            return badConfiguration(job, e);
        } catch (Flink.Failed e) {
            return failed(e);
        }
    }

    /**
     * Everything that names a Flink class, apart: picocli reads this command's method signatures,
     * and `rules` runs from the job jar without Flink on the class path.
     */
    private static final class Flink {

        /** What {@code execute} threw: Flink's, not a configuration's. */
        static final class Failed extends Exception {
            private static final long serialVersionUID = 1L;

            final transient Exception flinkException;

            Failed(Exception flinkException) {
                super(flinkException);
                this.flinkException = flinkException;
            }
        }

        static void runMetrics(MetricsJobConfig config) throws Failed {
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(MetricsJob.flinkConfiguration(config));
            MetricsJob.addTo(env, config);
            execute(env, "twinstream metrics");
        }

        static void runAlerts(AlertsJobConfig config) throws Failed {
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(AlertsJob.flinkConfiguration(config));
            AlertsJob.addTo(env, config);
            execute(env, "twinstream alerts");
        }

        private static void execute(StreamExecutionEnvironment env, String name) throws Failed {
            try {
                env.execute(name);
            } catch (Exception e) {
                throw new Failed(e);
            }
        }
    }

    private int failed(Flink.Failed e) {
        fromFlink = e.flinkException;
        if (!underFlinkRun) {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": the job failed: " + e.flinkException);
        }
        return CommandLines.FAILED;
    }

    private int badConfiguration(String job, Exception e) {
        spec.commandLine()
                .getErr()
                .println(spec.qualifiedName() + " " + job + ": bad configuration: " + e.getMessage());
        return CommandLines.BAD_INPUT;
    }

    /** The file, checked here so that a missing one is named as such, not as an unreadable property. */
    private static Path configFile(Path file) {
        if (file != null && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no configuration file " + file);
        }
        return file;
    }

    /** {@code rules check FILE} and {@code rules publish FILE}: the alerts job's rules, from outside it. */
    @Command(
            name = "rules",
            mixinStandardHelpOptions = true,
            versionProvider = TwinstreamVersion.class,
            description = {
                "Check or publish the alerts job's rules.",
                "Check a rules file, or publish it to the rules topic, where the running alerts job picks it up"
                        + " within seconds (it logs 'rules replaced')."
            })
    public static final class Rules {

        private final Map<String, String> environment;

        @Spec
        CommandSpec spec;

        public Rules(Map<String, String> environment) {
            this.environment = environment;
        }

        @Command(
                name = "check",
                mixinStandardHelpOptions = true,
                versionProvider = TwinstreamVersion.class,
                description = "Check a rules file: every error names the file, the line, the rule and the field.")
        int check(@Parameters(paramLabel = "FILE", description = "the rules file (YAML)") Path file)
                throws IOException {
            RuleSet rules = parse(file);
            if (rules == null) {
                return CommandLines.FAILED;
            }
            spec.commandLine().getOut().println(spec.qualifiedName() + " check: " + file + ": " + rules + ", valid");
            return CommandLines.OK;
        }

        @Command(
                name = "publish",
                mixinStandardHelpOptions = true,
                versionProvider = TwinstreamVersion.class,
                description = "Check a rules file and publish it to the rules topic (a bad file is refused here).")
        int publish(
                @Parameters(paramLabel = "FILE", description = "the rules file (YAML)") Path file,
                @Option(names = "--config", paramLabel = "FILE", description = "the alerts job's " + CONFIG_HELP)
                        Path configFile)
                throws IOException {
            RuleSet rules = parse(file);
            if (rules == null) {
                return CommandLines.FAILED;
            }
            PrintWriter err = spec.commandLine().getErr();
            AlertsJobConfig config;
            try {
                config = AlertsJobConfig.load(configFile(configFile), environment);
            } catch (IllegalArgumentException e) {
                err.println(spec.qualifiedName() + " publish: bad configuration: " + e.getMessage());
                return CommandLines.BAD_INPUT;
            }
            // The job's own client settings (a login, TLS), so the rules reach a Kafka that wants them.
            Map<String, Object> producer = new HashMap<>(config.kafkaClient().withBootstrap(config.kafkaBootstrap()));
            producer.putAll(Map.of(
                    ProducerConfig.ACKS_CONFIG,
                    "all",
                    ProducerConfig.MAX_BLOCK_MS_CONFIG,
                    15_000,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                    20_000,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    10_000));
            String text = Files.readString(file, StandardCharsets.UTF_8);
            try (KafkaProducer<String, String> kafka =
                    new KafkaProducer<>(producer, new StringSerializer(), new StringSerializer())) {
                // One key for every rules file: the compacted topic keeps only the newest.
                kafka.send(new ProducerRecord<>(config.rulesTopic(), "rules", text))
                        .get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                err.println(spec.qualifiedName() + " publish: could not publish to " + config.rulesTopic() + " at "
                        + config.kafkaBootstrap() + ": " + e.getMessage());
                return CommandLines.FAILED;
            }
            spec.commandLine()
                    .getOut()
                    .println(spec.qualifiedName() + " publish: published " + rules + " to " + config.rulesTopic()
                            + "; the alerts job logs 'rules replaced' when it applies them");
            return CommandLines.OK;
        }

        /** The rules in {@code file}, or null after saying why they are refused. */
        private RuleSet parse(Path file) throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no rules file " + file);
            }
            try {
                return RulesParser.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
            } catch (RuleException e) {
                spec.commandLine().getErr().println(spec.qualifiedName() + ": rules refused: " + e.getMessage());
                return null;
            }
        }
    }
}
