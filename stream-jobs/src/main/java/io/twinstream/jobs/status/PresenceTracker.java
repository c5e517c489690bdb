package io.twinstream.jobs.status;

import io.twinstream.model.Reading;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Device presence from the readings, keyed by device id: a device is {@code online} from its first
 * reading, {@code offline} once it has sent nothing for {@code intervals} × its expected interval
 * (the median of its last five gaps between readings; {@code defaultInterval} until it has sent
 * two), and online again with its next reading.
 *
 * <p>Driven by event time: the silence is measured against the watermark, so a replay or an
 * accelerated simulation judges silence in its own time. When the whole fleet goes quiet, the
 * job's event-time clock ({@code EventTimeClock}) moves event time on by the wall time
 * elapsed: that is the wall-clock fallback that still marks a silent fleet offline.
 *
 * <p>A reading older than the moment a device went offline does not bring it back: it says nothing
 * about the device being alive since. One timer per device at most, not moved on every reading:
 * when it fires early (the device was seen since) it is set again for the new deadline; it is
 * moved only when the deadline comes earlier (the learned interval shrank).
 *
 * <p>A device offline for {@code forgetAfter} is forgotten: its state goes, and its next reading
 * makes it online as a new device (its interval learned again). Without this, every device id ever
 * seen stayed in state for good, and a client inventing ids grew it without bound; now it holds
 * the devices seen within their offline time plus {@code forgetAfter}. Forgetting changes nothing
 * a dashboard shows: a device that stays silent has no transition left to report.
 */
public final class PresenceTracker extends KeyedProcessFunction<String, Reading, StatusTransition> {

    private static final long serialVersionUID = 1L;

    private final int intervals;
    private final long defaultIntervalMillis;
    private final long forgetAfterMillis;
    private transient ValueState<DevicePresence> presence;

    /**
     * @param intervals       how many expected intervals of silence make a device offline
     * @param defaultInterval the interval assumed before a device has sent two readings
     * @param forgetAfter     how long after going offline a device is forgotten
     */
    public PresenceTracker(int intervals, Duration defaultInterval, Duration forgetAfter) {
        if (intervals < 1) {
            throw new IllegalArgumentException("offline intervals must be at least 1, was " + intervals);
        }
        if (forgetAfter.isNegative() || forgetAfter.isZero()) {
            throw new IllegalArgumentException(
                    "the time to forget an offline device must be above zero, was " + forgetAfter);
        }
        this.intervals = intervals;
        this.defaultIntervalMillis = defaultInterval.toMillis();
        this.forgetAfterMillis = forgetAfter.toMillis();
    }

    @Override
    public void open(OpenContext context) {
        presence = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("presence", TypeInformation.of(DevicePresence.class)));
    }

    @Override
    public void processElement(Reading reading, Context context, Collector<StatusTransition> out) throws Exception {
        DevicePresence device = presence.value();
        long ts = reading.ts();
        if (device == null) {
            device = new DevicePresence();
            device.domain = reading.domain();
            device.site = reading.site();
            device.deviceType = reading.deviceType();
            device.lastSeen = ts;
            out.collect(transition(device, context.getCurrentKey(), StatusTransition.State.ONLINE, ts));
        } else if (ts > device.lastSeen) {
            if (!device.offline) {
                device.recordGap(ts - device.lastSeen); // a gap across an offline spell is not the interval
            }
            device.lastSeen = ts;
            if (device.offline && ts > device.offlineAt) {
                device.offline = false;
                out.collect(transition(device, context.getCurrentKey(), StatusTransition.State.ONLINE, ts));
            }
        }
        if (!device.offline) {
            long deadline = deadline(device);
            if (device.timerAt == Long.MIN_VALUE || deadline < device.timerAt) { // none yet, or the interval shrank
                if (device.timerAt != Long.MIN_VALUE) {
                    context.timerService().deleteEventTimeTimer(device.timerAt);
                }
                device.timerAt = deadline;
                context.timerService().registerEventTimeTimer(deadline);
            }
        }
        presence.update(device);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<StatusTransition> out) throws Exception {
        DevicePresence device = presence.value();
        device.timerAt = Long.MIN_VALUE;
        if (device.offline) { // the only timer of an offline device: forgetAfter has passed without a reading
            presence.clear();
            return;
        }
        long deadline = deadline(device);
        if (deadline <= timestamp) {
            device.offline = true;
            device.offlineAt = timestamp;
            out.collect(transition(device, context.getCurrentKey(), StatusTransition.State.OFFLINE, timestamp));
            device.timerAt =
                    timestamp > Long.MAX_VALUE - forgetAfterMillis ? Long.MAX_VALUE : timestamp + forgetAfterMillis;
            context.timerService().registerEventTimeTimer(device.timerAt);
        } else {
            device.timerAt = deadline; // seen since the timer was set
            context.timerService().registerEventTimeTimer(deadline);
        }
        presence.update(device);
    }

    private long deadline(DevicePresence device) {
        return device.lastSeen + intervals * device.expectedInterval(defaultIntervalMillis);
    }

    private static StatusTransition transition(
            DevicePresence device, String deviceId, StatusTransition.State state, long ts) {
        return new StatusTransition(
                device.domain, device.site, device.deviceType, deviceId, state, ts, device.lastSeen);
    }
}
