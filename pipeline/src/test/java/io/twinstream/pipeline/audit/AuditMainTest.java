package io.twinstream.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line without services: help, bad arguments (exit 2), an unreachable InfluxDB (exit 1). */
class AuditMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return AuditMain.run(
                args,
                Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("Usage: audit [-hV]")
                .contains("Exit status");
    }

    @Test
    void shouldRefuseBadArgumentsWithStatus2() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("audit: Missing required option: '--scenario=FILE'");
        assertThat(run("--scenario", "demo.yaml", "--rate-scale", "-1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'--rate-scale': must be a positive number");
        assertThat(run("--scenario", "demo.yaml", "--influx-url", "influx:8086"))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--influx-url must look like http://host:8086");
        assertThat(run("--scenario", "no-such-scenario.yaml")).isEqualTo(2);
        assertThat(run("--scenario", "demo.yaml", "--bogus", "1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("audit: Unknown options: '--bogus', '1'");
        assertThat(run("--scenario", "demo.yaml", "--start", "5 minutes ago")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("'--start': must be an instant like 2026-01-05T04:30:00Z");
    }

    @Test
    void shouldAskForTheStartOfAScenarioThatStartsAtThePresent() {
        assertThat(run("--scenario", "demo.yaml", "--no-kafka")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("audit: demo.yaml starts at the present when it is played: give --start");
    }

    @Test
    void shouldFailWithStatus1WhenInfluxDbCannotBeRead() {
        int unused = io.twinstream.infra.stack.local.FreePorts.pick();
        assertThat(run(
                        "--scenario",
                        "demo.yaml",
                        "--start",
                        "2026-01-05T04:30:00Z",
                        "--duration",
                        "1m",
                        "--no-kafka",
                        "--influx-url",
                        "http://127.0.0.1:" + unused))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("audit: could not read the pipeline's output");
    }
}
