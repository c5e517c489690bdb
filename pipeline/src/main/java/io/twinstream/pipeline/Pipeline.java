package io.twinstream.pipeline;

import io.twinstream.infra.stack.InfluxServer;
import io.twinstream.infra.stack.KafkaBroker;
import io.twinstream.infra.stack.MqttBroker;
import io.twinstream.infra.stack.local.FlinkSessionCluster;
import io.twinstream.ingest.Bridge;
import io.twinstream.ingest.config.IngestConfig;
import io.twinstream.jobs.alerts.AlertsJob;
import io.twinstream.jobs.alerts.AlertsJobConfig;
import io.twinstream.jobs.metrics.MetricsJob;
import io.twinstream.jobs.metrics.MetricsJobConfig;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's own components on this machine, against given services: the ingest bridge, and
 * the metrics and alerts jobs, either embedded (each in a local Flink MiniCluster, or in the test's
 * shared one) or submitted as the shaded job jar to a Flink session cluster, as users deploy them.
 * Creates the topics and the database it needs when missing. Closing stops the bridge and cancels
 * the jobs; the services are the caller's.
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    public static final String DATABASE = "telemetry";
    /** The jobs' consumer groups on telemetry.readings (their committed offsets give their lag). */
    public static final String METRICS_GROUP = "twinstream-metrics";

    public static final String ALERTS_GROUP = "twinstream-alerts";
    /** Both jobs' groups, in that order. */
    public static final List<String> JOB_GROUPS = List.of(METRICS_GROUP, ALERTS_GROUP);

    /**
     * @param checkpoints where the jobs keep their checkpoints (a directory of its own per job inside)
     * @param idleAfter   time waiting for input without readings after which the jobs move event time on
     * @param parallelism of each job
     */
    public record Settings(Path checkpoints, Duration idleAfter, int parallelism) {}

    /** A running job, embedded or on a cluster. */
    public interface RunningJob {
        /** Flink's job id. */
        String id();

        void cancel() throws Exception;

        /**
         * Stops the job with a savepoint in {@code directory} (sources stop, sinks commit, the job
         * finishes) and returns the savepoint's path.
         */
        Path stopWithSavepoint(Path directory) throws Exception;
    }

    /**
     * Where the jobs run: how one is started from its configuration, fresh or from a savepoint (or
     * null), from a job jar on a cluster (null when embedded).
     */
    @FunctionalInterface
    private interface JobLauncher {
        RunningJob start(String job, Properties config, Path savepoint, int parallelism, Path jobJar) throws Exception;
    }

    private final IngestConfig ingest;
    private final JobLauncher launcher;
    private final Properties metricsConfig;
    private final Properties alertsConfig;
    /** The job jar on a cluster; null when the jobs are embedded. */
    private volatile Path jobJar;

    private volatile RunningJob metrics;
    private volatile RunningJob alerts;
    private volatile Bridge bridge;

    private Pipeline(
            IngestConfig ingest,
            JobLauncher launcher,
            Properties metricsConfig,
            Properties alertsConfig,
            Path jobJar,
            Bridge bridge,
            RunningJob metrics,
            RunningJob alerts) {
        this.ingest = ingest;
        this.jobJar = jobJar;
        this.launcher = launcher;
        this.metricsConfig = metricsConfig;
        this.alertsConfig = alertsConfig;
        this.bridge = bridge;
        this.metrics = metrics;
        this.alerts = alerts;
    }

    /** The bridge, and both jobs embedded in this JVM (a MiniCluster each, or the test's shared one). */
    public static Pipeline start(MqttBroker mqtt, KafkaBroker kafka, InfluxServer influx, Settings settings)
            throws Exception {
        return start(
                mqtt,
                kafka,
                influx,
                settings,
                null,
                (job, config, savepoint, parallelism, jar) -> startEmbedded(job, config, savepoint, parallelism));
    }

    /**
     * The bridge, and both jobs submitted to {@code cluster} as {@code jobJar} (the shaded job jar)
     * with {@code flink run}, each at the settings' parallelism; their configuration files are
     * written beside the checkpoints.
     */
    public static Pipeline startOnCluster(
            MqttBroker mqtt,
            KafkaBroker kafka,
            InfluxServer influx,
            Settings settings,
            FlinkSessionCluster cluster,
            Path jobJar)
            throws Exception {
        return start(mqtt, kafka, influx, settings, jobJar, (job, config, savepoint, parallelism, jar) -> {
            Path file = settings.checkpoints().resolve(job + ".properties");
            Files.createDirectories(file.getParent());
            try (Writer out = Files.newBufferedWriter(file)) {
                config.store(out, "twinstream " + job + " job, written by the pipeline for flink run");
            }
            String id = cluster.submit(jar, parallelism, savepoint, List.of(job, "--config", file.toString()));
            cluster.awaitRunning(id, Duration.ofMinutes(2));
            return new RunningJob() {
                @Override
                public String id() {
                    return id;
                }

                @Override
                public void cancel() throws Exception {
                    cluster.cancel(id);
                }

                @Override
                public Path stopWithSavepoint(Path directory) throws Exception {
                    return cluster.stopWithSavepoint(id, directory, Duration.ofMinutes(2));
                }
            };
        });
    }

    private static Pipeline start(
            MqttBroker mqtt,
            KafkaBroker kafka,
            InfluxServer influx,
            Settings settings,
            Path jobJar,
            JobLauncher launcher)
            throws Exception {
        createTopicsAndDatabase(kafka, influx);
        Properties p = new Properties();
        p.setProperty("mqtt.url", mqtt.url());
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("metrics.port", "0");
        IngestConfig ingest = IngestConfig.load(p, Map.of());
        Properties metricsConfig = common(kafka, influx, settings, "metrics", METRICS_GROUP);
        Properties alertsConfig = common(kafka, influx, settings, "alerts", ALERTS_GROUP);
        alertsConfig.setProperty("mqtt.url", mqtt.url());
        RunningJob metrics = launcher.start("metrics", metricsConfig, null, settings.parallelism(), jobJar);
        RunningJob alerts = null;
        Bridge bridge = null;
        try {
            alerts = launcher.start("alerts", alertsConfig, null, settings.parallelism(), jobJar);
            bridge = new Bridge(ingest);
            bridge.start();
            return new Pipeline(ingest, launcher, metricsConfig, alertsConfig, jobJar, bridge, metrics, alerts);
        } catch (Exception e) {
            new Pipeline(ingest, launcher, metricsConfig, alertsConfig, jobJar, bridge, metrics, alerts).close();
            throw e;
        }
    }

    /**
     * Stops both jobs with a savepoint (in {@code savepoints}) and starts them again from it at
     * {@code parallelism}: an upgrade or a rescale as an operator does it. The bridge goes on
     * meanwhile; the jobs read what arrived from where the savepoint left off.
     *
     * @return the two savepoints, metrics job's first
     */
    public synchronized List<Path> stopWithSavepointAndResume(Path savepoints, int parallelism) throws Exception {
        Path metricsSavepoint = metrics.stopWithSavepoint(savepoints.resolve("metrics"));
        metrics = launcher.start("metrics", metricsConfig, metricsSavepoint, parallelism, jobJar);
        Path alertsSavepoint = alerts.stopWithSavepoint(savepoints.resolve("alerts"));
        alerts = launcher.start("alerts", alertsConfig, alertsSavepoint, parallelism, jobJar);
        return List.of(metricsSavepoint, alertsSavepoint);
    }

    /**
     * An upgrade on a cluster: both jobs stopped with a savepoint and resumed from it as
     * {@code newJobJar} (another build of the jobs), whose state must restore from what the running
     * jar saved.
     *
     * @return the two savepoints, metrics job's first
     * @throws IllegalStateException when the jobs are embedded
     */
    public synchronized List<Path> upgrade(Path savepoints, int parallelism, Path newJobJar) throws Exception {
        if (jobJar == null) {
            throw new IllegalStateException("embedded jobs have no job jar to upgrade");
        }
        jobJar = newJobJar;
        return stopWithSavepointAndResume(savepoints, parallelism);
    }

    /** The metrics job, then the alerts job. */
    public List<RunningJob> jobs() {
        return List.of(metrics, alerts);
    }

    public Bridge bridge() {
        return bridge;
    }

    /**
     * Stops the bridge at once, draining and acknowledging nothing (as a crash would: the broker
     * keeps its sessions and sends the unacknowledged again), and after {@code downFor} starts a new one.
     */
    public void crashAndRestartBridge(Duration downFor) throws Exception {
        bridge.close();
        Thread.sleep(downFor.toMillis());
        Bridge restarted = new Bridge(ingest);
        restarted.start();
        bridge = restarted;
    }

    /** The pipeline's topics ({@code TopicCatalog}) and the database, when missing. */
    public static void createTopicsAndDatabase(KafkaBroker kafka, InfluxServer influx) throws Exception {
        List<String> created = kafka.ensurePipelineTopics();
        if (!created.isEmpty()) {
            LOG.info("created topics {}", created);
        }
        influx.createDatabase(DATABASE);
    }

    private static RunningJob startEmbedded(String job, Properties config, Path savepoint, int parallelism)
            throws Exception {
        StreamExecutionEnvironment env;
        // The parallelism before the job is added: operators take the environment's when created.
        if (job.equals("metrics")) {
            MetricsJobConfig metrics = MetricsJobConfig.load(config, Map.of());
            env = StreamExecutionEnvironment.getExecutionEnvironment(
                    restoringFrom(savepoint, MetricsJob.flinkConfiguration(metrics)));
            env.setParallelism(parallelism);
            MetricsJob.addTo(env, metrics);
        } else {
            AlertsJobConfig alerts = AlertsJobConfig.load(config, Map.of());
            env = StreamExecutionEnvironment.getExecutionEnvironment(
                    restoringFrom(savepoint, AlertsJob.flinkConfiguration(alerts)));
            env.setParallelism(parallelism);
            AlertsJob.addTo(env, alerts);
        }
        JobClient client = env.executeAsync("twinstream " + job);
        return new RunningJob() {
            @Override
            public String id() {
                return client.getJobID().toString();
            }

            @Override
            public void cancel() throws Exception {
                client.cancel().get(30, TimeUnit.SECONDS);
            }

            @Override
            public Path stopWithSavepoint(Path directory) throws Exception {
                return FlinkSessionCluster.savepointPath(
                        client.stopWithSavepoint(false, directory.toUri().toString(), SavepointFormatType.CANONICAL)
                                .get(2, TimeUnit.MINUTES));
            }
        };
    }

    private static Configuration restoringFrom(Path savepoint, Configuration config) {
        if (savepoint != null) {
            config.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
        }
        return config;
    }

    /** What both jobs are given; {@code job} is also the prefix of its own keys ({@code metrics.idle-after} …). */
    private static Properties common(
            KafkaBroker kafka, InfluxServer influx, Settings settings, String job, String group) {
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("kafka.group-id", group);
        p.setProperty(job + ".idle-after", settings.idleAfter().toMillis() + "ms");
        p.setProperty("influx.url", influx.url());
        p.setProperty("influx.database", DATABASE);
        p.setProperty("checkpoint.interval", "2s");
        p.setProperty(
                "checkpoint.dir", settings.checkpoints().resolve(job).toUri().toString());
        return p;
    }

    /** Stops the bridge (draining what it holds) and cancels the jobs. */
    @Override
    public void close() {
        if (bridge != null) {
            try {
                bridge.shutdown(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                bridge.close();
            }
        }
        for (RunningJob job : new RunningJob[] {metrics, alerts}) {
            if (job != null) {
                try {
                    job.cancel();
                } catch (Exception e) {
                    LOG.warn("cancelling job {}: {}", job.id(), e.getMessage());
                }
            }
        }
    }
}
