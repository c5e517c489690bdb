package io.twinstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.infra.stack.KafkaBroker;
import io.twinstream.infra.stack.junit.ServiceStackExtension;
import io.twinstream.jobs.alerts.AlertsJob;
import io.twinstream.jobs.alerts.AlertsJobConfig;
import io.twinstream.jobs.metrics.MetricsJob;
import io.twinstream.jobs.metrics.MetricsJobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator uids are the savepoint contract (docs/upgrading.md): each job as it is submitted has
 * exactly the uids that page lists for it, so a uid renamed, added or dropped fails here before a
 * savepoint taken in production fails to restore. (A real Kafka: the jobs check their topics before
 * they build.)
 */
@ExtendWith(ServiceStackExtension.class)
class OperatorUidsIT {

    private static final Path REFERENCE = Path.of("..", "docs", "upgrading.md");
    private static final Pattern UID = Pattern.compile("`([a-z0-9-]+)`");

    @Test
    void shouldGiveEachJobExactlyTheUidsItsSavepointContractLists(KafkaBroker kafka) throws Exception {
        kafka.ensurePipelineTopics();
        Properties settings = new Properties();
        settings.setProperty("kafka.bootstrap", kafka.bootstrapServers());

        MetricsJobConfig metrics = MetricsJobConfig.load(settings, Map.of());
        StreamExecutionEnvironment metricsJob =
                StreamExecutionEnvironment.getExecutionEnvironment(MetricsJob.flinkConfiguration(metrics));
        MetricsJob.addTo(metricsJob, metrics);
        AlertsJobConfig alerts = AlertsJobConfig.load(settings, Map.of());
        StreamExecutionEnvironment alertsJob =
                StreamExecutionEnvironment.getExecutionEnvironment(AlertsJob.flinkConfiguration(alerts));
        AlertsJob.addTo(alertsJob, alerts);

        assertThat(uids(metricsJob))
                .as("the metrics job's uids against docs/upgrading.md")
                .isEqualTo(documented("metrics"));
        assertThat(uids(alertsJob))
                .as("the alerts job's uids against docs/upgrading.md")
                .isEqualTo(documented("alerts"));
    }

    /**
     * Every uid in the job's graph: from each operator through its inputs, sources included. (The
     * broadcast rules input is an input of the rule evaluator, but not among its "transitive
     * predecessors", so the walk follows inputs itself.)
     */
    private static Set<String> uids(StreamExecutionEnvironment env) {
        Set<String> uids = new TreeSet<>();
        Set<Transformation<?>> seen = new HashSet<>();
        Deque<Transformation<?>> toVisit = new ArrayDeque<>(env.getTransformations());
        while (!toVisit.isEmpty()) {
            Transformation<?> transformation = toVisit.pop();
            if (seen.add(transformation)) {
                if (transformation.getUid() != null) {
                    uids.add(transformation.getUid());
                }
                toVisit.addAll(transformation.getInputs());
            }
        }
        return uids;
    }

    /** The uids in the second column of the uid table's rows for {@code job}. */
    private static Set<String> documented(String job) throws Exception {
        Set<String> uids = new TreeSet<>();
        for (String line : Files.readAllLines(REFERENCE)) {
            if (line.startsWith("| " + job + " | ")) {
                Matcher uid = UID.matcher(line.split(" \\| ")[1]);
                while (uid.find()) {
                    uids.add(uid.group(1));
                }
            }
        }
        assertThat(uids).as(job + " rows in " + REFERENCE).isNotEmpty();
        return uids;
    }
}
