package io.twinstream.jobs.bench;

import io.twinstream.jobs.alerts.AlertsJob;
import io.twinstream.jobs.alerts.AlertsJobConfig;
import io.twinstream.jobs.metrics.MetricsJob;
import io.twinstream.jobs.metrics.MetricsJobConfig;
import io.twinstream.jobs.metrics.MetricsTopology;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A job as the benchmark runs it: exactly what {@code StreamJobsMain metrics|alerts --config FILE}
 * runs (same wiring, same local MiniCluster, parallelism = cores), plus a {@code READY} line once the
 * job is running, so the benchmark can leave Flink's start-up out of the timing. Runs until killed.
 * Arguments: {@code metrics|alerts|metrics-topology CONFIG-FILE}; {@code metrics-topology} is a
 * diagnostic: the metrics job's source and topology with its outputs counted by {@link CountingSink}
 * instead of written, which tells the job's own cost from InfluxDB's.
 */
public final class FlinkPeer {

    private FlinkPeer() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        StreamExecutionEnvironment env;
        if (args[0].equals("metrics-topology")) {
            // A diagnostic, not the job: the topology behind the job's own source, its outputs only
            // counted, to tell the job's own cost from InfluxDB's.
            MetricsJobConfig config = MetricsJobConfig.load(file, Map.of());
            env = StreamExecutionEnvironment.getExecutionEnvironment(MetricsJob.flinkConfiguration(config));
            MetricsTopology.Outputs out = MetricsTopology.build(
                    MetricsJob.readings(env, config),
                    config.outOfOrderness(),
                    config.dedupMemory(),
                    config.allowedLateness());
            out.deviceWindows()
                    .map(w -> w.site().startsWith(BenchLoad.MARKER_PREFIX) ? 0L : 1L, Types.LONG)
                    .sinkTo(new CountingSink("device"));
            out.siteWindows()
                    .map(w -> w.site().startsWith(BenchLoad.MARKER_PREFIX) ? 0L : 1L, Types.LONG)
                    .sinkTo(new CountingSink("site"));
            out.late().map(sample -> 1L, Types.LONG).sinkTo(new CountingSink("late"));
            CountingSink.reportEvery100ms();
        } else if (args[0].equals("alerts")) {
            AlertsJobConfig config = AlertsJobConfig.load(file, Map.of());
            env = StreamExecutionEnvironment.getExecutionEnvironment(AlertsJob.flinkConfiguration(config));
            AlertsJob.addTo(env, config);
        } else {
            MetricsJobConfig config = MetricsJobConfig.load(file, Map.of());
            env = StreamExecutionEnvironment.getExecutionEnvironment(MetricsJob.flinkConfiguration(config));
            MetricsJob.addTo(env, config);
        }
        runUntilKilled(env.executeAsync("twinstream " + args[0] + " (benchmark)"));
    }

    /**
     * Prints {@code JOB id}, then {@code READY} once the job runs (the benchmark's clock starts
     * there), and waits; an unbounded job that ends or fails prints why and exits with 1.
     */
    static void runUntilKilled(JobClient job) throws Exception {
        System.out.println("JOB " + job.getJobID());
        while (job.getJobStatus().get() != JobStatus.RUNNING) {
            Thread.sleep(50);
        }
        System.out.println("READY");
        try {
            job.getJobExecutionResult().get();
            System.out.println("ENDED: the job finished, which an unbounded source should not");
        } catch (java.util.concurrent.ExecutionException e) {
            System.out.println("FAILED");
            e.printStackTrace(System.out);
        }
        System.exit(1);
    }
}
