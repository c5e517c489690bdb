package io.twinstream.pipeline.audit;

import io.twinstream.model.cli.CommandLines;
import io.twinstream.model.cli.TwinstreamVersion;
import io.twinstream.simulator.ScenarioOptions;
import io.twinstream.simulator.scenario.Scenario;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code audit --scenario demo.yaml [options]} (also {@code twinstream audit}): compares what a
 * pipeline wrote to InfluxDB (and Kafka) with {@code simulator expect} for the same scenario, and
 * exits 0 only when it is clean.
 */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        versionProvider = TwinstreamVersion.class,
        description = {
            "Audit a pipeline's output against the simulator's ground truth.",
            "Compares the device_metrics and site_metrics windows (field by field) and the alert transitions in"
                    + " InfluxDB with what `simulator expect` computes for the same scenario, seed and rate scale, and"
                    + " counts the records on telemetry.readings, telemetry.deadletter and telemetry.late."
        },
        footer = {
            "Give --start, --rate-scale, --duration and --seed as the run took them. Exit status: 0 when every"
                    + " expected window and transition is there, nothing more, every field equal, and every malformed"
                    + " message was dead-lettered; 1 when not; 2 for bad arguments."
        })
public final class AuditMain implements Callable<Integer> {

    @Mixin
    ScenarioOptions scenarioOptions;

    @Option(
            names = "--influx-url",
            paramLabel = "URL",
            description = "the InfluxDB written to (default $INFLUX_URL, else http://127.0.0.1:8086)")
    String influxUrl;

    @Option(
            names = "--database",
            paramLabel = "DB",
            defaultValue = "telemetry",
            description = "its database (default ${DEFAULT-VALUE})")
    String database;

    @ArgGroup(exclusive = true)
    KafkaChoice kafka = new KafkaChoice();

    /** Where the topics are counted, or not at all. */
    static final class KafkaChoice {
        @Option(
                names = "--kafka-bootstrap",
                paramLabel = "HOST:PORT",
                description = "Kafka (default $KAFKA_BOOTSTRAP, else 127.0.0.1:9092)")
        String bootstrap;

        @Option(names = "--no-kafka", description = "leave the topics out")
        boolean none;
    }

    @Spec
    CommandSpec spec;

    private final Map<String, String> environment;

    public AuditMain(Map<String, String> environment) {
        this.environment = environment;
    }

    public AuditMain() {
        this(System.getenv());
    }

    public static void main(String[] args) {
        CommandLines.main(new AuditMain(), args);
    }

    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        return CommandLines.execute(new AuditMain(environment), out, err, args);
    }

    @Override
    public Integer call() {
        String influx = influxUrl != null ? influxUrl : environment.getOrDefault("INFLUX_URL", "http://127.0.0.1:8086");
        if (!influx.matches("https?://.+")) {
            throw new ParameterException(
                    spec.commandLine(), "--influx-url must look like http://host:8086, was '" + influx + "'");
        }
        String bootstrap = kafka == null || kafka.bootstrap == null
                ? environment.getOrDefault("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
                : kafka.bootstrap;
        Scenario scenario = scenarioOptions.pinnedScenario();
        try {
            AuditReport report = Audit.run(
                    scenario,
                    scenarioOptions.rateScale(),
                    new Audit.Target(influx, database, kafka != null && kafka.none ? null : bootstrap));
            report.print(spec.commandLine().getOut());
            return report.clean() ? CommandLines.OK : CommandLines.FAILED;
        } catch (Exception e) {
            spec.commandLine()
                    .getErr()
                    .println(spec.qualifiedName() + ": could not read the pipeline's output: " + e.getMessage());
            return CommandLines.FAILED;
        }
    }
}
