package io.twinstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The provisioned dashboards are well formed and query only the contracted schema (ARCHITECTURE.md:
 * measurements, tags, fields), through the provisioned datasource. That they return data after a
 * pipeline run is {@link PipelineIT}'s part.
 */
class GrafanaDashboardsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> MEASUREMENTS =
            List.of("device_metrics", "site_metrics", "alerts", "device_status");
    private static final List<String> NAMES = List.of( // every tag and field of the contract
            "domain",
            "site",
            "device_type",
            "device_id",
            "metric",
            "window",
            "count",
            "sum",
            "min",
            "max",
            "mean",
            "devices",
            "rule",
            "severity",
            "state",
            "value",
            "threshold",
            "message",
            "last_seen");

    @Test
    void shouldProvideTheFourDashboardsTheIssueNames() throws Exception {
        List<String> titles = new ArrayList<>();
        for (Path file : GrafanaPanels.files()) {
            titles.add(JSON.readTree(file.toFile()).path("title").asText());
        }
        assertThat(titles)
                .containsExactlyInAnyOrder(
                        "Twinstream — alerts and device status",
                        "Twinstream — city overview",
                        "Twinstream — factory floor",
                        "Twinstream — pipeline health");
    }

    @Test
    void shouldQueryTheProvisionedDatasourceWithInfluxQl() throws Exception {
        String provisioned =
                Files.readString(Path.of("..", "infra", "grafana", "provisioning", "datasources", "influxdb.yml"));
        for (Path file : GrafanaPanels.files()) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            assertThat(dashboard.path("uid").asText()).as(file + " uid").isNotBlank();
            assertThat(dashboard.path("panels")).as(file + " panels").isNotEmpty();
            for (JsonNode panel : dashboard.path("panels")) {
                String uid = panel.path("datasource").path("uid").asText();
                assertThat(provisioned)
                        .as(file + " / " + panel.path("title").asText() + " datasource")
                        .contains("uid: " + uid);
                assertThat(panel.path("targets"))
                        .as(file + " / " + panel.path("title").asText())
                        .isNotEmpty();
                for (JsonNode target : panel.path("targets")) {
                    assertThat(target.path("rawQuery").asBoolean()).isTrue();
                    assertThat(target.path("query").asText()).startsWith("SELECT ");
                }
            }
        }
    }

    @Test
    void shouldUseOnlyTheContractedSchemaAndGrafanasTimeVariables() throws Exception {
        for (GrafanaPanels.PanelQuery panel : GrafanaPanels.all()) {
            String query = panel.query();
            Matcher from = Pattern.compile("FROM \"([^\"]+)\"").matcher(query);
            assertThat(from.find()).as(panel + ": FROM \"measurement\"").isTrue();
            assertThat(MEASUREMENTS).as(panel.toString()).contains(from.group(1));
            Matcher quoted =
                    Pattern.compile("\"([^\"]+)\"").matcher(query.replace("FROM \"" + from.group(1) + "\"", ""));
            while (quoted.find()) {
                assertThat(NAMES)
                        .as(panel + ": a tag or field the contract names")
                        .contains(quoted.group(1));
            }
            assertThat(panel.resolved(0, 1))
                    .as(panel + ": no variable but $timeFilter and $__interval")
                    .doesNotContain("$");
        }
    }
}
