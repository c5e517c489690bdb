package io.twinstream.jobs.time;

import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Put right behind a shuffle, chained to the operators that judge lateness (the device windows):
 * after a restore it hands them the watermark they had at the checkpoint before the first reading.
 *
 * <p>Flink checkpoints no watermark. After a restore an operator behind a shuffle has none until
 * <em>every</em> upstream instance has sent one again, and readings replayed from before the
 * failure come in that gap. A window operator without a watermark takes a reading far too late
 * for its window (window long fired and purged) as on time: it opens a fresh window holding only
 * that reading, which then overwrites the real window in InfluxDB. Sending the checkpointed
 * watermark on the upstream side ({@link EventTimeClock}) is not enough: this side takes the
 * minimum over its input channels, and one channel may bring the replayed reading before another
 * brings its watermark. Chained operators get this operator's watermarks directly, in order.
 */
public final class RestoredWatermark<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {

    private static final long serialVersionUID = 1L;

    private transient CheckpointedWatermark checkpointed;
    private transient long current;
    private transient boolean restoredNotYetSent;

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed = new CheckpointedWatermark(context);
        current = checkpointed.restored();
        restoredNotYetSent = current != Long.MIN_VALUE;
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.snapshot(current);
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        sendRestored();
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        sendRestored();
        if (mark.getTimestamp() > current) { // until the inputs catch up with the restored one
            current = mark.getTimestamp();
            super.processWatermark(mark);
        }
    }

    private void sendRestored() {
        if (restoredNotYetSent) {
            restoredNotYetSent = false;
            output.emitWatermark(new Watermark(current));
        }
    }
}
