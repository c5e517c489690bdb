package io.twinstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.infra.stack.InfluxHttp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo, end to end, every component real on this machine: the simulator publishes the demo
 * scenario (10 simulated minutes at 10x, QoS 1, gateway batches and single readings in JSON, SenML
 * and draft SenML, with duplicates, out-of-order, late and malformed messages, dropouts and
 * connection losses, an air-quality and an overheating episode) to Mosquitto → the ingest bridge →
 * Kafka → the metrics and alerts jobs (Flink: the demo's default, a session cluster it starts, a
 * JobManager and a TaskManager of their own, the job jar submitted with flink run) → InfluxDB ⇒ the
 * audit against {@code simulator expect} is clean: every window field by field and every alert
 * transition, nothing missing, nothing extra, every malformed message dead-lettered; every panel
 * of the Grafana dashboards returns data from that run's InfluxDB; the built-in live page, loaded in
 * headless Chromium, draws every site's charts with data, the alerts and the device status (its
 * screenshot is left in target/live-dashboard.png); and the demo stops what it started.
 */
class PipelineIT {

    /** Where the live page's screenshot is left for a human to look at. */
    private static final Path SCREENSHOT = Path.of("target", "live-dashboard.png");

    @Test
    void shouldRunTheDemoWithACleanAuditFilledDashboardsAndALivePage() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> emptyPanels = new ArrayList<>();
        AtomicReference<String> liveDom = new AtomicReference<>();
        AtomicInteger panelQueries = new AtomicInteger();

        AtomicReference<String> pageAfterTheAudit = new AtomicReference<>();
        int status = DemoMain.run(
                new String[] {"--scenario", "demo.yaml", "--settle", "4m", "--dashboard-port", "0", "--keep-running"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                ended -> {
                    // Before the demo stops its services: every Grafana panel's query against this run's InfluxDB,
                    // over the dashboard's default range (the last hour): where a user looks, with no ?from=&to=.
                    for (GrafanaPanels.PanelQuery panel : GrafanaPanels.all()) {
                        panelQueries.incrementAndGet();
                        String answer =
                                InfluxHttp.query(ended.influxUrl(), Pipeline.DATABASE, panel.resolvedForDefaultRange());
                        if (!answer.contains("\"values\":[[") || answer.contains("\"error\"")) {
                            emptyPanels.add(panel + ": " + answer);
                        }
                    }
                    // … and the live page in a real browser: its scripts fetch the state and draw.
                    liveDom.set(HeadlessChromium.dumpDom(ended.dashboardUrl(), Duration.ofSeconds(5)));
                    Files.createDirectories(SCREENSHOT.getParent());
                    HeadlessChromium.screenshot(ended.dashboardUrl(), Duration.ofSeconds(5), SCREENSHOT, 1400, 2600);
                    // --keep-running: after the audit everything stays up until Ctrl-C, which the test presses
                    // (what SIGINT's handler does: a run started in the background may ignore SIGINT itself).
                    Thread ctrlC = new Thread(
                            () -> {
                                try {
                                    Thread.sleep(3000);
                                    pageAfterTheAudit.set(
                                            HeadlessChromium.dumpDom(ended.dashboardUrl(), Duration.ofSeconds(3)));
                                } catch (Exception e) {
                                    pageAfterTheAudit.set("failed: " + e);
                                } finally {
                                    ended.ctrlC().press();
                                }
                            },
                            "ctrl-c");
                    ctrlC.setDaemon(true);
                    ctrlC.start();
                });

        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(status).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed)
                .contains("audit: CLEAN")
                .contains("demo: publishing demo")
                .contains("demo: publishing ")
                .contains("Where to look")
                .contains("everything stays up")
                .contains("demo: Ctrl-C: stopping everything")
                .contains("Flink web UI: http://127.0.0.1:");
        assertThat(pageAfterTheAudit.get())
                .as("the live page, served after the audit until Ctrl-C")
                .contains("tverskoy (city)");
        assertThat(number(printed, "windows +expected +([\\d,]+)"))
                .as("windows the scenario makes")
                .isGreaterThan(10_000);
        assertThat(number(printed, "alert transitions +expected +([\\d,]+)"))
                .as("both episodes' transitions")
                .isGreaterThan(10);
        assertThat(number(printed, "\\(\\+ ([\\d,]+) duplicates\\)")).isPositive();
        assertThat(number(printed, "([\\d,]+) late")).isPositive();
        assertThat(number(printed, "([\\d,]+) out of order")).isPositive();
        assertThat(number(printed, "([\\d,]+) malformed messages")).isPositive();

        assertThat(panelQueries.get()).as("Grafana panel queries run").isGreaterThanOrEqualTo(20);
        assertThat(emptyPanels).as("Grafana panels that would show nothing").isEmpty();

        String dom = liveDom.get();
        assertThat(number(dom, "data-updates=\"(\\d+)\""))
                .as("the page read the state")
                .isPositive();
        assertThat(number(dom, "data-charts=\"(\\d+)\""))
                .as("charts drawn with data: one per site and device type")
                .isEqualTo(15);
        assertThat(number(dom, "data-points=\"(\\d+)\"")).as("points drawn").isGreaterThan(15 * 30);
        assertThat(number(dom, "data-alerts=\"(\\d+)\""))
                .as("alert transitions listed")
                .isPositive();
        assertThat(dom)
                .contains("devices online")
                .contains("consumer lag metrics / alerts")
                .contains("tverskoy (city)")
                .contains("cnc · spindle_temp")
                .as("no error shown")
                .contains("<span id=\"error\"></span>");
        assertThat(Files.size(SCREENSHOT))
                .as(SCREENSHOT + ", the page as drawn")
                .isGreaterThan(30_000);
    }

    private static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'" + regex + "' in the demo's output").isTrue();
        return Long.parseLong(m.group(1).replace(",", ""));
    }
}
