package io.twinstream.jobs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point of the job jar: {@code flink run stream-jobs/target/twinstream-stream-jobs-*.jar metrics
 * [--config FILE]} on a Flink cluster, or the same arguments with Flink on the classpath to run in a
 * local MiniCluster. The alerts job arrives with issue #6.
 */
public final class StreamJobsMain {

    static final String USAGE = String.join("\n",
            "Usage: flink run twinstream-stream-jobs.jar <job> [--config FILE]",
            "",
            "Flink jobs reading telemetry.readings from Kafka and writing InfluxDB.",
            "",
            "Jobs:",
            "  metrics   event-time windowed metrics per device and per site (device_metrics, site_metrics)",
            "  alerts    threshold alerts and device status (not yet available: issue #6)",
            "",
            "  --config FILE   a properties file (keys: see the README's metrics job table)",
            "  -h, --help      this text",
            "",
            "Environment: KAFKA_BOOTSTRAP, INFLUX_URL, and METRICS_<KEY> for any key (METRICS_INFLUX_DATABASE=...).");

    private StreamJobsMain() {
    }

    public static void main(String[] args) throws Exception {
        int status = run(args, System.getenv(), System.out, System.err);
        if (status != 0) {
            // Under `flink run`, System.exit would take the client down without its own report.
            throw new IllegalArgumentException("stream-jobs: see the message above and --help");
        }
    }

    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) throws Exception {
        List<String> arguments = Arrays.asList(args);
        if (arguments.isEmpty() || arguments.contains("-h") || arguments.contains("--help")) {
            (arguments.isEmpty() ? err : out).println(USAGE);
            return arguments.isEmpty() ? 2 : 0;
        }
        String job = arguments.get(0);
        if (job.equals("alerts")) {
            err.println("stream-jobs: the alerts job is not yet available (issue #6)");
            return 2;
        }
        if (!job.equals("metrics")) {
            err.println("stream-jobs: unknown job '" + job + "'\n\n" + USAGE);
            return 2;
        }
        Path configFile = null;
        if (arguments.size() > 1) {
            if (arguments.size() != 3 || !arguments.get(1).equals("--config")) {
                err.println("stream-jobs: unexpected arguments " + arguments.subList(1, arguments.size()) + "\n\n" + USAGE);
                return 2;
            }
            configFile = Path.of(arguments.get(2));
            if (!Files.isRegularFile(configFile)) {
                err.println("stream-jobs: no configuration file " + configFile);
                return 2;
            }
        }
        MetricsJobConfig config;
        try {
            config = MetricsJobConfig.load(configFile, environment);
        } catch (IllegalArgumentException | IOException e) {
            err.println("stream-jobs: bad configuration: " + e.getMessage());
            return 2;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(MetricsJob.flinkConfiguration(config));
        MetricsJob.addTo(env, config);
        env.execute("twinstream metrics");
        return 0;
    }
}
