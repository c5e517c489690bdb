package io.twinstream.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class CommandLinesTest {

    @Command(
            name = "sample",
            mixinStandardHelpOptions = true,
            versionProvider = TwinstreamVersion.class,
            description = "A command that follows the conventions.",
            subcommands = Sample.Child.class)
    static final class Sample implements Callable<Integer> {
        @Option(names = "--settle", defaultValue = "3m", description = "a duration")
        Duration settle;

        @Option(names = "--speed", converter = Converters.Speed.class, description = "a speed")
        Double speed;

        @Option(names = "--port", converter = Converters.Port.class, defaultValue = "8088")
        int port;

        @Option(names = "--fail-with")
        String failWith;

        @Override
        public Integer call() throws Exception {
            if ("bad-input".equals(failWith)) {
                throw new IllegalArgumentException("scenario demo.yaml: no such file");
            }
            if ("io".equals(failWith)) {
                throw new IOException("InfluxDB at http://127.0.0.1:1 refused the connection");
            }
            return CommandLines.OK;
        }

        @Command(name = "child", mixinStandardHelpOptions = true, versionProvider = TwinstreamVersion.class)
        static final class Child implements Callable<Integer> {
            @Option(names = "--every")
            Duration every;

            @Override
            public Integer call() {
                return every.toSeconds() == 90 ? CommandLines.OK : CommandLines.FAILED;
            }
        }
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Sample sample, String... args) {
        return CommandLines.execute(
                sample,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldTakeAnOptionsValueAfterASpaceOrAnEqualsSign() {
        Sample spaced = new Sample();
        assertThat(run(spaced, "--settle", "90s", "--speed", "max", "--port", "0"))
                .isZero();
        Sample joined = new Sample();
        assertThat(run(joined, "--settle=90s", "--speed=2.5", "--port=9000")).isZero();

        assertThat(spaced.settle).isEqualTo(Duration.ofSeconds(90));
        assertThat(spaced.speed).isZero();
        assertThat(joined.settle).isEqualTo(Duration.ofSeconds(90));
        assertThat(joined.speed).isEqualTo(2.5);
        assertThat(joined.port).isEqualTo(9000);
        assertThat(new Sample().settle).as("before parsing").isNull();
        assertThat(run(new Sample(), "child", "--every=1.5m"))
                .as("subcommands too")
                .isZero();
    }

    @Test
    void shouldPrintHelpAndVersionEverywhereAndExitZero() {
        assertThat(run(new Sample(), "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("Usage: sample")
                .contains("--settle");
        out.reset();
        assertThat(run(new Sample(), "child", "--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .startsWith("twinstream " + TwinstreamVersion.version())
                .contains("Java " + System.getProperty("java.version"));
        assertThat(TwinstreamVersion.version()).as("filtered from the POM").matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void shouldReportABadArgumentInOneLineNamingItWithStatusTwo() {
        assertThat(run(new Sample(), "--settle", "soon")).isEqualTo(2);
        assertThat(err())
                .isEqualTo("sample: Invalid value for option '--settle': 'soon' is not a duration like 250ms,"
                        + " 10s, 5m, 2h or 1d; see 'sample --help'" + System.lineSeparator());
        err.reset();
        assertThat(run(new Sample(), "--speed=fast")).isEqualTo(2);
        assertThat(err()).contains("'--speed'").contains("must be a positive number or 'max', was 'fast'");
        assertThat(err().lines()).hasSize(1);
        err.reset();
        assertThat(run(new Sample(), "--port", "70000")).isEqualTo(2);
        assertThat(err()).contains("must be a port number");
        err.reset();
        assertThat(run(new Sample(), "chidl")).isEqualTo(2);
        assertThat(err()).startsWith("sample: Unmatched argument at index 0: 'chidl' (did you mean child?)");
        assertThat(err().lines()).hasSize(1);
        err.reset();
        assertThat(run(new Sample(), "child", "--evry", "1m")).isEqualTo(2);
        assertThat(err())
                .startsWith("sample child: Unknown options: '--evry', '1m' (did you mean --every?)")
                .endsWith("see 'sample child --help'" + System.lineSeparator());
    }

    @Test
    void shouldReportAFailureInOneLineWithItsStatus() {
        assertThat(run(new Sample(), "--fail-with", "bad-input")).isEqualTo(2);
        assertThat(err()).isEqualTo("sample: scenario demo.yaml: no such file" + System.lineSeparator());
        err.reset();
        assertThat(run(new Sample(), "--fail-with", "io")).isEqualTo(1);
        assertThat(err())
                .isEqualTo("sample: InfluxDB at http://127.0.0.1:1 refused the connection" + System.lineSeparator());
    }
}
