package io.twinstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, without services: help, bad arguments and bad configuration. */
class IngestMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> environment, String... args) {
        return IngestMain.run(
                args,
                environment,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                bridge -> {
                    throw new AssertionError("must not start");
                });
    }

    @Test
    void shouldPrintHelp() {
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .startsWith("Usage: ingest [-hV] [--config=FILE]")
                .contains("INGEST_<KEY>");
    }

    @Test
    void shouldRefuseUnknownArguments() {
        assertThat(run(Map.of(), "--verbose")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("ingest: Unknown option: '--verbose' (did you mean --version?); see 'ingest --help'"
                        + System.lineSeparator());
    }

    @Test
    void shouldRefuseAMissingConfigurationFile() {
        assertThat(run(Map.of(), "--config=/nonexistent/ingest.properties")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("no configuration file /nonexistent/ingest.properties");
    }

    @Test
    void shouldNameABadKeyInTheFile(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("ingest.properties");
        Files.writeString(file, "mqtt.connections=lots\n");

        assertThat(run(Map.of(), "--config", file.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("bad configuration: mqtt.connections must be a whole number");
    }

    @Test
    void shouldNameABadEnvironmentOverride() {
        assertThat(run(Map.of("INGEST_MQTT_ON_SHUTDOWN", "later"))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("mqtt.on-shutdown must be leave-group or keep-subscription");
    }
}
