package io.twinstream.simulator;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the device simulator ({@code java -jar simulator/target/twinstream-simulator-*.jar}).
 *
 * <p>The fleets, scenarios, publishing and ground truth arrive with issue #3; until then this
 * prints its usage and says so, instead of pretending to publish.
 */
public final class SimulatorMain {

    static final String USAGE = String.join("\n",
            "Usage: simulator <command> [options]",
            "",
            "Simulates city and factory device fleets publishing telemetry over MQTT.",
            "",
            "Commands (not yet available: they arrive with issue #3):",
            "  run      --scenario FILE [--rate-scale X] [--duration D]   publish a scenario to MQTT_URL",
            "  expect   --scenario FILE                                  what a correct pipeline must produce",
            "",
            "  -h, --help   this text");

    private SimulatorMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> arguments = Arrays.asList(args);
        if (arguments.contains("-h") || arguments.contains("--help")) {
            out.println(USAGE);
            return 0;
        }
        err.println("simulator: not yet available (issue #3).\n\n" + USAGE);
        return 2;
    }
}
