package io.twinstream.pipeline.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twinstream.infra.stack.InfluxHttp;
import io.twinstream.simulator.scenario.Scenario;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Compares what a pipeline wrote with what {@code simulator expect} says it must write for the same
 * scenario, seed and rate scale: every {@code device_metrics} and {@code site_metrics} window field
 * by field, every alert transition, and (given Kafka) the records on the readings, dead-letter and
 * late topics against the stream's totals. Sums and means compare with a relative tolerance of
 * 1e-9 (another order of addition differs in the last bits); counts, minima, maxima exactly.
 */
public final class Audit {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TOLERANCE = 1e-9;

    /**
     * @param influxUrl      the InfluxDB 1.x API
     * @param database       where the jobs wrote
     * @param kafkaBootstrap null to leave the topic counts out
     */
    public record Target(String influxUrl, String database, String kafkaBootstrap) {}

    private Audit() {}

    /**
     * What {@code simulator expect} says for a scenario at a rate scale: computed once (it plays the
     * whole stream), then audited against as often as a caller waits for a clean result.
     */
    public record Expectation(Scenario scenario, double rateScale, GroundTruthLines truth) {}

    public static Expectation expect(Scenario scenario, double rateScale) throws IOException {
        return new Expectation(scenario, rateScale, GroundTruthLines.of(scenario, rateScale));
    }

    public static AuditReport run(Scenario scenario, double rateScale, Target target) throws Exception {
        return run(expect(scenario, rateScale), target);
    }

    public static AuditReport run(Expectation expected, Target target) throws Exception {
        Scenario scenario = expected.scenario();
        double rateScale = expected.rateScale();
        GroundTruthLines truth = expected.truth();
        long from = scenario.start().minus(Duration.ofHours(1)).toEpochMilli();
        long to = scenario.start()
                .plus(scenario.duration())
                .plus(Duration.ofHours(1))
                .toEpochMilli();
        Map<String, double[]> windows = new TreeMap<>();
        Map<String, double[]> early = new TreeMap<>();
        windows.putAll(windows(target, "device_metrics", from, to, early));
        windows.putAll(windows(target, "site_metrics", from, to, early));
        Map<String, double[]> alerts = alerts(target, from, to);
        AuditReport.Comparison windowComparison = finalOnly(compare(truth.windows(), windows), early);
        AuditReport.Comparison alertComparison = compare(truth.alerts(), alerts);
        Map<String, Long> topics = target.kafkaBootstrap() == null ? Map.of() : topicRecords(target.kafkaBootstrap());
        return new AuditReport(
                scenario.name(),
                scenario.seed(),
                rateScale,
                target,
                windowComparison,
                alertComparison,
                truth.totals(),
                topics);
    }

