package io.twinstream.jobs.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.twinstream.model.Reading;
import org.junit.jupiter.api.Test;

class IdleAdvancingWatermarksTest {

    private static final long EVENT_TIME = 1_767_600_000_000L; // January 2026: far from the wall clock below
    private long wall = 5_000_000;
    private final CollectedWatermarks output = new CollectedWatermarks();
    private final IdleAdvancingWatermarks generator =
            new IdleAdvancingWatermarks(Duration.ofSeconds(5), Duration.ofSeconds(2), () -> wall);

    private static Reading reading(long ts) {
        return new Reading("city", "north", "noise", "n-1", ts, 1, ts, new String[] {"db"}, new double[] {1});
    }

    private void event(long ts) {
        generator.onEvent(reading(ts), ts, output);
    }

    private long emit() {
        generator.onPeriodicEmit(output);
        return output.last();
    }

    @Test
    void shouldTrailTheHighestTimestampByTheOutOfOrdernessWhileReadingsFlow() {
        event(EVENT_TIME + 10_000);
        event(EVENT_TIME + 4_000); // out of order: does not pull the watermark back

        assertThat(emit()).isEqualTo(EVENT_TIME + 10_000 - 5_000 - 1);
    }

    @Test
    void shouldMoveOnByTheWallTimeElapsedOnceIdle() {
        event(EVENT_TIME);
        wall += 1_000;
        assertThat(emit()).as("not idle yet").isEqualTo(EVENT_TIME - 5_001);

        wall += 11_000; // 12 s without a reading, 10 s beyond the idle threshold
        assertThat(emit()).isEqualTo(EVENT_TIME - 5_001 + 10_000);
        assertThat(emit()).as("far from the wall clock: advances by elapsed time, never jumps to now")
                .isLessThan(EVENT_TIME + 60_000);
    }

    @Test
    void shouldNeverGoBackWhenReadingsResume() {
        event(EVENT_TIME);
        wall += 32_000;
        long advanced = emit();
        event(EVENT_TIME + 1_000); // the fleet is back, behind the advanced watermark

        assertThat(emit()).isEqualTo(advanced);
        assertThat(output.all()).isSorted();
    }

    @Test
    void shouldEmitNothingBeforeTheFirstReading() {
        wall += 60_000;

        assertThat(emit()).isEqualTo(Long.MIN_VALUE);
    }
}
