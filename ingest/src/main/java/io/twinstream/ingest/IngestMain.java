package io.twinstream.ingest;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the MQTT → Kafka bridge ({@code java -jar ingest/target/twinstream-ingest-*.jar}).
 *
 * <p>The bridge itself arrives with issue #4; until then this prints its usage and says so,
 * instead of pretending to forward anything.
 */
public final class IngestMain {

    static final String USAGE = String.join("\n",
            "Usage: ingest [--config FILE]",
            "",
            "Moves every MQTT message under telemetry/# into Kafka (telemetry.readings, or",
            "telemetry.deadletter with the reason), acknowledging MQTT only after Kafka has the record.",
            "Not yet available: the bridge arrives with issue #4.",
            "",
            "  -h, --help   this text");

    private IngestMain() {
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
        err.println("ingest: not yet available (issue #4).\n\n" + USAGE);
        return 2;
    }
}
