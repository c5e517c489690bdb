package io.twinstream.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.jobs.metrics.WindowSize;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RulesParserTest {

    private static RuleSet parse(String... lines) {
        return RulesParser.parse("rules.yaml", String.join("\n", lines));
    }

    @Test
    void shouldReadARuleWithEveryField() {
        RuleSet rules = parse(
                "rules:",
                "  - name: pm25-high",
                "    severity: critical",
                "    match: { domain: city, site: mitte, deviceType: air-quality, deviceId: 'aq-0\\d+', metric: pm25 }",
                "    above: 50",
                "    for: 5m",
                "    clearBelow: 35",
                "    clearFor: 30s",
                "    value: 1m mean",
                "    message: '{device} at {site}: {metric} {value} over {threshold}'");

        Rule rule = rules.named("pm25-high");
        assertThat(rule.severity()).isEqualTo("critical");
        assertThat(rule.match().matches("city", "mitte", "air-quality", "aq-012"))
                .isTrue();
        assertThat(rule.match().matches("city", "mitte", "air-quality", "aq-x12"))
                .isFalse();
        assertThat(rule.match().matches("city", "pankow", "air-quality", "aq-012"))
                .isFalse();
        assertThat(rule.condition().breached(50.5)).isTrue();
        assertThat(rule.condition().breached(50)).isFalse();
        assertThat(rule.condition().cleared(34.9)).isTrue();
        assertThat(rule.condition().cleared(35)).isFalse();
        assertThat(rule.holdFor()).isEqualTo(Duration.ofMinutes(5));
        assertThat(rule.clearFor()).isEqualTo(Duration.ofSeconds(30));
        assertThat(rule.on()).isEqualTo(new Rule.Source(WindowSize.ONE_MINUTE, Rule.Source.Field.MEAN));
        assertThat(rule.message("aq-012", "mitte", "pm25", 61.5)).isEqualTo("aq-012 at mitte: pm25 61.5 over 50");
        assertThat(rules.forMetric("pm25")).containsExactly(rule);
        assertThat(rules.forMetric("no2")).isEmpty();
    }

    @Test
    void shouldDefaultToRawReadingsAtOnceWithTheThresholdAsClearThreshold() {
        Rule rule = parse("rules:", "  - { name: cold, match: { metric: temp }, below: 5 }")
                .named("cold");

        assertThat(rule.on().raw()).isTrue();
        assertThat(rule.holdFor()).isZero();
        assertThat(rule.clearFor()).isZero();
        assertThat(rule.severity()).isEqualTo("warning");
        assertThat(rule.condition().breached(4.9)).isTrue();
        assertThat(rule.condition().cleared(5.1)).isTrue();
        assertThat(rule.condition().cleared(5)).isFalse();
    }

    @Test
    void shouldReadDurationsAsEveryOtherPartOfTwinstreamDoes() {
        Rule rule = parse("rules:", "  - { name: slow, match: { metric: kwh }, above: 5, for: 1d, clearFor: 1.5m }")
                .named("slow");

        assertThat(rule.holdFor()).isEqualTo(java.time.Duration.ofDays(1));
        assertThat(rule.clearFor()).isEqualTo(java.time.Duration.ofSeconds(90));
    }

    @Test
    void shouldReadAnOutsideRangeWithItsClearBand() {
        Rule rule = parse(
                        "rules:",
                        "  - { name: pressure, match: { metric: bar }, outside: [4, 8], clearAbove: 5, clearBelow: 7 }")
                .named("pressure");

        assertThat(rule.condition().breached(3.9)).isTrue();
        assertThat(rule.condition().breached(8.1)).isTrue();
        assertThat(rule.condition().breached(6)).isFalse();
        assertThat(rule.condition().cleared(4.5))
                .as("back inside, not yet in the clear band")
                .isFalse();
        assertThat(rule.condition().cleared(6)).isTrue();
        assertThat(rule.condition().threshold(9)).isEqualTo(8);
        assertThat(rule.condition().threshold(1)).isEqualTo(4);
    }

    @Test
    void shouldReadATimeOfDayWindowWrappingMidnightInItsZone() {
        Rule rule = parse(
                        "rules:",
                        "  - { name: night, match: { metric: db }, above: 55, during: '22:00-06:00', timezone: Europe/Moscow }")
                .named("night");

        // Moscow is UTC+3: 22:00 there is 19:00 UTC.
        assertThat(rule.raisesAt(java.time.Instant.parse("2026-01-05T18:59:59Z").toEpochMilli()))
                .isFalse();
        assertThat(rule.raisesAt(java.time.Instant.parse("2026-01-05T19:00:00Z").toEpochMilli()))
                .isTrue();
        assertThat(rule.raisesAt(java.time.Instant.parse("2026-01-06T02:59:59Z").toEpochMilli()))
                .isTrue();
        assertThat(rule.raisesAt(java.time.Instant.parse("2026-01-06T03:00:00Z").toEpochMilli()))
                .isFalse();
        assertThat(parse("rules:", "  - { name: always, match: { metric: db }, above: 55 }")
                        .named("always")
                        .raisesAt(0))
                .isTrue();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{ name: a, match: { metric: x }, above: 50, clearBelow: 60 }          | rule a: clearBelow (60.0) must not be above the threshold above (50.0)",
                "{ name: a, match: { metric: x }, below: 5, clearAbove: 1 }            | rule a: clearAbove (1.0) must not be below the threshold below (5.0)",
                "{ name: a, match: { metric: x }, above: 50, for: 5 minutes }          | rule a.for: '5 minutes' is not a duration like 250ms, 10s, 5m, 2h or 1d",
                "{ name: a, match: { metric: x }, above: 50, clearFor: -1s }           | rule a.clearFor: '-1s' is not a duration",
                "{ name: a, match: { metric: x }, above: 50, value: 1m average }       | rule a.value: must be 'reading' or '<10s|1m> <mean|min|max|sum|count>', was '1m average'",
                "{ name: a, match: { metric: x }, above: 50, value: 5m mean }          | rule a.value: must be 'reading' or",
                "{ name: a, match: { metric: x }, above: 50, on: 1m mean }             | rules[0].on: unknown field; expected one of above, below",
                "{ name: a, match: { metric: x }, above: high }                        | rule a.above: must be a number, was 'high'",
                "{ name: a, match: { metric: x } }                                     | rule a: needs exactly one of above, below, outside",
                "{ name: a, match: { metric: x }, above: 1, below: 0 }                 | rule a: needs exactly one of above, below, outside",
                "{ name: a, match: { metric: x }, outside: [8, 4] }                    | rule a.outside: low (8.0) must be below high (4.0)",
                "{ name: a, match: { metric: x }, outside: [4, 8], clearAbove: 3 }     | must lie inside [4.0, 8.0]",
                "{ name: a, match: { metric: x }, above: 50, clearAbove: 40 }          | rule a: clearAbove does not go with above",
                "{ name: a, match: { site: mitte }, above: 50 }                        | rule a.match: metric is required",
                "{ name: a, match: { metric: x, field: y }, above: 50 }                | rule a.match.field: unknown field",
                "{ name: a, match: { metric: x }, above: 50, hold: 5m }                | rules[0].hold: unknown field",
                "{ name: 'a b', match: { metric: x }, above: 50 }                      | rules[0].name: must be letters, digits",
                "{ name: a, match: { metric: x, deviceId: '(' }, above: 50 }           | rule a.match.deviceId: not a regular expression",
                "{ name: a, match: { metric: x, deviceId: '(aq)-\\1' }, above: 50 }   | rule a.match.deviceId: not a regular expression RE2 accepts",
                "{ name: a, match: { metric: x, deviceId: 'aq-(?!9)' }, above: 50 }    | rule a.match.deviceId: not a regular expression RE2 accepts",
                "{ name: a, match: { metric: x }, above: 50, during: 'nights' }        | rule a.during: must be local times of day like \"22:00-06:00\"",
                "{ name: a, match: { metric: x }, above: 50, during: '25:00-06:00' }   | rule a.during: must be local times of day",
                "{ name: a, match: { metric: x }, above: 50, during: '06:00-06:00' }   | rule a.during: from and to are the same time",
                "{ name: a, match: { metric: x }, above: 50, during: '22:00-06:00', timezone: Mars/Olympus } | rule a.timezone: not a time zone",
                "{ name: a, match: { metric: x }, above: 50, timezone: UTC }           | rule a.timezone: only goes with during",
            })
    void shouldRefuseABadRuleSayingWhichAndWhy(String rule, String message) {
        assertThatThrownBy(() -> parse("rules:", "  - " + rule))
                .isInstanceOf(RuleException.class)
                .hasMessageStartingWith("rules.yaml:2: ") // the file and the rule's line
                .hasMessageContaining(message);
    }

    @Test
    void shouldRefuseTwoRulesOfTheSameName() {
        assertThatThrownBy(() -> parse(
                        "rules:",
                        "  - { name: a, match: { metric: x }, above: 1 }",
                        "  - { name: a, match: { metric: y }, above: 2 }"))
                .isInstanceOf(RuleException.class)
                .hasMessage("rules.yaml:3: rules[1]: the name a is used twice");
    }

    @Test
    void shouldRefuseWhatIsNotARulesFile() {
        assertThatThrownBy(() -> parse("rules: [unclosed"))
                .isInstanceOf(RuleException.class)
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> parse("rule:", "  - {}"))
                .isInstanceOf(RuleException.class)
                .hasMessageContaining("rules.yaml:1: rule: unknown field; expected one of rules");
        assertThatThrownBy(() -> parse("rules: 5"))
                .isInstanceOf(RuleException.class)
                .hasMessageContaining("rules.yaml:1: rules: must be a list");
    }

    /** Issue #17: an empty rule set was accepted without a word, and the job raised nothing. */
    @Test
    void shouldRefuseAnEmptyRuleSet() {
        assertThatThrownBy(() -> parse("rules: []"))
                .isInstanceOf(RuleException.class)
                .hasMessageContaining("rules.yaml:1: rules: is empty");
    }

    /**
     * Issue #17: a deviceId pattern with nested quantifiers, matched against every reading, made
     * java.util.regex backtrack 2^n steps on an id of n characters that almost matches (ReDoS).
     * RE2/J answers in time linear in the id: with the JDK's engine this test would not end.
     */
    @Test
    void shouldMatchANestedQuantifierPatternInLinearTime() {
        Rule rule = parse("rules:", "  - { name: a, match: { metric: x, deviceId: '(a+)+$' }, above: 1 }")
                .rules()
                .get(0);

        assertThat(rule.match().matches("city", "s", "t", "a".repeat(60) + "!")).isFalse();
        assertThat(rule.match().matches("city", "s", "t", "a".repeat(60))).isTrue();
    }
}
