package io.twinstream.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScenarioParserTest {

    private static final String VALID = String.join(
            "\n",
            "name: t", // 1
            "seed: 1", // 2
            "duration: 5m", // 3
            "sites:", // 4
            "  - name: plant-1", // 5
            "    domain: factory", // 6
            "    devices:", // 7
            "      cnc: { count: 2, interval: 1s }", // 8
            "episodes:", // 9
            "  - name: hot", // 10
            "    site: plant-1", // 11
            "    deviceType: cnc", // 12
            "    metric: spindle_temp", // 13
            "    start: 1m", // 14
            "    duration: 1m", // 15
            "    level: 95", // 16
            "    alert: { above: 80, for: 10s, clearBelow: 70 }"); // 17

    private static void assertRejected(String yaml, String... messageParts) {
        assertThatThrownBy(() -> ScenarioParser.parse("bad.yaml", yaml))
                .isInstanceOf(ScenarioException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(messageParts));
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo.yaml", "city.yaml", "factory.yaml"})
    void shouldParseTheShippedScenarios(String name) {
        Scenario scenario = ScenarioParser.load(name);

        assertThat(scenario.sites()).isNotEmpty();
        assertThat(scenario.episodes()).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo.yaml", "city.yaml", "factory.yaml"})
    void shouldLeaveTheShippedScenariosStartToThePresent(String name) {
        assertThat(ScenarioParser.load(name).hasStart()).isFalse();
    }

    @Test
    void shouldKeepAPinnedStartAndReadNowAsThePresent() {
        Clock clock = Clock.fixed(Instant.parse("2031-03-15T02:17:31.250Z"), ZoneOffset.UTC);
        Scenario pinned =
                ScenarioParser.parse("t.yaml", VALID.replace("seed: 1", "seed: 1\nstart: 2026-01-05T06:00:00Z"));
        Scenario now = ScenarioParser.parse("t.yaml", VALID.replace("seed: 1", "seed: 1\nstart: now"));

        assertThat(pinned.startingNow(clock, 10).start()).isEqualTo(Instant.parse("2026-01-05T06:00:00Z"));
        assertThat(now.hasStart()).isFalse();
        assertThat(now.startingNow(clock, 1).start()).isEqualTo(Instant.parse("2031-03-15T02:17:00Z"));
    }

    @Test
    void shouldStartSoThatTheSimulatedClockNeverRunsAheadOfTheWallClock() {
        Instant now = Instant.parse("2031-03-15T02:17:31.250Z");
        Duration tenMinutes = Duration.ofMinutes(10);

        // 10x: the simulated clock gains 9 of the 10 minutes while published; aligned down to the minute
        assertThat(Scenario.startEndingNow(now, tenMinutes, 10)).isEqualTo(Instant.parse("2031-03-15T02:08:00Z"));
        // real time or slower: from the present; as fast as possible: the whole duration before it
        assertThat(Scenario.startEndingNow(now, tenMinutes, 1)).isEqualTo(Instant.parse("2031-03-15T02:17:00Z"));
        assertThat(Scenario.startEndingNow(now, tenMinutes, 0.5)).isEqualTo(Instant.parse("2031-03-15T02:17:00Z"));
        assertThat(Scenario.startEndingNow(now, tenMinutes, 0)).isEqualTo(Instant.parse("2031-03-15T02:07:00Z"));
        for (double speed : new double[] {0, 0.5, 1, 2, 10, 60, 1000}) {
            Instant start = Scenario.startEndingNow(now, Duration.ofDays(1), speed);
            double wallSeconds = speed == 0 ? 0 : Duration.ofDays(1).toSeconds() / speed;
            assertThat(start.plus(Duration.ofDays(1)))
                    .as("end of the simulated day at %sx", speed)
                    .isBeforeOrEqualTo(now.plusMillis((long) (wallSeconds * 1000)));
            assertThat(start.getEpochSecond() % 60).isZero();
        }
    }

    @Test
    void shouldApplyDocumentedDefaults() {
        Scenario s = ScenarioParser.parse("t.yaml", VALID);

        assertThat(s.hasStart()).as("no start: the present, fixed when played").isFalse();
        assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("--start");
        assertThat(s.speed()).isEqualTo(1.0);
        assertThat(s.publish()).isEqualTo(new Scenario.Publish(1, Scenario.ConnectionMode.GATEWAY, 500, 100, 20));
        assertThat(s.faults()).isEqualTo(Scenario.Faults.none());
        assertThat(s.episodes().get(0).alert())
                .isEqualTo(new Scenario.AlertRule("hot", 80, Duration.ofSeconds(10), 70, "warning"));
    }

    @Test
    void shouldNameFileLineAndFieldOfAnUnknownField() {
        assertRejected(
                VALID.replace("      cnc: { count: 2, interval: 1s }", "      cnc: { count: 2, intervall: 1s }"),
                "bad.yaml:8:",
                "sites[0].devices.cnc.intervall",
                "unknown field",
                "interval");
    }

    @Test
    void shouldRejectANonPositiveCount() {
        assertRejected(
                VALID.replace("count: 2", "count: 0"),
                "bad.yaml:8:",
                "sites[0].devices.cnc.count",
                "must be between 1 and");
    }

    @Test
    void shouldRejectAMalformedDuration() {
        assertRejected(
                VALID.replace("duration: 5m", "duration: five minutes"),
                "bad.yaml:3:",
                "duration",
                "not a duration like");
    }

    @Test
    void shouldRejectAnUnknownDeviceTypeListingTheKnownOnes() {
        assertRejected(
                VALID.replace("      cnc:", "      lathe:"),
                "bad.yaml:8:",
                "unknown device type 'lathe'",
                "cnc, furnace");
    }

    @Test
    void shouldRejectACityDeviceInAPlant() {
        assertRejected(
                VALID.replace(
                                "      cnc: { count: 2, interval: 1s }",
                                "      cnc: { count: 2, interval: 1s }\n      noise: { count: 1 }")
                        .replace("episodes:", "episodes:"),
                "is a city device type, not a factory one");
    }

    @Test
    void shouldRejectClearBelowAboveTheRaiseThreshold() {
        assertRejected(
                VALID.replace("clearBelow: 70", "clearBelow: 85"),
                "bad.yaml:17:",
                "clearBelow 85.0 is above 'above' 80.0");
    }

    @Test
    void shouldRejectAnEpisodeOnAMetricTheDeviceDoesNotHave() {
        assertRejected(
                VALID.replace("metric: spindle_temp", "metric: pm25"),
                "bad.yaml:13:",
                "'cnc' has no metric 'pm25'",
                "spindle_temp");
    }

    @Test
    void shouldRejectAnEpisodeThatCouldNeverRaiseItsAlert() {
        assertRejected(VALID.replace("level: 95", "level: 60"), "bad.yaml:16:", "does not exceed");
    }

    @Test
    void shouldRejectBatchesWithoutGateways() {
        assertRejected(
                VALID.replace("duration: 5m", "duration: 5m\npublish: { connections: device }")
                        .replace("interval: 1s }", "interval: 1s, format: batch }"),
                "batch needs publish.connections: gateway");
    }

    @Test
    void shouldRejectNamesThatCannotBeTopicLevels() {
        assertRejected(
                VALID.replace("  - name: plant-1", "  - name: Plant 1"), "bad.yaml:5:", "not a usable site name");
    }

    @Test
    void shouldReportBrokenYamlWithItsLine() {
        assertRejected("name: t\nsites: [\n  oops: {", "bad.yaml:", "not valid YAML");
    }

    @Test
    void shouldRequireTheSeed() {
        assertRejected(VALID.replace("seed: 1\n", ""), "seed", "is required");
    }

    @Test
    void shouldSayWhenNoShippedScenarioHasTheName() {
        assertThatThrownBy(() -> ScenarioParser.load("nope.yaml"))
                .hasMessageContaining("no scenario file 'nope.yaml'")
                .hasMessageContaining("demo.yaml, city.yaml, factory.yaml");
    }
}
