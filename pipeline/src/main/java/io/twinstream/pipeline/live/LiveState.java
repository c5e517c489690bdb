package io.twinstream.pipeline.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twinstream.pipeline.audit.Audit;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the live page shows, read from InfluxDB on each request (the contracted schema only, so the
 * page works against any deployment's database) plus the demo's own stage counts:
 * per site the headline metric of each device type over the last 10 minutes of event time (10-s
 * site windows), the newest alert transitions, device presence, the pipeline's rates.
 */
public final class LiveState {

    /** The metric each device type is charted by; other types: their first metric by name. */
    static final Map<String, String> HEADLINE = Map.ofEntries(
            Map.entry("air-quality", "pm25"),
            Map.entry("noise", "db"),
            Map.entry("traffic", "vehicles"),
            Map.entry("parking", "occupancy"),
            Map.entry("electricity-meter", "power"),
            Map.entry("water-meter", "flow"),
            Map.entry("heat-meter", "power"),
            Map.entry("street-light", "power"),
            Map.entry("weather", "temperature"),
            Map.entry("cnc", "spindle_temp"),
            Map.entry("furnace", "temperature"),
            Map.entry("compressor", "pressure"),
            Map.entry("conveyor", "items_per_min"),
            Map.entry("energy-meter", "power"));

    private static final long CHARTED_MILLIS = 10 * 60_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Audit.Target influx;
    private final Supplier<PipelineRates> rates;

    public LiveState(String influxUrl, String database, Supplier<PipelineRates> rates) {
        this.influx = new Audit.Target(influxUrl, database, null);
        this.rates = rates;
    }

    /** The page's state as JSON. */
    public ObjectNode read() throws IOException {
        ObjectNode state = JSON.createObjectNode();
        PipelineRates now = rates.get();
        state.set("rates", now == null ? null : JSON.valueToTree(now));
        JsonNode newest = first(query("SELECT last(\"count\") FROM site_metrics WHERE \"window\" = '10s'"));
        if (newest == null) {
            state.putNull("eventTime");
            state.putArray("sites");
        } else {
            long eventTime = newest.path("values").path(0).path(0).asLong();
            state.put("eventTime", eventTime);
            state.set("sites", sites(eventTime));
        }
        state.set("alerts", alerts());
        state.set("status", status());
        return state;
    }

    private ArrayNode sites(long eventTime) throws IOException {
        JsonNode series = query("SELECT \"mean\", \"final\" FROM site_metrics WHERE \"window\" = '10s' AND time > "
                + (eventTime - CHARTED_MILLIS) + "ms GROUP BY \"domain\", \"site\", \"device_type\", \"metric\"");
        Map<String, ObjectNode> bySite = new LinkedHashMap<>();
        Map<String, String> chosen = new LinkedHashMap<>(); // site|type → metric charted
        for (JsonNode s : series) {
            JsonNode tags = s.path("tags");
            String site = tags.path("site").asText();
            String type = tags.path("device_type").asText();
            String metric = tags.path("metric").asText();
            String headline = HEADLINE.get(type);
            String key = site + "|" + type;
            // InfluxDB returns the series sorted by their tags: the first of a type is its first metric by name.
            if (headline != null ? !headline.equals(metric) : chosen.containsKey(key)) {
                continue;
            }
            chosen.put(key, metric);
            ObjectNode siteNode = bySite.computeIfAbsent(site, name -> {
                ObjectNode node = JSON.createObjectNode();
                node.put("site", name);
                node.put("domain", tags.path("domain").asText());
                node.putArray("charts");
                return node;
            });
            ObjectNode chart = ((ArrayNode) siteNode.get("charts")).addObject();
            chart.put("deviceType", type);
            chart.put("metric", metric);
            ArrayNode points = chart.putArray("points");
            for (JsonNode row : s.path("values")) {
                if (!row.path(1).isNull()) { // [time, mean, final]: false for a window still open (an early result)
                    points.addArray()
                            .add(row.path(0).asLong())
                            .add(row.path(1).asDouble())
                            .add(!row.path(2).isBoolean() || row.path(2).asBoolean());
                }
            }
        }
        ArrayNode out = JSON.createArrayNode();
        bySite.values().forEach(out::add);
        return out;
    }

    private ArrayNode alerts() throws IOException {
        ArrayNode out = JSON.createArrayNode();
        JsonNode s = first(
                query("SELECT \"state\", \"value\", \"threshold\", \"message\", \"rule\", \"severity\", \"site\", "
                        + "\"device_id\", \"metric\" FROM alerts ORDER BY time DESC LIMIT 30"));
        if (s == null) {
            return out;
        }
        JsonNode columns = s.path("columns");
        for (JsonNode row : s.path("values")) {
            ObjectNode alert = out.addObject();
            for (int i = 0; i < columns.size(); i++) {
                alert.set(columns.get(i).asText(), row.get(i));
            }
        }
        return out;
    }

    private ObjectNode status() throws IOException {
        ObjectNode out = JSON.createObjectNode();
        int online = 0;
        int offline = 0;
        ArrayNode offlineDevices = JSON.createArrayNode();
        for (JsonNode s :
                query("SELECT last(\"state\") AS \"state\", last(\"last_seen\") AS \"last_seen\" FROM device_status "
                        + "GROUP BY \"site\", \"device_type\", \"device_id\"")) {
            JsonNode row = s.path("values").path(0);
            if ("offline".equals(row.path(1).asText())) {
                offline++;
                ObjectNode device = offlineDevices.addObject();
                device.put("deviceId", s.path("tags").path("device_id").asText());
                device.put("site", s.path("tags").path("site").asText());
                device.put("deviceType", s.path("tags").path("device_type").asText());
                device.put("lastSeen", row.path(2).asLong());
            } else {
                online++;
            }
        }
        out.put("online", online);
        out.put("offline", offline);
        out.set("offlineDevices", offlineDevices);
        return out;
    }

    /** The series of the answer (empty when none). */
    private JsonNode query(String influxQl) throws IOException {
        return Audit.query(influx, influxQl).path("results").path(0).path("series");
    }

    private static JsonNode first(JsonNode series) {
        return series.size() == 0 ? null : series.get(0);
    }
}
