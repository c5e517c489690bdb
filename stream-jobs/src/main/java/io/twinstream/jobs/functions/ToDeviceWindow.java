package io.twinstream.jobs.functions;

import java.time.Instant;

import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.WindowSize;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Turns a device's window accumulator into one {@link DeviceWindow} per metric, with the window's start. */
public final class ToDeviceWindow extends ProcessWindowFunction<WindowAggregate.Accumulator, DeviceWindow, String, TimeWindow> {

    private static final long serialVersionUID = 1L;

    private final WindowSize size;

    public ToDeviceWindow(WindowSize size) {
        this.size = size;
    }

    @Override
    public void process(String deviceId, Context context, Iterable<WindowAggregate.Accumulator> accumulators,
                        Collector<DeviceWindow> out) {
        Instant start = Instant.ofEpochMilli(context.window().getStart());
        for (WindowAggregate.Accumulator acc : accumulators) {
            for (int i = 0; i < acc.metrics.length; i++) {
                out.collect(new DeviceWindow(acc.domain, acc.site, acc.deviceType, deviceId, acc.metrics[i], size, start,
                        new Aggregate(acc.counts[i], acc.sums[i], acc.mins[i], acc.maxs[i])));
            }
        }
    }
}
