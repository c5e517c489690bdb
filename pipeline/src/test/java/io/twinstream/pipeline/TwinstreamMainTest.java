package io.twinstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.model.cli.TwinstreamVersion;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one command line, without services: every command is reachable under {@code twinstream}, takes
 * --help and --version, reads {@code --x=y} and {@code --x y} alike, and refuses a bad argument in one
 * line that names the command and the argument, with status 2.
 */
class TwinstreamMainTest {

    private static final String DEMO_RULES = Path.of(
                    "..", "stream-jobs", "src", "main", "resources", "rules", "demo.yaml")
            .toString();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return TwinstreamMain.run(
                args,
                Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldListEveryCommand() {
        assertThat(run("--help")).isZero();
        assertThat(out())
                .startsWith("Usage: twinstream")
                .contains("demo", "simulate", "expect", "hash", "ingest", "jobs", "rules", "audit", "stack", "topics");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "demo",
                "simulate",
                "expect",
                "hash",
                "ingest",
                "jobs",
                "jobs metrics",
                "jobs alerts",
                "rules",
                "rules check",
                "rules publish",
                "audit",
                "stack",
                "stack up",
                "topics"
            })
    void shouldGiveHelpAndTheVersionOnEveryCommand(String command) {
        String[] words = command.split(" ");
        assertThat(run(append(words, "--help"))).isZero();
        assertThat(out()).startsWith("Usage: twinstream " + command + " ").contains("--version");
        assertThat(run(append(words, "--version"))).isZero();
        assertThat(out()).startsWith("twinstream " + TwinstreamVersion.version());
        assertThat(err()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "simulate --scenario=demo.yaml --speed=fast | twinstream simulate: Invalid value for option '--speed':"
                        + " must be a positive number or 'max', was 'fast'",
                "demo --taskmanagers 0 | twinstream demo: --taskmanagers must be 1-8, was '0'",
                "demo --settle=soon | twinstream demo: Invalid value for option '--settle': 'soon' is not a duration",
                "expect --rate-scale 2 | twinstream expect: Missing required option: '--scenario=FILE'",
                "audit --scenario demo.yaml --influx-url=influx:8086 | twinstream audit: --influx-url must look like"
                        + " http://host:8086",
                "jobs metrics --config=/nonexistent.properties | twinstream jobs metrics: bad configuration: no"
                        + " configuration file /nonexistent.properties",
                "jobs reports | twinstream jobs: Unmatched argument at index 1: 'reports'",
                "rules check | twinstream rules check: Missing required parameter: 'FILE'",
                "ingest --config /nonexistent.properties | twinstream ingest: no configuration file"
                        + " /nonexistent.properties",
                "stack down | twinstream stack: Unmatched argument at index 1: 'down'",
                "stack startup-benchmark --runs=0 | twinstream stack startup-benchmark: --runs must be at least 1",
                "colour | twinstream: Unmatched argument at index 0: 'colour'",
            })
    void shouldRefuseABadArgumentInOneLineNamingIt(String args, String expected) {
        assertThat(run(args.split(" "))).isEqualTo(2);
        assertThat(err()).startsWith(expected);
        assertThat(err().lines()).hasSize(1);
        assertThat(out()).isEmpty();
    }

    @Test
    void shouldCheckTheShippedRulesFromTheLauncher() {
        assertThat(run("rules", "check", DEMO_RULES)).isZero();
        assertThat(out()).startsWith("twinstream rules check: ").contains("5 rules [pm25-high", "valid");
        assertThat(run("jobs", "rules", "check", DEMO_RULES))
                .as("the same command under jobs")
                .isZero();
    }

    @Test
    void shouldTakeAnOptionsValueEitherWay() {
        // What the scenario commands compute is the simulator's to test (SimulatorMainTest); here,
        // only that the launcher hands them --x=y and --x y alike.
        assertThat(run("hash", "--scenario=demo.yaml", "--start=2026-01-05T04:30:00Z", "--duration=1m"))
                .isZero();
        String hash = out().strip();
        assertThat(run("hash", "--scenario", "demo.yaml", "--start", "2026-01-05T04:30:00Z", "--duration", "1m"))
                .isZero();
        assertThat(out().strip()).matches("[0-9a-f]{64}").isEqualTo(hash);
    }

    @Test
    void shouldListTheTopicsWithoutKafka() {
        assertThat(run("topics", "--list")).isZero();
        assertThat(out()).contains("telemetry.readings", "telemetry.rules", "cleanup.policy=compact");
    }

    /**
     * docs/commands.md is every command's help, as the code declares it: a command or option added,
     * changed or removed without the reference following fails here. {@code
     * -Dtwinstream.docs.write=true} writes the file anew (then review the diff).
     */
    @Test
    void shouldDocumentEveryCommandAsItsHelpSays() throws Exception {
        Path reference = Path.of("..", "docs", "commands.md");
        String expected = CommandsReference.render(TwinstreamMain.commandLine(Map.of(), System.out));
        if (Boolean.getBoolean("twinstream.docs.write")) {
            Files.writeString(reference, expected);
        }
        assertThat(Files.readString(reference))
                .as("docs/commands.md against the commands' declarations (-Dtwinstream.docs.write=true rewrites it)")
                .isEqualTo(expected);
    }

    private static String[] append(String[] words, String last) {
        String[] all = java.util.Arrays.copyOf(words, words.length + 1);
        all[words.length] = last;
        return all;
    }
}
