package io.twinstream.infra.stack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StackMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        return StackMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintUsageOnHelp() throws Exception {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("Usage: stack [-hV] [COMMAND]", "startup-benchmark", "MQTT_URL");
    }

    @Test
    void shouldFailWithUsageWithoutCommand() throws Exception {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("stack: Missing required subcommand; see 'stack --help'" + System.lineSeparator());
    }

    @Test
    void shouldRejectUnknownCommand() throws Exception {
        assertThat(run("down")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("stack: Unmatched argument at index 0: 'down'");
    }

    @Test
    void shouldRejectBadRunsBeforeStartingAnything() throws Exception {
        assertThat(run("startup-benchmark", "--runs=zero")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("Invalid value for option '--runs': 'zero' is not an int");
        assertThat(run("startup-benchmark", "--runs", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("stack startup-benchmark: --runs must be at least 1, was 0");
    }

    @Test
    void shouldRejectUnknownOption() throws Exception {
        assertThat(run("up", "--verbose")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("stack up: Unknown option: '--verbose'");
    }

    @Test
    void shouldListTheTopicCatalogWithoutKafka() throws Exception {
        assertThat(run("topics", "--list")).isZero();
        String listed = out.toString(StandardCharsets.UTF_8);
        assertThat(listed)
                .contains(
                        "telemetry.readings",
                        "telemetry.deadletter",
                        "telemetry.late",
                        "telemetry.alerts",
                        "telemetry.rules",
                        "3 replica(s)",
                        "min.insync.replicas=2",
                        "cleanup.policy=compact");
    }

    @Test
    void shouldRejectANegativeFlinkClusterBeforeStartingAnything() throws Exception {
        assertThat(run("up", "--flink", "-1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("stack up: --flink must be at least 0, was -1");
    }
}
