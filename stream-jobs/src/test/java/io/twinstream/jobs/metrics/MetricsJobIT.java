package io.twinstream.jobs.metrics;

import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.model.Reading;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics job from a real Kafka topic to a real InfluxDB: readings of 1,000 devices at two sites
 * over 5 simulated minutes, every tenth written twice (as a redelivery would) ⇒ InfluxDB holds
 * exactly the 10 s and 1 min device and site windows this test computes on its own, field by field,
 * and nothing more.
 */
class MetricsJobIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final int DEVICES = 1000;
    private static final int SECONDS = 300;

    @TempDir
    Path tmp;

    /** count, sum, min, max (and devices, for sites) per "tags|windowStart". */
    private final Map<String, double[]> expectedDevices = new TreeMap<>();

    private final Map<String, double[]> expectedSites = new TreeMap<>();
    private final Map<String, java.util.Set<String>> siteDevices = new TreeMap<>();

    private void expect(String device, String site, long ts, double value) {
        for (String window : new String[] {"10s", "1m"}) {
            long size = window.equals("10s") ? 10_000 : 60_000;
            long start = ts - Math.floorMod(ts, size);
            MetricsJobRuns.expectValue(
                    expectedDevices, "device_id=" + device + ",window=" + window + "|" + start, value, 4);
            String siteKey = "site=" + site + ",window=" + window + "|" + start;
            siteDevices.computeIfAbsent(siteKey, k -> new java.util.TreeSet<>()).add(device);
            MetricsJobRuns.expectValue(expectedSites, siteKey, value, 5)[4] =
                    siteDevices.get(siteKey).size();
        }
    }

    /**
     * Readings stamped now, as a live fleet sends them (the windows above are an hour old: no early
     * results for them, or the exact comparison would have failed): the open 1-min site window is
     * written early, marked final=false, and the 10-s window's point, once closed, is the final
     * value, overwritten in place.
     */
    private static void shouldWriteAnOpenWindowEarlyThenOverwriteItWithTheFinalValue(
            KafkaProcess kafka, InfluxdProcess influx) throws Exception {
        // All three readings (from 0.3 s before now) in one 10-s window, so in one 1-min window too. The
        // watermark is an hour behind (the windows above): neither closes before the readings ahead below.
        if (Math.floorMod(System.currentTimeMillis(), 10_000) < 500) {
            Thread.sleep(600);
        }
        long now = System.currentTimeMillis();
        List<Reading> live = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            long ts = now - 400 + i * 100;
            live.add(new Reading(
                    "city", "live", "noise", "live-1", ts, i, ts, new String[] {"db"}, new double[] {10 * i}));
        }
        MetricsJobRuns.produceWithRedeliveries(kafka.bootstrapServers(), live);
        String live10s = "FROM site_metrics WHERE site = 'live' AND \"window\" = '10s'";
        String early =
                "SELECT \"count\", \"sum\" FROM site_metrics WHERE site = 'live' AND \"window\" = '1m' AND \"final\" = false GROUP BY site";

        await().atMost(Duration.ofSeconds(25))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> MetricsJobRuns.points(influx.query("metricsit", early)).values().stream()
                        .anyMatch(v -> v[0] == 3 && v[1] == 60));
        // The idle advance moves the watermark at the wall clock's pace only: readings 20 s ahead on every
        // partition move it past the live 10-s window.
        List<Reading> ahead = new ArrayList<>();
        for (int d = 1; d <= 30; d++) {
            long ts = now + 20_000;
            ahead.add(new Reading(
                    "city", "ahead", "noise", "ahead-" + d, ts, 1, ts, new String[] {"db"}, new double[] {1}));
        }
        MetricsJobRuns.produceWithRedeliveries(kafka.bootstrapServers(), ahead);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> MetricsJobRuns.points(influx.query(
                                "metricsit",
                                "SELECT \"count\", \"sum\" " + live10s + " AND \"final\" = true GROUP BY site"))
                        .values()
                        .stream()
                        .anyMatch(v -> v[0] == 3 && v[1] == 60));
        org.assertj.core.api.Assertions.assertThat(MetricsJobRuns.points(influx.query(
                        "metricsit", "SELECT \"count\" " + live10s + " AND \"final\" = false GROUP BY site")))
                .as("the early point overwritten by the final one")
                .isEmpty();
    }

    @Test
    void shouldWriteExactlyTheExpectedDeviceAndSiteWindows() throws Exception {
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        try (KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local))) {
            MetricsJobRuns.startWithTopics(kafka, influx, 3);
            influx.createDatabase("metricsit");

            Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
            List<Reading> readings = new ArrayList<>();
            for (int second = 0; second < SECONDS; second++) {
                for (int d = 1; d <= DEVICES; d++) {
                    String device = String.format("n-%04d", d);
                    String site = d % 2 == 0 ? "east" : "west";
                    long ts = t0.plusSeconds(second).toEpochMilli();
                    double value = (d * 7 + second * 3) % 100 + 0.5;
                    readings.add(new Reading(
                            "city", site, "noise", device, ts, second + 1, ts, new String[] {"db"}, new double[] {value
                            }));
                    expect(device, site, ts, value);
                }
            }
            MetricsJobRuns.produceWithRedeliveries(kafka.bootstrapServers(), readings);

            JobClient job = MetricsJobRuns.start(
                    kafka,
                    influx,
                    tmp.resolve("checkpoints"),
                    Map.of("influx.database", "metricsit", "kafka.group-id", "metrics-it", "checkpoint.interval", "2s"),
                    UnaryOperator.identity());
            try {
                String devices =
                        "SELECT \"count\", \"sum\", \"min\", \"max\" FROM device_metrics GROUP BY device_id, \"window\"";
                String sites =
                        "SELECT \"count\", \"sum\", \"min\", \"max\", \"devices\" FROM site_metrics GROUP BY site, \"window\"";
                await().atMost(Duration.ofMinutes(4))
                        .pollInterval(Duration.ofSeconds(3))
                        .until(() -> MetricsJobRuns.points(influx.query("metricsit", devices))
                                                .size()
                                        >= expectedDevices.size()
                                && MetricsJobRuns.points(influx.query("metricsit", sites))
                                                .size()
                                        >= expectedSites.size());
                Thread.sleep(3000); // anything extra would have landed by now

                MetricsJobRuns.assertExactly(
                        MetricsJobRuns.points(influx.query("metricsit", devices)), expectedDevices);
                MetricsJobRuns.assertExactly(MetricsJobRuns.points(influx.query("metricsit", sites)), expectedSites);

                shouldWriteAnOpenWindowEarlyThenOverwriteItWithTheFinalValue(kafka, influx);
            } finally {
                job.cancel().get();
            }
        }
    }
}
