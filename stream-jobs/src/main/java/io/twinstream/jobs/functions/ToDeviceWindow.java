package io.twinstream.jobs.functions;

import java.time.Instant;

import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.DeviceMetricKey;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.WindowSize;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Puts the key and the window's start on a window's aggregate. */
public final class ToDeviceWindow extends ProcessWindowFunction<Aggregate, DeviceWindow, DeviceMetricKey, TimeWindow> {

    private static final long serialVersionUID = 1L;

    private final WindowSize size;

    public ToDeviceWindow(WindowSize size) {
        this.size = size;
    }

    @Override
    public void process(DeviceMetricKey key, Context context, Iterable<Aggregate> aggregates, Collector<DeviceWindow> out) {
        for (Aggregate values : aggregates) {
            out.collect(new DeviceWindow(key.domain(), key.site(), key.deviceType(), key.deviceId(), key.metric(), size,
                    Instant.ofEpochMilli(context.window().getStart()), values));
        }
    }
}
