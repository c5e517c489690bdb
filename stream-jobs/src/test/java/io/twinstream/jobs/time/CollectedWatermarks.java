package io.twinstream.jobs.time;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/** A {@link WatermarkOutput} for tests: keeps every watermark a generator emitted, in order. */
public final class CollectedWatermarks implements WatermarkOutput {

    private final List<Long> emitted = new ArrayList<>();

    public List<Long> all() {
        return emitted;
    }

    /** The last watermark emitted, or {@link Long#MIN_VALUE} before the first. */
    public long last() {
        return emitted.isEmpty() ? Long.MIN_VALUE : emitted.get(emitted.size() - 1);
    }

    @Override
    public void emitWatermark(Watermark watermark) {
        emitted.add(watermark.getTimestamp());
    }

    @Override
    public void markIdle() {
    }

    @Override
    public void markActive() {
    }
}
