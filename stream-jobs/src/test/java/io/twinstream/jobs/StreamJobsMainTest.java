package io.twinstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line without a cluster: help, unknown jobs, bad configuration, rules files checked. */
class StreamJobsMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> environment, String... args) throws Exception {
        return StreamJobsMain.run(
                args,
                environment,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintHelp() throws Exception {
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("metrics").contains("METRICS_<KEY>");
    }

    @Test
    void shouldRefuseUnknownJobs() throws Exception {
        assertThat(run(Map.of(), "reports")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo(
                        "stream-jobs: Unmatched argument at index 0: 'reports' (did you mean alerts?); see 'stream-jobs --help'"
                                + System.lineSeparator());
    }

    @Test
    void shouldRefuseToStartTheAlertsJobWithABadRulesFileNamingRuleAndField(@TempDir Path tmp) throws Exception {
        Path rules = Files.writeString(
                tmp.resolve("rules.yaml"),
                String.join(
                        "\n",
                        "rules:",
                        "  - name: hot",
                        "    match: { metric: spindle_temp }",
                        "    above: 80",
                        "    clearBelow: 90"));

        assertThat(run(Map.of("ALERTS_RULES_FILE", rules.toString()), "alerts")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("rules.file").contains("rule hot: clearBelow (90.0)");
    }

    @Test
    void shouldCheckARulesFileWithoutKafka(@TempDir Path tmp) throws Exception {
        Path good = Files.writeString(
                tmp.resolve("good.yaml"),
                "rules:\n  - { name: hot, match: { metric: spindle_temp }, above: 80, for: 20s, clearBelow: 70 }\n");
        Path bad = Files.writeString(
                tmp.resolve("bad.yaml"),
                "rules:\n  - { name: hot, match: { metric: spindle_temp }, above: 80, for: 20 seconds }\n");

        assertThat(run(Map.of(), "rules", "check", good.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("1 rules [hot], valid");
        assertThat(run(Map.of(), "rules", "publish", bad.toString()))
                .as("refused before Kafka is asked")
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("rules refused")
                .contains("rule hot")
                .contains("for");
        err.reset();
        assertThat(run(Map.of(), "rules", "check")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("stream-jobs rules check: Missing required parameter: 'FILE'; see 'stream-jobs rules check"
                        + " --help'" + System.lineSeparator());
        err.reset();
        assertThat(run(Map.of(), "rules", "check", "/nonexistent.yaml")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no rules file /nonexistent.yaml");
    }

    @Test
    void shouldNameABadSetting() throws Exception {
        assertThat(run(Map.of("METRICS_ALLOWED_LATENESS", "a minute"), "metrics"))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("metrics.allowed-lateness must be a duration");

        assertThat(run(Map.of(), "metrics", "--config=/nonexistent.properties")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no configuration file /nonexistent.properties");
    }
}
