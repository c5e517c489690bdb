package io.twinstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatorMainTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return SimulatorMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldPrintUsageOnHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: simulator", "run", "expect", "hash");
        out.reset();
        assertThat(run("run", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: simulator run", "--rate-scale=X", "--speed");
    }

    @Test
    void shouldRequireAScenario() {
        assertThat(run("expect")).isEqualTo(2);
        assertThat(err())
                .isEqualTo("simulator expect: Missing required option: '--scenario=FILE'; see 'simulator expect --help'"
                        + System.lineSeparator());
    }

    @Test
    void shouldRejectABadRateScale() {
        assertThat(run("hash", "--scenario=demo.yaml", "--rate-scale=-1")).isEqualTo(2);
        assertThat(err()).contains("Invalid value for option '--rate-scale': must be a positive number, was '-1'");
    }

    @Test
    void shouldRejectAnUnknownCommand() {
        assertThat(run("publish", "--scenario", "demo.yaml")).isEqualTo(2);
        assertThat(err())
                .startsWith("simulator: Unmatched arguments from index 0: 'publish', '--scenario', 'demo.yaml'");
    }

    @Test
    void shouldReportAScenarioErrorWithoutAStackTrace() throws Exception {
        Path scenario = tmp.resolve("broken.yaml");
        Files.writeString(scenario, "name: x\nseed: 1\nduration: 1m\nsites:\n  - name: a\n    domain: town\n");

        assertThat(run("expect", "--scenario", scenario.toString())).isEqualTo(2);
        assertThat(err())
                .contains("broken.yaml:6: sites[0].domain: 'town' is not one of: city, factory")
                .doesNotContain("Exception");
    }

    @Test
    void shouldWriteTheGroundTruthToAFile() throws Exception {
        Path file = tmp.resolve("truth.jsonl");

        assertThat(run(
                        "expect",
                        "--scenario",
                        "demo.yaml",
                        "--start",
                        "2026-01-05T04:30:00Z",
                        "--duration",
                        "1m",
                        "--out",
                        file.toString()))
                .isZero();
        String last = Files.readAllLines(file).get(Files.readAllLines(file).size() - 1);
        assertThat(last).startsWith("{\"type\":\"totals\",\"scenario\":\"demo\"");
    }

    @Test
    void shouldRefuseTheGroundTruthOfAScenarioStartingAtThePresentWithoutItsStart() {
        assertThat(run("expect", "--scenario", "demo.yaml", "--duration", "1m")).isEqualTo(2);
        assertThat(err()).contains("simulator expect: demo.yaml starts at the present when it is played: give --start");
        assertThat(run("hash", "--scenario", "demo.yaml", "--start", "yesterday"))
                .isEqualTo(2);
        assertThat(err()).contains("'--start': must be an instant like 2026-01-05T04:30:00Z, was 'yesterday'");
    }

    @Test
    void shouldPrintTheSameHashTwice() {
        assertThat(run("hash", "--scenario", "demo.yaml", "--start", "2031-03-15T02:17:00Z", "--duration", "2m"))
                .isZero();
        assertThat(run("hash", "--scenario", "demo.yaml", "--start", "2031-03-15T02:17:00Z", "--duration", "2m"))
                .isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).matches("[0-9a-f]{64}").isEqualTo(lines[1]);
    }

    @Test
    void shouldFailClearlyWhenNoBrokerAnswers() {
        assertThat(run("run", "--scenario", "demo.yaml", "--duration", "10s", "--mqtt-url", "tcp://127.0.0.1:1"))
                .isEqualTo(1);
        assertThat(err()).contains("simulator run: MQTT:");
    }
}
