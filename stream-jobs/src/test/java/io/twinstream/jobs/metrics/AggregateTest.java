package io.twinstream.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class AggregateTest {

    @Test
    void shouldCountSumAndBoundTheValues() {
        Aggregate a = Aggregate.of(3).plus(-1.5).plus(10);

        assertThat(a).isEqualTo(new Aggregate(3, 11.5, -1.5, 10));
        assertThat(a.mean()).isEqualTo(11.5 / 3);
    }

    @Test
    void shouldGiveTheSameResultInAnyOrderAndGrouping() {
        Aggregate left = Aggregate.of(1).plus(Aggregate.of(2).plus(3));
        Aggregate right = Aggregate.of(3).plus(2).plus(Aggregate.of(1));

        assertThat(left).isEqualTo(right);
    }

    @Test
    void shouldRefuseValuesThatAreNotFinite() {
        assertThatThrownBy(() -> Aggregate.of(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Aggregate.of(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAlignWindowsToTheEpoch() {
        long t = Instant.parse("2026-01-05T08:00:19.999Z").toEpochMilli();

        assertThat(Instant.ofEpochMilli(WindowSize.TEN_SECONDS.startOf(t)))
                .isEqualTo(Instant.parse("2026-01-05T08:00:10Z"));
        assertThat(Instant.ofEpochMilli(WindowSize.ONE_MINUTE.startOf(t)))
                .isEqualTo(Instant.parse("2026-01-05T08:00:00Z"));
        assertThat(WindowSize.ONE_MINUTE.startOf(-1)).isEqualTo(-60_000);
    }
}
