package io.twinstream.pipeline.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.truth.GroundTruth;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code simulator expect} says a correct pipeline writes for a scenario, keyed the way the
 * audit reads InfluxDB: window points by measurement, window, start and tags; alert transitions by
 * time, device, rule and state; and the stream's totals.
 *
 * @param windows key → count, sum, min, max, mean (and devices, for site windows)
 * @param alerts  key → value, threshold
 * @param totals  the {@code totals} line's numbers (messages, readings, duplicates, malformed, late, …)
 */
public record GroundTruthLines(Map<String, double[]> windows, Map<String, double[]> alerts, Map<String, Long> totals) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static GroundTruthLines of(Scenario scenario, double rateScale) throws IOException {
        StringWriter out = new StringWriter();
        GroundTruth.write(new DeviceFleet(scenario, rateScale), out);
        Map<String, double[]> windows = new TreeMap<>();
        Map<String, double[]> alerts = new TreeMap<>();
        Map<String, Long> totals = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            switch (n.get("type").asText()) {
                case "device_window" ->
                    windows.put(
                            deviceWindowKey(
                                    n.get("window").asText(),
                                    n.get("start").asLong(),
                                    n.get("domain").asText(),
                                    n.get("site").asText(),
                                    n.get("deviceType").asText(),
                                    n.get("deviceId").asText(),
                                    n.get("metric").asText()),
                            fields(n, false));
                case "site_window" ->
                    windows.put(
                            siteWindowKey(
                                    n.get("window").asText(),
                                    n.get("start").asLong(),
                                    n.get("domain").asText(),
                                    n.get("site").asText(),
                                    n.get("deviceType").asText(),
                                    n.get("metric").asText()),
                            fields(n, true));
                case "alert" ->
                    alerts.put(
                            alertKey(
                                    n.get("ts").asLong(),
                                    n.get("deviceId").asText(),
                                    n.get("rule").asText(),
                                    n.get("state").asText(),
                                    n.get("domain").asText(),
                                    n.get("site").asText(),
                                    n.get("deviceType").asText(),
                                    n.get("metric").asText()),
                            new double[] {
                                n.get("value").asDouble(), n.get("threshold").asDouble()
                            });
                case "totals" ->
                    n.fields().forEachRemaining(f -> {
                        if (f.getValue().isNumber()) {
                            totals.put(f.getKey(), f.getValue().asLong());
                        }
                    });
                default -> {}
            }
        }
        return new GroundTruthLines(windows, alerts, totals);
    }

    private static double[] fields(JsonNode n, boolean site) {
        double[] values = new double[site ? 6 : 5];
        values[0] = n.get("count").asDouble();
        values[1] = n.get("sum").asDouble();
        values[2] = n.get("min").asDouble();
        values[3] = n.get("max").asDouble();
        values[4] = n.get("mean").asDouble();
        if (site) {
            values[5] = n.get("devices").asDouble();
        }
        return values;
    }

    static String deviceWindowKey(
            String window, long start, String domain, String site, String deviceType, String deviceId, String metric) {
        return "device_metrics " + window + " " + start + " " + domain + "/" + site + "/" + deviceType + "/" + deviceId
                + " " + metric;
    }

    static String siteWindowKey(
            String window, long start, String domain, String site, String deviceType, String metric) {
        return "site_metrics " + window + " " + start + " " + domain + "/" + site + "/" + deviceType + " " + metric;
    }

    static String alertKey(
            long ts,
            String deviceId,
            String rule,
            String state,
            String domain,
            String site,
            String deviceType,
            String metric) {
        return ts + " " + deviceId + " " + rule + " " + state + " " + domain + "/" + site + "/" + deviceType + " "
                + metric;
    }
}
