package io.twinstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo's command line without services: help, and bad arguments refused (status 2) before anything starts. */
class DemoMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        return DemoMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintHelp() throws Exception {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("Usage: demo [-hV]")
                .contains("MQTT_URL, KAFKA_BOOTSTRAP, INFLUX_URL");
    }

    @Test
    void shouldRefuseBadArgumentsBeforeStartingAnything() throws Exception {
        assertThat(run("--speed", "fast")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("Invalid value for option '--speed': must be a positive number or 'max', was 'fast'");
        assertThat(run("--scenario", "nowhere.yaml")).isEqualTo(2);
        assertThat(run("--duration")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Missing required parameter for option '--duration'");
        assertThat(run("--embedded", "--taskmanagers", "2")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--taskmanagers=N, --embedded are mutually exclusive");
        assertThat(run("--taskmanagers=0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--taskmanagers must be 1-8, was '0'");
        assertThat(run("--colour", "red")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("demo: Unknown options: '--colour', 'red'");
        assertThat(run("--dashboard-port", "70000")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("'--dashboard-port': must be a port number (0-65535, 0: any free one), was '70000'");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("starting the services");
    }
}
