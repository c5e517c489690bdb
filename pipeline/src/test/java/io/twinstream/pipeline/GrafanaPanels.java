package io.twinstream.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Every panel query of the provisioned Grafana dashboards ({@code infra/grafana/dashboards}). */
final class GrafanaPanels {

    /** The dashboards, from this module's directory (where Maven runs the tests). */
    static final Path DASHBOARDS = Path.of("..", "infra", "grafana", "dashboards");

    /**
     * @param defaultFrom the dashboard's default time range start, as Grafana writes it ({@code now-1h})
     */
    record PanelQuery(String dashboard, String panel, String refId, String query, String defaultFrom) {

        /** The query as Grafana sends it for the time range [from, to] (epoch ms) at a 10-s interval. */
        String resolved(long from, long to) {
            return query.replace("$timeFilter", "time >= " + from + "ms AND time <= " + to + "ms")
                    .replace("$__interval", "10s");
        }

        /**
         * The query as Grafana sends it when the dashboard opens: its default range ({@code now-1h}
         * to {@code now} becomes {@code time >= now() - 1h}) at a 10-s interval.
         */
        String resolvedForDefaultRange() {
            if (!defaultFrom.matches("now-\\d+[smhd]")) {
                throw new IllegalStateException(
                        dashboard + ": default range from '" + defaultFrom + "' is not relative to now");
            }
            return query.replace("$timeFilter", "time >= now() - " + defaultFrom.substring("now-".length()))
                    .replace("$__interval", "10s");
        }

        @Override
        public String toString() {
            return dashboard + " / " + panel + " / " + refId;
        }
    }

    private GrafanaPanels() {}

    static List<Path> files() throws IOException {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    static List<PanelQuery> all() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<PanelQuery> out = new ArrayList<>();
        for (Path file : files()) {
            JsonNode dashboard = json.readTree(file.toFile());
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    out.add(new PanelQuery(
                            dashboard.path("title").asText(),
                            panel.path("title").asText(),
                            target.path("refId").asText(),
                            target.path("query").asText(),
                            dashboard.path("time").path("from").asText()));
                }
            }
        }
        return out;
    }
}
