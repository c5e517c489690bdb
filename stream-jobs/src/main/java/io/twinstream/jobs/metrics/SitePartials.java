package io.twinstream.jobs.metrics;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Combines the site contributions of one device-window instance's devices before the site shuffle:
 * with 100,000 devices that is a few thousand records per window instead of one per device and
 * metric (the shuffle and the site roll-up's per-device state were the largest cost left in the
 * metrics job's topology).
 *
 * <p>Chained behind {@link DeviceWindows}: device windows are emitted by its event-time timers, and
 * the watermark that fired them comes here right after them, in the same call; so everything held
 * is passed on when that watermark comes, before it. Held contributions are also passed on before
 * a checkpoint barrier and at the end of input, so this operator has no state to checkpoint:
 * the site roll-up adds up whatever arrives. A correction (a late reading) is passed on at once.
 *
 * <p>Early contributions (open windows' running aggregates) come from {@link DeviceWindows}'
 * processing-time ticks, which every device has at the same moments: they are combined apart from
 * the final ones and passed on right after the tick's timers (a processing-time callback due at
 * once runs after the timers that are due), or with the next watermark, barrier or end of input.
 */
public final class SitePartials extends AbstractStreamOperator<SiteContribution>
        implements OneInputStreamOperator<SiteContribution, SiteContribution> {

    private static final long serialVersionUID = 1L;

    private transient Map<SiteKey, SiteContribution> held;
    private transient Map<SiteKey, SiteContribution> heldEarly;

    @Override
    public void open() throws Exception {
        super.open();
        held = new HashMap<>();
        heldEarly = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<SiteContribution> element) {
        SiteContribution contribution = element.getValue();
        if (contribution.correction()) {
            output.collect(new StreamRecord<>(contribution));
        } else if (contribution.early()) {
            if (heldEarly.isEmpty()) {
                getProcessingTimeService()
                        .registerTimer(
                                getProcessingTimeService().getCurrentProcessingTime(), time -> passOn(heldEarly));
            }
            heldEarly.merge(contribution.key(), contribution, SiteContribution::plus);
        } else {
            held.merge(contribution.key(), contribution, SiteContribution::plus);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        passOn();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        passOn();
    }

    @Override
    public void finish() throws Exception {
        passOn();
        super.finish();
    }

    private void passOn() {
        passOn(heldEarly);
        passOn(held);
    }

    private void passOn(Map<SiteKey, SiteContribution> contributions) {
        if (!contributions.isEmpty()) {
            for (SiteContribution contribution : contributions.values()) {
                output.collect(new StreamRecord<>(contribution));
            }
            contributions.clear();
        }
    }
}
