package io.twinstream.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.model.Reading;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceBudgetTest {

    private static Reading reading(String device) {
        return new Reading("city", "budget", "noise", device, 1_000, 1, 1_000, new String[] {"db"}, new double[] {1});
    }

    private static List<Reading> readings(String... devices) {
        return java.util.Arrays.stream(devices).map(DeviceBudgetTest::reading).toList();
    }

    @Test
    void shouldLetTheFirstDevicesThroughAndRefuseAMessageWithOneMoreAsAWhole() throws Exception {
        DeviceBudget budget = new DeviceBudget(3);
        budget.admit(readings("n-1", "n-2"));
        budget.admit(readings("n-2", "n-3", "n-3"));
        assertThat(budget.seen()).isEqualTo(3);

        assertThatThrownBy(() -> budget.admit(readings("n-1", "n-4", "n-5")))
                .isInstanceOfSatisfying(
                        PayloadRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.OVER_DEVICE_BUDGET))
                .hasMessageContaining(
                        "device 'n-4' would be one more than the 3 this bridge lets through (ingest.max-devices)");
        assertThat(budget.seen())
                .as("none of a refused message's devices admitted")
                .isEqualTo(3);

        budget.admit(readings("n-3", "n-1")); // known devices go on
    }

    @Test
    void shouldRefuseABatchWhoseNewDevicesTogetherGoOverTheBudget() throws Exception {
        DeviceBudget budget = new DeviceBudget(2);
        budget.admit(readings("n-1"));
        assertThatThrownBy(() -> budget.admit(readings("n-2", "n-3"))).isInstanceOf(PayloadRejectedException.class);
        budget.admit(readings("n-2"));
        assertThat(budget.seen()).isEqualTo(2);
    }

    @Test
    void shouldHaveNoBudgetAtZero() throws Exception {
        DeviceBudget budget = new DeviceBudget(0);
        for (int i = 0; i < 1000; i++) {
            budget.admit(readings("n-" + i));
        }
        assertThat(budget.seen()).as("nothing kept without a budget").isZero();
    }
}
