package io.twinstream.jobs.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecentSequencesTest {

    private final RecentSequences recent = new RecentSequences();

    /** Timestamps grow with seq, as a device's clock does. */
    private boolean first(long seq) {
        return recent.firstTime(seq, 1_000_000 + seq * 1000);
    }

    @Test
    void shouldTellARepeatFromANewSeq() {
        assertThat(first(1)).isTrue();
        assertThat(first(2)).isTrue();
        assertThat(first(1)).isFalse();
        assertThat(first(2)).isFalse();
        assertThat(first(3)).isTrue();
    }

    @Test
    void shouldAcceptSeqsArrivingOutOfOrderOnceEach() {
        assertThat(first(10)).isTrue();
        assertThat(first(8)).isTrue();
        assertThat(first(9)).isTrue();
        assertThat(first(8)).isFalse();
        assertThat(first(10)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 63, 64, 65, 127, 128, 1000, 4095})
    void shouldStillRecogniseARepeatAfterTheHighestMovedOnBy(long distance) {
        first(100);
        first(100 + distance);

        assertThat(first(100)).as("seq 100, %d behind the highest", distance).isFalse();
        assertThat(first(100 + distance)).isFalse();
    }

    @Test
    void shouldLetThroughWhatIsFurtherBehindThanItsWidth() {
        first(100);
        first(100 + RecentSequences.WIDTH);

        assertThat(first(100)).as("too far behind to know").isTrue();
    }

    @Test
    void shouldStartOverWhenTheDeviceRestartsItsCount() {
        recent.firstTime(1, 1_000);
        recent.firstTime(2, 2_000);
        recent.firstTime(3, 3_000);

        assertThat(recent.firstTime(1, 10_000))
                .as("seq 1 again, but newer: a restart")
                .isTrue();
        assertThat(recent.firstTime(2, 11_000)).isTrue();
        assertThat(recent.firstTime(1, 10_000))
                .as("a redelivery after the restart")
                .isFalse();
        assertThat(recent.firstTime(3, 3_000))
                .as("the old seq 3: newer than nothing now, but not seen in this count")
                .isTrue();
    }

    @Test
    void shouldAgreeWithASetOfSeenSeqsForRedeliveriesCloseBehind() {
        Random random = new Random(7);
        Set<Long> seen = new HashSet<>();
        List<Long> delivered = new ArrayList<>();
        for (long seq = 1; seq <= 20_000; seq++) {
            delivered.add(seq);
            if (random.nextInt(10) == 0) { // a redelivery up to 3,000 readings later
                delivered.add(Math.max(1, seq - random.nextInt(3000)));
            }
        }
        for (long seq : delivered) {
            assertThat(first(seq)).as("seq %d", seq).isEqualTo(seen.add(seq));
        }
    }
}
