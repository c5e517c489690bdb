package io.twinstream.pipeline.audit;

import io.twinstream.model.Durations;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.ScenarioException;
import io.twinstream.simulator.scenario.ScenarioParser;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code audit --scenario demo.yaml [options]}: compares what a pipeline wrote to InfluxDB (and
 * Kafka) with {@code simulator expect} for the same scenario, and exits 0 only when it is clean.
 */
public final class AuditMain {

    static final String USAGE = String.join(
            "\n",
            "Usage: audit --scenario FILE|NAME [--start INSTANT] [--rate-scale X] [--duration D] [--seed N]",
            "             [--influx-url URL] [--database DB] [--kafka-bootstrap HOST:PORT | --no-kafka]",
            "",
            "Compares the device_metrics and site_metrics windows (field by field) and the alert transitions in",
            "InfluxDB with what `simulator expect` computes for the same scenario, seed and rate scale, and counts",
            "the records on telemetry.readings, telemetry.deadletter and telemetry.late. Prints a report; exit status",
            "0 when every expected window and transition is there, nothing more, every field equal, and every",
            "malformed message was dead-lettered; 1 when not; 2 for bad arguments.",
            "",
            "  --scenario       a scenario file, or a shipped one by name (demo.yaml, city.yaml, factory.yaml)",
            "  --start          the simulated start the run took (`simulator run` and the demo print it); needed",
            "                   for a scenario that starts at the present, as the shipped ones do",
            "  --rate-scale, --duration, --seed   as given to `simulator run`",
            "  --influx-url     default $INFLUX_URL, else http://127.0.0.1:8086",
            "  --database       default telemetry",
            "  --kafka-bootstrap default $KAFKA_BOOTSTRAP, else 127.0.0.1:9092; --no-kafka leaves the topics out",
            "  -h, --help       this text");

    private AuditMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        List<String> arguments = new ArrayList<>(Arrays.asList(args));
        if (arguments.contains("-h") || arguments.contains("--help")) {
            out.println(USAGE);
            return 0;
        }
        String scenarioName = null;
        double rateScale = 1;
        Duration duration = null;
        Long seed = null;
        java.time.Instant start = null;
        String influxUrl = env.getOrDefault("INFLUX_URL", "http://127.0.0.1:8086");
        String database = "telemetry";
        String kafka = env.getOrDefault("KAFKA_BOOTSTRAP", "127.0.0.1:9092");
        try {
            for (int i = 0; i < arguments.size(); i++) {
                String arg = arguments.get(i);
                if (arg.equals("--no-kafka")) {
                    kafka = null;
                    continue;
                }
                if (i + 1 >= arguments.size()) {
                    throw new IllegalArgumentException(
                            arg.startsWith("--") ? arg + " needs a value" : "unexpected argument '" + arg + "'");
                }
                String value = arguments.get(++i);
                switch (arg) {
                    case "--scenario" -> scenarioName = value;
                    case "--rate-scale" -> rateScale = positive(arg, value);
                    case "--duration" -> duration = Durations.parse(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--start" -> start = Scenario.parseStart(arg, value);
                    case "--influx-url" -> influxUrl = value;
                    case "--database" -> database = value;
                    case "--kafka-bootstrap" -> kafka = value;
                    default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
            if (scenarioName == null) {
                throw new IllegalArgumentException("--scenario is required");
            }
            if (!influxUrl.matches("https?://.+")) {
                throw new IllegalArgumentException(
                        "--influx-url must look like http://host:8086, was '" + influxUrl + "'");
            }
        } catch (IllegalArgumentException | ScenarioException e) {
            err.println("audit: " + e.getMessage() + "\n\n" + USAGE);
            return 2;
        }
        Scenario scenario;
        try {
            scenario = ScenarioParser.load(scenarioName).overridden(duration, seed, start);
            if (!scenario.hasStart()) {
                err.println("audit: " + scenarioName
                        + " starts at the present when it is played: give --start, the simulated"
                        + " start the run printed (\"simulated start ...\")");
                return 2;
            }
        } catch (ScenarioException e) {
            err.println("audit: " + e.getMessage());
            return 2;
        }
        try {
            AuditReport report = Audit.run(scenario, rateScale, new Audit.Target(influxUrl, database, kafka));
            report.print(out);
            return report.clean() ? 0 : 1;
        } catch (Exception e) {
            err.println("audit: could not read the pipeline's output: " + e.getMessage());
            return 1;
        }
    }

    /** A positive number option, or a message naming it (shared with the demo's options). */
    public static double positive(String name, String value) {
        try {
            double v = Double.parseDouble(value);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException(name + " must be a positive number, was '" + value + "'");
    }
}
