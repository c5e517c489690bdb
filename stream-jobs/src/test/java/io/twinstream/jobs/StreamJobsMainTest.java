package io.twinstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The command line without a cluster: help, unknown jobs, bad configuration. */
class StreamJobsMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> environment, String... args) throws Exception {
        return StreamJobsMain.run(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintHelp() throws Exception {
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("metrics").contains("METRICS_<KEY>");
    }

    @Test
    void shouldRefuseUnknownJobsAndSayAlertsAreNotThereYet() throws Exception {
        assertThat(run(Map.of(), "reports")).isEqualTo(2);
        assertThat(run(Map.of(), "alerts")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown job 'reports'").contains("issue #6");
    }

    @Test
    void shouldNameABadSetting() throws Exception {
        assertThat(run(Map.of("METRICS_METRICS_ALLOWED_LATENESS", "a minute"), "metrics")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("metrics.allowed-lateness must be a duration");

        assertThat(run(Map.of(), "metrics", "--config", "/nonexistent.properties")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no configuration file /nonexistent.properties");
    }
}
