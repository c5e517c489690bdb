package io.twinstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void shouldReadEveryUnitWholeOrDecimal() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("1.5m")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse(" 2 h ")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse("366d")).isEqualTo(Duration.ofDays(366));
        assertThat(Durations.parse("0s")).isZero();
    }

    @Test
    void shouldRefuseWhatIsNotADurationNamingTheSetting() {
        for (String bad : new String[] {"10", "-5s", "1 hour", "5w", "", "PT10S", "1e3s"}) {
            assertThatThrownBy(() -> Durations.parse("mqtt.session-expiry", bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "mqtt.session-expiry must be a duration like 250ms, 10s, 5m, 2h or 1d, was '" + bad + "'");
        }
        assertThatThrownBy(() -> Durations.parse("99999999999999d")).hasMessageContaining("longer than any duration");
    }

    @Test
    void shouldWriteTheShortestExactForm() {
        assertThat(Durations.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Durations.format(Duration.ofDays(2))).isEqualTo("2d");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }
}
