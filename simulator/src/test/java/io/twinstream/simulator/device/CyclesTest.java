package io.twinstream.simulator.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CyclesTest {

    @Test
    void shouldTellLocalHourAndWeekday() {
        long mondayNoonUtc = Instant.parse("2026-01-05T12:00:00Z").toEpochMilli();

        assertThat(Cycles.hourOfDay(mondayNoonUtc, 0)).isCloseTo(12.0, within(1e-9));
        assertThat(Cycles.hourOfDay(mondayNoonUtc, 3 * 3600)).isCloseTo(15.0, within(1e-9));
        assertThat(Cycles.dayOfWeek(mondayNoonUtc, 0)).isZero();
        assertThat(Cycles.dayOfWeek(Instant.parse("2026-01-11T23:30:00Z").toEpochMilli(), 0))
                .isEqualTo(6);
        assertThat(Cycles.dayOfWeek(Instant.parse("2026-01-11T23:30:00Z").toEpochMilli(), 3600))
                .isZero();
    }

    @Test
    void shouldHaveRushHoursOnWeekdays() {
        assertThat(Cycles.rush(8, 1)).isGreaterThan(0.9);
        assertThat(Cycles.rush(3, 1)).isLessThan(0.01);
        assertThat(Cycles.rush(8, 6)).isLessThan(0.3);
    }

    @Test
    void shouldWorkTwoShiftsOnWeekdays() {
        assertThat(Cycles.shift(6.5, 0)).isTrue();
        assertThat(Cycles.shift(21.9, 4)).isTrue();
        assertThat(Cycles.shift(22.1, 4)).isFalse();
        assertThat(Cycles.shift(10, 5)).isFalse();
    }
}
