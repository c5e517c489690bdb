package io.twinstream.simulator.truth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.SimMessage;
import io.twinstream.simulator.stream.StreamObserver;
import io.twinstream.simulator.stream.Streams;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The ground truth agrees with an independent reading of the stream's own bytes: parse every
 * payload, drop duplicates by (device, seq) and late readings, window by ts.
 */
class GroundTruthTest {

    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"[^\"]*\"|[-0-9.eE]+)");

    static Map<String, String> fields(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            out.put(m.group(1), m.group(2).replace("\"", ""));
        }
        return out;
    }

    private static List<Map<String, String>> truth(DeviceFleet fleet) {
        StringWriter out = new StringWriter();
        GroundTruth.write(fleet, out);
        List<Map<String, String>> lines = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            lines.add(fields(line));
        }
        return lines;
    }

    @Test
    void shouldMatchWindowsComputedFromThePayloads() {
        DeviceFleet fleet = Streams.fleet(
                "air-quality",
                4,
                "3s",
                "json",
                "20m",
                "faults: { duplicate: 0.05, outOfOrder: 0.05, late: 0.02, malformed: 0.02, lateDelay: 5m }");
        // Independent: windows from the bytes.
        Map<String, double[]> expected = new TreeMap<>(); // window|start|device|metric -> count,sum,min,max
        Set<String> seen = new HashSet<>();
        int lateSeen = 0;
        for (SimMessage m : Streams.all(fleet, StreamObserver.NONE)) {
            if (m.kind() != SimMessage.Kind.READINGS && m.kind() != SimMessage.Kind.DUPLICATE) {
                continue;
            }
            double[] r = Streams.parseJson(m.payload());
            String device = m.topic().substring(m.topic().lastIndexOf('/') + 1);
            if (!seen.add(device + "#" + (long) r[1])) {
                continue;
            }
            if (m.sendMillis() - (long) r[0] == 300_000) {
                lateSeen++;
                continue;
            }
            String[] metrics = {"pm25", "pm10", "no2", "o3"};
            for (long size : new long[] {10_000, 60_000}) {
                long start = Math.floorDiv((long) r[0], size) * size;
                for (int i = 0; i < metrics.length; i++) {
                    double v = r[2 + i];
                    expected.merge(
                            (size == 10_000 ? "10s" : "1m") + "|" + start + "|" + device + "|" + metrics[i],
                            new double[] {1, v, v, v},
                            (a, b) -> new double[] {a[0] + 1, a[1] + b[1], Math.min(a[2], b[2]), Math.max(a[3], b[3])});
                }
            }
        }

        List<Map<String, String>> lines = truth(fleet);
        Map<String, Map<String, String>> actual = new TreeMap<>();
        for (Map<String, String> line : lines) {
            if ("device_window".equals(line.get("type"))) {
                actual.put(
                        line.get("window") + "|" + line.get("start") + "|" + line.get("deviceId") + "|"
                                + line.get("metric"),
                        line);
            }
        }
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, agg) -> {
            Map<String, String> line = actual.get(key);
            assertThat(Long.parseLong(line.get("count"))).as(key).isEqualTo((long) agg[0]);
            assertThat(Double.parseDouble(line.get("sum")))
                    .as(key)
                    .isCloseTo(agg[1], within(1e-9 * Math.max(1, Math.abs(agg[1]))));
            assertThat(Double.parseDouble(line.get("min"))).as(key).isEqualTo(agg[2]);
            assertThat(Double.parseDouble(line.get("max"))).as(key).isEqualTo(agg[3]);
            assertThat(Double.parseDouble(line.get("mean"))).as(key).isCloseTo(agg[1] / agg[0], within(1e-9));
        });

        Map<String, String> totals = lines.get(lines.size() - 1);
        assertThat(totals.get("type")).isEqualTo("totals");
        assertThat(Long.parseLong(totals.get("late"))).isEqualTo(lateSeen).isPositive();
        assertThat(Long.parseLong(totals.get("duplicates"))).isPositive();
        assertThat(Long.parseLong(totals.get("malformed"))).isPositive();
        assertThat(Long.parseLong(totals.get("readings"))).isEqualTo(seen.size());
    }

    @Test
    void shouldRollSiteWindowsUpFromDeviceWindows() {
        DeviceFleet fleet = Streams.fleet("noise", 5, "5s", "senml", "5m", "faults: { duplicate: 0.1 }");
        List<Map<String, String>> lines = truth(fleet);
        Map<String, long[]> counts = new HashMap<>(); // window|start -> device-window count sum, devices
        for (Map<String, String> line : lines) {
            if ("device_window".equals(line.get("type"))) {
                long[] c = counts.computeIfAbsent(line.get("window") + "|" + line.get("start"), k -> new long[2]);
                c[0] += Long.parseLong(line.get("count"));
                c[1]++;
            }
        }
        int sites = 0;
        for (Map<String, String> line : lines) {
            if ("site_window".equals(line.get("type"))) {
                sites++;
                long[] c = counts.get(line.get("window") + "|" + line.get("start"));
                assertThat(Long.parseLong(line.get("count"))).isEqualTo(c[0]);
                assertThat(Long.parseLong(line.get("devices"))).isEqualTo(c[1]);
                assertThat(line.get("site")).isEqualTo("site-a");
            }
        }
        assertThat(sites).isEqualTo(counts.size());
    }

    @Test
    void shouldRaiseAndClearOnceForAnEpisodeHeldLongerThanItsRule() {
        DeviceFleet fleet = Streams.fleet(
                "air-quality",
                3,
                "5s",
                "json",
                "20m",
                String.join(
                        "\n",
                        "episodes:",
                        "  - name: smog",
                        "    site: site-a",
                        "    deviceType: air-quality",
                        "    metric: pm25",
                        "    start: 5m",
                        "    duration: 6m",
                        "    level: 90",
                        "    alert: { rule: pm25-high, above: 50, for: 30s, clearBelow: 35 }"));
        List<Map<String, String>> alerts =
                truth(fleet).stream().filter(l -> "alert".equals(l.get("type"))).toList();
        long episodeStart = fleet.scenario().start().toEpochMilli() + 5 * 60_000;

        assertThat(alerts).hasSize(6);
        for (String device : List.of("aq-000001", "aq-000002", "aq-000003")) {
            List<Map<String, String>> mine = alerts.stream()
                    .filter(a -> a.get("deviceId").equals(device))
                    .toList();
            assertThat(mine).extracting(a -> a.get("state")).containsExactly("raised", "cleared");
            long raised = Long.parseLong(mine.get(0).get("ts"));
            long cleared = Long.parseLong(mine.get(1).get("ts"));
            assertThat(raised).as("raised after holding 30 s").isBetween(episodeStart + 30_000, episodeStart + 40_000);
            assertThat(cleared)
                    .as("cleared at the first reading after the episode")
                    .isBetween(episodeStart + 360_000, episodeStart + 365_000);
            assertThat(Double.parseDouble(mine.get(0).get("value"))).isGreaterThan(50);
            assertThat(mine.get(0).get("rule")).isEqualTo("pm25-high");
        }
    }

    @Test
    void shouldRaiseNothingForASpikeShorterThanTheHoldTime() {
        DeviceFleet fleet = Streams.fleet(
                "air-quality",
                2,
                "10s",
                "json",
                "10m",
                String.join(
                        "\n",
                        "episodes:",
                        "  - name: blip",
                        "    site: site-a",
                        "    deviceType: air-quality",
                        "    metric: pm25",
                        "    start: 2m",
                        "    duration: 15s",
                        "    level: 90",
                        "    alert: { above: 50, for: 1m }"));

        assertThat(truth(fleet)).noneMatch(l -> "alert".equals(l.get("type")));
    }
}
