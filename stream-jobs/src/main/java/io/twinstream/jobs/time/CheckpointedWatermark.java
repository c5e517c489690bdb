package io.twinstream.jobs.time;

import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.StateInitializationContext;

/**
 * The watermark an operator has sent on, kept in its checkpoints: union operator state, so after a
 * restore (also with another parallelism) every instance sees every instance's value and takes the
 * lowest — never more than any operator behind had seen.
 */
final class CheckpointedWatermark {

    private final ListState<Long> state;

    CheckpointedWatermark(StateInitializationContext context) throws Exception {
        this.state =
                context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("watermark", Long.class));
    }

    /**
     * The lowest watermark restored, or {@link Long#MIN_VALUE} when none was (a fresh start, or
     * instances that never had one).
     */
    long restored() throws Exception {
        long lowest = Long.MAX_VALUE;
        for (Long watermark : state.get()) {
            if (watermark != Long.MIN_VALUE) { // an instance that never had a watermark holds nothing back
                lowest = Math.min(lowest, watermark);
            }
        }
        return lowest == Long.MAX_VALUE ? Long.MIN_VALUE : lowest;
    }

    /** Keeps {@code watermark} in the checkpoint being taken. */
    void snapshot(long watermark) throws Exception {
        state.update(List.of(watermark));
    }
}
