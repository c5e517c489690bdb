package io.twinstream.jobs;

import io.twinstream.jobs.alerts.RuleException;
import io.twinstream.jobs.alerts.RuleSet;
import io.twinstream.jobs.alerts.RulesParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Entry point of the job jar: {@code flink run stream-jobs/target/twinstream-stream-jobs-*.jar
 * metrics|alerts [--config FILE]} on a Flink cluster, or the same arguments with Flink on the
 * classpath to run in a local MiniCluster; and {@code rules FILE} to check a rules file and hand it
 * to the running alerts job.
 */
public final class StreamJobsMain {

    static final String USAGE = String.join(
            "\n",
            "Usage: flink run twinstream-stream-jobs.jar <job> [--config FILE]",
            "       java -cp twinstream-stream-jobs.jar io.twinstream.jobs.StreamJobsMain rules [--check] RULES.yaml [--config FILE]",
            "",
            "Flink jobs reading telemetry.readings from Kafka and writing InfluxDB.",
            "",
            "Jobs:",
            "  metrics   event-time windowed metrics per device and per site (device_metrics, site_metrics)",
            "  alerts    threshold alerts (telemetry.alerts, alerts, MQTT alerts/...) and device status (device_status)",
            "",
            "Commands:",
            "  rules FILE          check a rules file and publish it to the rules topic: the running alerts",
            "                      job logs the change and applies it within seconds (a bad file is refused here)",
            "  rules --check FILE  only check it",
            "",
            "  --config FILE   a properties file (keys: docs/configuration.md)",
            "  -h, --help      this text",
            "",
            "Environment: KAFKA_BOOTSTRAP, INFLUX_URL, MQTT_URL (alerts), and METRICS_<KEY> / ALERTS_<KEY> for any key",
            "(METRICS_INFLUX_DATABASE=..., ALERTS_RULES_FILE=...).");

    private StreamJobsMain() {}

    public static void main(String[] args) throws Exception {
        int status = run(args, System.getenv(), System.out, System.err);
        if (status != 0) {
            // Under `flink run`, System.exit would take the client down without its own report.
            throw new IllegalArgumentException("stream-jobs: see the message above and --help");
        }
    }

    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) throws Exception {
        List<String> arguments = new ArrayList<>(Arrays.asList(args));
        if (arguments.isEmpty() || arguments.contains("-h") || arguments.contains("--help")) {
            (arguments.isEmpty() ? err : out).println(USAGE);
            return arguments.isEmpty() ? 2 : 0;
        }
        String job = arguments.remove(0);
        if (!List.of("metrics", "alerts", "rules").contains(job)) {
            err.println("stream-jobs: unknown job '" + job + "'\n\n" + USAGE);
            return 2;
        }
        Path configFile = null;
        int config = arguments.indexOf("--config");
        if (config >= 0) {
            if (config + 1 >= arguments.size()) {
                err.println("stream-jobs: --config needs a file\n\n" + USAGE);
                return 2;
            }
            configFile = Path.of(arguments.remove(config + 1));
            arguments.remove(config);
            if (!Files.isRegularFile(configFile)) {
                err.println("stream-jobs: no configuration file " + configFile);
                return 2;
            }
        }
        if (job.equals("rules")) {
            return rules(arguments, configFile, environment, out, err);
        }
        if (!arguments.isEmpty()) {
            err.println("stream-jobs: unexpected arguments " + arguments + "\n\n" + USAGE);
            return 2;
        }
        try {
            if (job.equals("metrics")) {
                MetricsJobConfig metrics = MetricsJobConfig.load(configFile, environment);
                StreamExecutionEnvironment env =
                        StreamExecutionEnvironment.getExecutionEnvironment(MetricsJob.flinkConfiguration(metrics));
                MetricsJob.addTo(env, metrics);
                env.execute("twinstream metrics");
            } else {
                AlertsJobConfig alerts = AlertsJobConfig.load(configFile, environment);
                out.println("stream-jobs: alerts job with " + alerts.rules() + " from " + alerts.rulesSource()
                        + "; replace them with: rules FILE");
                StreamExecutionEnvironment env =
                        StreamExecutionEnvironment.getExecutionEnvironment(AlertsJob.flinkConfiguration(alerts));
                AlertsJob.addTo(env, alerts);
                env.execute("twinstream alerts");
            }
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            err.println("stream-jobs: bad configuration: " + e.getMessage());
            return 2;
        }
        return 0;
    }

    /** {@code rules [--check] FILE}: parse the file, then (unless checking) publish it to the rules topic. */
    private static int rules(
            List<String> arguments, Path configFile, Map<String, String> environment, PrintStream out, PrintStream err)
            throws IOException {
        boolean checkOnly = arguments.remove("--check");
        if (arguments.size() != 1) {
            err.println("stream-jobs: rules needs exactly one rules file, got " + arguments + "\n\n" + USAGE);
            return 2;
        }
        Path file = Path.of(arguments.get(0));
        if (!Files.isRegularFile(file)) {
            err.println("stream-jobs: no rules file " + file);
            return 2;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        RuleSet rules;
        try {
            rules = RulesParser.parse(file.toString(), text);
        } catch (RuleException e) {
            err.println("stream-jobs: rules refused: " + e.getMessage());
            return 1;
        }
        if (checkOnly) {
            out.println("stream-jobs: " + file + ": " + rules + ", valid");
            return 0;
        }
        AlertsJobConfig config;
        try {
            config = AlertsJobConfig.load(configFile, environment);
        } catch (IllegalArgumentException e) {
            err.println("stream-jobs: bad configuration: " + e.getMessage());
            return 2;
        }
        Map<String, Object> producer = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                15_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                20_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                10_000);
        try (KafkaProducer<String, String> kafka =
                new KafkaProducer<>(producer, new StringSerializer(), new StringSerializer())) {
            // One key for every rules file: the compacted topic keeps only the newest.
            kafka.send(new ProducerRecord<>(config.rulesTopic(), "rules", text)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            err.println("stream-jobs: could not publish to " + config.rulesTopic() + " at " + config.kafkaBootstrap()
                    + ": " + e.getMessage());
            return 1;
        }
        out.println("stream-jobs: published " + rules + " to " + config.rulesTopic()
                + "; the alerts job logs 'rules replaced' when it applies them");
        return 0;
    }
}
