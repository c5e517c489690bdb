package io.twinstream.jobs;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the job jar ({@code flink run stream-jobs/target/twinstream-stream-jobs-*.jar}).
 *
 * <p>The metrics job arrives with issue #5 and the alerts job with issue #6; until then this prints
 * its usage and says so, instead of submitting an empty job.
 */
public final class StreamJobsMain {

    static final String USAGE = String.join("\n",
            "Usage: flink run twinstream-stream-jobs.jar <job> [--config FILE]",
            "",
            "Flink jobs reading telemetry.readings from Kafka and writing InfluxDB.",
            "",
            "Jobs (not yet available: metrics arrives with issue #5, alerts with issue #6):",
            "  metrics   event-time windowed metrics per device and per site",
            "  alerts    threshold alerts and device status",
            "",
            "  -h, --help   this text");

    private StreamJobsMain() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            // Under `flink run`, System.exit would take the client down without its own report.
            throw new IllegalArgumentException("stream-jobs: not yet available (issues #5, #6); see --help");
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> arguments = Arrays.asList(args);
        if (arguments.contains("-h") || arguments.contains("--help")) {
            out.println(USAGE);
            return 0;
        }
        err.println("stream-jobs: not yet available (issues #5, #6).\n\n" + USAGE);
        return 2;
    }
}
