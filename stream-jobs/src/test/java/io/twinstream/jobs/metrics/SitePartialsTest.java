package io.twinstream.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class SitePartialsTest {

    private static final long START = 1_767_600_000_000L;
    private static final SiteKey NORTH = new SiteKey("city", "north", "noise", "db", "10s", START);
    private static final SiteKey SOUTH = new SiteKey("city", "south", "noise", "db", "10s", START);

    private static List<SiteContribution> records(
            OneInputStreamOperatorTestHarness<SiteContribution, SiteContribution> h) {
        return h.extractOutputValues();
    }

    @Test
    void shouldPassOnOneCombinedContributionPerSiteWindowBeforeTheWatermark() throws Exception {
        try (var harness = new OneInputStreamOperatorTestHarness<>(new SitePartials())) {
            harness.open();
            harness.processElement(new SiteContribution(NORTH, Aggregate.of(40), 1, false), START + 9_999);
            harness.processElement(new SiteContribution(NORTH, Aggregate.of(60).plus(20), 1, false), START + 9_999);
            harness.processElement(new SiteContribution(SOUTH, Aggregate.of(5), 1, false), START + 9_999);
            assertThat(records(harness)).as("held until the watermark").isEmpty();

            harness.processWatermark(START + 9_999);

            assertThat(harness.getOutput())
                    .last()
                    .as("the watermark follows what it closed")
                    .isEqualTo(new Watermark(START + 9_999));
            assertThat(records(harness))
                    .containsExactlyInAnyOrder(
                            new SiteContribution(NORTH, new Aggregate(3, 120, 20, 60), 2, false),
                            new SiteContribution(SOUTH, Aggregate.of(5), 1, false));
        }
    }

    @Test
    void shouldPassACorrectionOnAtOnceAndHoldNothingAcrossACheckpoint() throws Exception {
        try (var harness = new OneInputStreamOperatorTestHarness<>(new SitePartials())) {
            harness.open();
            harness.processElement(new SiteContribution(NORTH, Aggregate.of(7), 0, true), START + 30_000);
            assertThat(records(harness)).containsExactly(new SiteContribution(NORTH, Aggregate.of(7), 0, true));

            harness.processElement(new SiteContribution(SOUTH, Aggregate.of(5), 1, false), START + 9_999);
            harness.prepareSnapshotPreBarrier(1);

            assertThat(records(harness))
                    .as("passed on before the barrier: nothing to checkpoint")
                    .hasSize(2);
        }
    }

    @Test
    void shouldCombineATicksEarlySharesApartAndPassThemOnRightAfterIt() throws Exception {
        try (var harness = new OneInputStreamOperatorTestHarness<>(new SitePartials())) {
            harness.open();
            harness.setProcessingTime(START + 2_000); // the tick's timers run at this time
            harness.processElement(new SiteContribution(NORTH, Aggregate.of(40), 1, false, true), START);
            harness.processElement(new SiteContribution(NORTH, Aggregate.of(60), 1, false, true), START);
            harness.processElement(new SiteContribution(NORTH, Aggregate.of(10), 1, false), START + 9_999);
            assertThat(records(harness))
                    .as("held until the tick's timers are done")
                    .isEmpty();

            harness.setProcessingTime(START + 2_000); // the callback due now runs

            assertThat(records(harness))
                    .containsExactly(new SiteContribution(NORTH, new Aggregate(2, 100, 40, 60), 2, false, true));
            harness.processWatermark(START + 9_999);
            assertThat(records(harness)).last().isEqualTo(new SiteContribution(NORTH, Aggregate.of(10), 1, false));
        }
    }
}
