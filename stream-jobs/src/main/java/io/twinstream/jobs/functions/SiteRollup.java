package io.twinstream.jobs.functions;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.SiteKey;
import io.twinstream.jobs.metrics.SiteWindow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Site windows from device windows (ARCHITECTURE: cheaper than re-windowing every reading on a hot
 * site key): keyed by {@link SiteKey}, it keeps each device's latest window and, when the watermark
 * passes the window's end, emits the combination once: counts and sums added, min of mins, max of
 * maxes, and the number of devices. A device window that comes later (a late correction within the
 * allowed lateness) replaces that device's part and the site window is emitted again at once,
 * overwriting its point. State is dropped when the allowed lateness has passed too.
 */
public final class SiteRollup extends KeyedProcessFunction<SiteKey, DeviceWindow, SiteWindow> {

    private static final long serialVersionUID = 1L;

    private final long allowedLatenessMillis;
    private transient MapState<String, Aggregate> byDevice;
    private transient ValueState<Boolean> emitted;

    public SiteRollup(Duration allowedLateness) {
        if (allowedLateness.isNegative()) {
            throw new IllegalArgumentException("allowed lateness must not be negative, was " + allowedLateness);
        }
        this.allowedLatenessMillis = allowedLateness.toMillis();
    }

    @Override
    public void open(OpenContext context) {
        byDevice = getRuntimeContext().getMapState(new MapStateDescriptor<>("by-device", String.class, Aggregate.class));
        emitted = getRuntimeContext().getState(new ValueStateDescriptor<>("emitted", Boolean.class));
    }

    @Override
    public void processElement(DeviceWindow window, Context context, Collector<SiteWindow> out) throws Exception {
        SiteKey key = context.getCurrentKey();
        byDevice.put(window.deviceId(), window.values());
        if (Boolean.TRUE.equals(emitted.value())) {
            out.collect(combine(key)); // a correction after the first emission: overwrite the point now
            return;
        }
        context.timerService().registerEventTimeTimer(key.lastMillisecond());
        context.timerService().registerEventTimeTimer(cleanupTime(key));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<SiteWindow> out) throws Exception {
        SiteKey key = context.getCurrentKey();
        if (timestamp == cleanupTime(key)) {
            byDevice.clear();
            emitted.clear();
        } else if (timestamp == key.lastMillisecond() && !Boolean.TRUE.equals(emitted.value())) {
            out.collect(combine(key));
            emitted.update(true);
        }
    }

    private long cleanupTime(SiteKey key) {
        return key.lastMillisecond() + allowedLatenessMillis + 1;
    }

    private SiteWindow combine(SiteKey key) throws Exception {
        Aggregate total = null;
        int devices = 0;
        for (Map.Entry<String, Aggregate> device : byDevice.entries()) {
            total = total == null ? device.getValue() : total.plus(device.getValue());
            devices++;
        }
        return new SiteWindow(key.domain(), key.site(), key.deviceType(), key.metric(), key.size(),
                Instant.ofEpochMilli(key.start()), total, devices);
    }
}
