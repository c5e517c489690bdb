package io.twinstream.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The shipped demo rules have a rule for each of the demo scenario's anomaly episodes, with its
 * thresholds (what the ground truth expects); the other shipped rules are checked against the
 * scenario by AlertsJobIT (they must not fire in it).
 */
class DemoRulesTest {

    private static final Path SCENARIO =
            Path.of("..", "simulator", "src", "main", "resources", "scenarios", "demo.yaml");

    @Test
    @SuppressWarnings("unchecked")
    void shouldHaveARuleWithTheSameThresholdsForEachEpisodeOfTheDemoScenario() throws IOException {
        RuleSet rules;
        try (InputStream in = DemoRulesTest.class.getResourceAsStream("/rules/demo.yaml")) {
            rules = RulesParser.parse("rules/demo.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        Map<String, Object> scenario =
                new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(SCENARIO));
        List<Map<String, Object>> episodes = (List<Map<String, Object>>) scenario.get("episodes");

        assertThat(episodes).isNotEmpty();
        assertThat(rules.rules())
                .extracting(Rule::name)
                .contains("noise-night", "compressor-overpressure", "furnace-co2");
        for (Map<String, Object> episode : episodes) {
            Map<String, Object> alert = (Map<String, Object>) episode.get("alert");
            Rule rule = rules.named((String) alert.get("rule"));
            assertThat(rule).as("a rule for episode %s", episode.get("name")).isNotNull();
            assertThat(rule.match().deviceType()).isEqualTo(episode.get("deviceType"));
            assertThat(rule.match().metric()).isEqualTo(episode.get("metric"));
            assertThat(rule.match()
                            .matches(
                                    rule.match().domain(),
                                    (String) episode.get("site"),
                                    (String) episode.get("deviceType"),
                                    "any-device"))
                    .isTrue();
            assertThat(rule.condition().high()).isEqualTo(((Number) alert.get("above")).doubleValue());
            assertThat(rule.condition().clearHigh()).isEqualTo(((Number) alert.get("clearBelow")).doubleValue());
            assertThat(rule.holdFor())
                    .isEqualTo(Duration.parse(
                            "PT" + String.valueOf(alert.get("for")).toUpperCase()));
            assertThat(rule.severity()).isEqualTo(alert.get("severity"));
            assertThat(rule.on().raw()).isTrue();
        }
    }
}