    /** Expected against found: how many of each, which are missing, extra, or differ (with the differing fields). */
    static AuditReport.Comparison compare(Map<String, double[]> expected, Map<String, double[]> found) {
        List<String> missing = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, double[]> e : expected.entrySet()) {
            double[] got = found.get(e.getKey());
            if (got == null) {
                missing.add(e.getKey());
            } else if (!same(e.getValue(), got)) {
                wrong.add(e.getKey() + ": expected " + java.util.Arrays.toString(e.getValue()) + ", found "
                        + java.util.Arrays.toString(got));
            }
        }
        List<String> extra = new ArrayList<>();
        for (String key : found.keySet()) {
            if (!expected.containsKey(key)) {
                extra.add(key);
            }
        }
        return new AuditReport.Comparison(expected.size(), found.size(), missing, extra, wrong);
    }

    /**
     * The comparison of final values, with the windows InfluxDB holds only an early result of
     * ({@code final=false}: the running aggregate of a window the job never closed) moved from
     * missing to wrong, saying so.
     */
    static AuditReport.Comparison finalOnly(AuditReport.Comparison finals, Map<String, double[]> early) {
        List<String> missing = new ArrayList<>();
        List<String> wrong = new ArrayList<>(finals.wrong());
        for (String key : finals.missing()) {
            if (early.containsKey(key)) {
                wrong.add(key + ": only an early result (final=false), the window was never closed: "
                        + java.util.Arrays.toString(early.get(key)));
            } else {
                missing.add(key);
            }
        }
        List<String> extra = new ArrayList<>(finals.extra());
        java.util.Set<String> expectedButMissing = new java.util.HashSet<>(finals.missing());
        for (String key : early.keySet()) {
            if (!expectedButMissing.contains(key)) { // an early key is never among the final ones
                extra.add(key + " (early result)");
            }
        }
        return new AuditReport.Comparison(finals.expected(), finals.found() + early.size(), missing, extra, wrong);
    }

    private static boolean same(double[] expected, double[] found) {
        if (expected.length != found.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double f = found[i];
            if (e != f && Math.abs(e - f) > TOLERANCE * Math.max(Math.abs(e), Math.abs(f))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The final values of the measurement's windows by key; early results ({@code final=false}) go to
     * {@code early} instead. A point without the field counts as final (written before early results).
     */
    private static Map<String, double[]> windows(
            Target target, String measurement, long from, long to, Map<String, double[]> early) throws IOException {
        boolean site = measurement.equals("site_metrics");
        String fields =
                "\"count\", \"sum\", \"min\", \"max\", \"mean\"" + (site ? ", \"devices\"" : "") + ", \"final\"";
        String tags = "\"window\", \"domain\", \"site\", \"device_type\", \"metric\"" + (site ? "" : ", \"device_id\"");
        JsonNode answer = query(
                target,
                "SELECT " + fields + " FROM " + measurement + " WHERE time >= " + from + "ms AND time < " + to
                        + "ms GROUP BY " + tags);
        Map<String, double[]> out = new HashMap<>();
        for (JsonNode series : answer.path("results").path(0).path("series")) {
            JsonNode t = series.get("tags");
            for (JsonNode row : series.get("values")) {
                double[] values = new double[site ? 6 : 5];
                for (int i = 0; i < values.length; i++) {
                    values[i] = row.get(i + 1).isNull()
                            ? Double.NaN
                            : row.get(i + 1).asDouble();
                }
                long start = row.get(0).asLong();
                String key = site
                        ? GroundTruthLines.siteWindowKey(
                                t.get("window").asText(),
                                start,
                                t.get("domain").asText(),
                                t.get("site").asText(),
                                t.get("device_type").asText(),
                                t.get("metric").asText())
                        : GroundTruthLines.deviceWindowKey(
                                t.get("window").asText(),
                                start,
                                t.get("domain").asText(),
                                t.get("site").asText(),
                                t.get("device_type").asText(),
                                t.get("device_id").asText(),
                                t.get("metric").asText());
                JsonNode isFinal = row.get(values.length + 1);
                (isFinal != null && isFinal.isBoolean() && !isFinal.asBoolean() ? early : out).put(key, values);
            }
        }
        return out;
    }

    private static Map<String, double[]> alerts(Target target, long from, long to) throws IOException {
        JsonNode answer = query(
                target,
                "SELECT \"state\", \"value\", \"threshold\" FROM alerts WHERE time >= " + from + "ms AND time < " + to
                        + "ms GROUP BY \"rule\", \"domain\", \"site\", \"device_type\", \"device_id\", \"metric\"");
        Map<String, double[]> out = new HashMap<>();
        for (JsonNode series : answer.path("results").path(0).path("series")) {
            JsonNode t = series.get("tags");
            for (JsonNode row : series.get("values")) {
                out.put(
                        GroundTruthLines.alertKey(
                                row.get(0).asLong(),
                                t.get("device_id").asText(),
                                t.get("rule").asText(),
                                row.get(1).asText(),
                                t.get("domain").asText(),
                                t.get("site").asText(),
                                t.get("device_type").asText(),
                                t.get("metric").asText()),
                        new double[] {row.get(2).asDouble(), row.get(3).asDouble()});
            }
        }
        return out;
    }

    /** InfluxDB's answer to {@code influxQl} (times in ms); an {@link IOException} when it refuses the query. */
    public static JsonNode query(Target target, String influxQl) throws IOException {
        JsonNode answer = JSON.readTree(InfluxHttp.query(target.influxUrl(), target.database(), influxQl));
        JsonNode error = answer.path("results").path(0).path("error");
        if (!error.isMissingNode()) {
            throw new IOException("InfluxDB refused '" + influxQl + "': " + error.asText());
        }
        return answer;
    }

    /** Records on the pipeline's topics (end minus beginning offsets), by topic; absent topics left out. */
    public static Map<String, Long> topicRecords(String bootstrap) throws Exception {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                15_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                10_000);
        Map<String, Long> out = new TreeMap<>();
        try (Admin admin = Admin.create(config)) {
            var names = admin.listTopics().names().get(20, TimeUnit.SECONDS);
            for (String topic : List.of("telemetry.readings", "telemetry.deadletter", "telemetry.late")) {
                if (!names.contains(topic)) {
                    continue;
                }
                TopicDescription description = admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(20, TimeUnit.SECONDS)
                        .get(topic);
                Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                description.partitions().forEach(p -> {
                    earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
                    latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
                });
                long begin = admin.listOffsets(earliest).all().get(20, TimeUnit.SECONDS).values().stream()
                        .mapToLong(o -> o.offset())
                        .sum();
                long end = admin.listOffsets(latest).all().get(20, TimeUnit.SECONDS).values().stream()
                        .mapToLong(o -> o.offset())
                        .sum();
                out.put(topic, end - begin);
            }
        }
        return out;
    }

    /** One number from InfluxDB, e.g. {@code SELECT count("count") FROM device_metrics}; 0 when there is none. */
    public static long count(String influxUrl, String database, String influxQl) throws IOException {
        JsonNode value = query(new Target(influxUrl, database, null), influxQl)
                .path("results")
                .path(0)
                .path("series")
                .path(0)
                .path("values")
                .path(0)
                .path(1);
        return value.isMissingNode() || value.isNull() ? 0 : value.asLong();
    }

    /**
     * How many windows of {@code measurement} hold a final value: all points but the early results
     * ({@code final=false}); a final device point may have no {@code final} field at all.
     */
    public static long finalWindows(String influxUrl, String database, String measurement) throws IOException {
        return count(influxUrl, database, "SELECT count(\"count\") FROM " + measurement)
                - count(
                        influxUrl,
                        database,
                        "SELECT count(\"count\") FROM " + measurement + " WHERE \"final\" = false");
    }
}
