package io.twinstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo, whole, on a machine whose clock reads more than five years ahead: the demo's JVM (the
 * simulator, ingest with its clock check, the Flink jobs, the audit) and every service it starts
 * that reads the clock through the C library (the Kafka broker's JVM, Mosquitto) run under
 * libfaketime ({@code faketime +1900d}, Debian's package, installed by infra/bin/install-services).
 * The scenario starts at that present, ingest accepts every reading, and the audit is clean: nothing
 * in the product depends on today's date. (influxd, a Go program, reads the clock without the C
 * library and keeps the real date; nothing the demo asks it depends on its clock.)
 */
class ShiftedClockIT {

    /** About 5.2 years: from any date this suite runs on, past 2030. */
    private static final Duration SHIFT = Duration.ofDays(1900);

    private static final Path OUTPUT = Path.of("target", "shifted-clock-demo.out");
    private static final Path LOG = Path.of("target", "shifted-clock-demo.log");

    @Test
    void shouldRunTheDemoCleanWithTheClockYearsAhead() throws Exception {
        Path faketime = Path.of("/usr/bin/faketime");
        assertThat(faketime)
                .as("faketime (Debian's package; infra/bin/install-services installs it)")
                .isExecutable();
        Files.createDirectories(OUTPUT.getParent());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                        faketime.toString(),
                        "-f",
                        "+" + SHIFT.toDays() + "d",
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "-Dlog4j2.configurationFile=classpath:twinstream-demo-log4j2.xml",
                        "-Dlog4j2.statusLoggerLevel=ERROR",
                        "-D" + DemoMain.LOG_FILE_PROPERTY + "=" + LOG.toAbsolutePath(),
                        // At 20x (the demo's scenario in 30 s): what is proven here is the date, not the demo's pace.
                        DemoMain.class.getName(),
                        "--dashboard-port",
                        "0",
                        "--settle",
                        "4m",
                        "--speed",
                        "20"))
                .redirectErrorStream(true)
                .redirectOutput(OUTPUT.toFile());
        // The demo starts its own services: none named by the environment of this test run.
        builder.environment().keySet().removeAll(List.of("MQTT_URL", "KAFKA_BOOTSTRAP", "INFLUX_URL"));
        Instant shiftedNowBefore = Instant.now().plus(SHIFT);
        Process demo = builder.start();
        boolean ended = demo.waitFor(8, TimeUnit.MINUTES);
        if (!ended) {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String printed = read(OUTPUT);
        System.out.println(printed);
        assertThat(ended).as("the demo ended within 8 minutes:\n" + printed).isTrue();
        assertThat(demo.exitValue()).as(printed).isZero();
        assertThat(printed).contains("audit: CLEAN");

        Matcher start = Pattern.compile("simulated start (\\S+Z)").matcher(printed);
        assertThat(start.find()).as("the demo prints its simulated start").isTrue();
        Instant simulatedStart = Instant.parse(start.group(1));
        assertThat(simulatedStart.atZone(ZoneOffset.UTC).getYear())
                .as("the demo played at the shifted present")
                .isGreaterThanOrEqualTo(2030);
        assertThat(simulatedStart)
                .isBetween(
                        shiftedNowBefore.minus(Duration.ofMinutes(11)), shiftedNowBefore.plus(Duration.ofMinutes(1)));
        assertThat(number(printed, "telemetry.readings ([\\d,]+) records"))
                .as("readings ingest wrote to Kafka")
                .isGreaterThan(5_000);
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'" + regex + "' in the demo's output").isTrue();
        return Long.parseLong(m.group(1).replace(",", ""));
    }
}
