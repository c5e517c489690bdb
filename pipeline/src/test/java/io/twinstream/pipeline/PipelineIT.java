package io.twinstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo, end to end, every component real on this machine: the simulator publishes the demo
 * scenario (10 simulated minutes at 10x, QoS 1, gateway batches and single readings in JSON, SenML
 * and draft SenML, with duplicates, out-of-order, late and malformed messages, dropouts and
 * connection losses, an air-quality and an overheating episode) to Mosquitto → the ingest bridge →
 * Kafka → the metrics and alerts jobs (Flink; here in the test's MiniCluster) → InfluxDB ⇒ the
 * audit against {@code simulator expect} is clean: every window field by field and every alert
 * transition, nothing missing, nothing extra, every malformed message dead-lettered; and the demo
 * stops what it started.
 */
class PipelineIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @Test
    void shouldRunTheDemoWithACleanAudit() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = DemoMain.run(new String[] {"--scenario", "demo.yaml", "--settle", "4m"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(status).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).contains("audit: CLEAN").contains("demo: publishing demo").contains("demo: publishing ")
                .contains("Where to look");
        assertThat(number(printed, "windows +expected +([\\d,]+)")).as("windows the scenario makes").isGreaterThan(10_000);
        assertThat(number(printed, "alert transitions +expected +([\\d,]+)")).as("both episodes' transitions").isGreaterThan(10);
        assertThat(number(printed, "\\(\\+ ([\\d,]+) duplicates\\)")).isPositive();
        assertThat(number(printed, "([\\d,]+) late")).isPositive();
        assertThat(number(printed, "([\\d,]+) out of order")).isPositive();
        assertThat(number(printed, "([\\d,]+) malformed messages")).isPositive();
    }

    private static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'" + regex + "' in the demo's output").isTrue();
        return Long.parseLong(m.group(1).replace(",", ""));
    }
}
