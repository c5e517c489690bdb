package io.twinstream.jobs;

import java.time.Duration;

import io.twinstream.jobs.functions.Deduplicator;
import io.twinstream.jobs.functions.SiteRollup;
import io.twinstream.jobs.functions.ToDeviceWindow;
import io.twinstream.jobs.functions.WindowAggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.MetricSample;
import io.twinstream.jobs.metrics.SiteKey;
import io.twinstream.jobs.metrics.SiteWindow;
import io.twinstream.jobs.metrics.WindowSize;
import io.twinstream.model.Reading;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

/**
 * The metrics job's topology, without sources or sinks (tests feed it fixed readings): readings
 * (timestamped, watermarked) → de-duplicated per device → one sample per metric → tumbling 10 s and
 * 1 min event-time windows per device and metric (count, sum, min, max) with an allowed lateness:
 * a late reading within it re-emits its corrected window → site windows rolled up from the device
 * windows. Samples later than the lateness leave on the {@code late} output, never dropped silently.
 */
public final class MetricsTopology {

    /** Samples too late for their window, per window size. */
    public static final OutputTag<MetricSample> LATE = new OutputTag<>("late", TypeInformation.of(MetricSample.class));

    /** What the topology produces. */
    public record Outputs(DataStream<DeviceWindow> deviceWindows, DataStream<SiteWindow> siteWindows,
                          DataStream<MetricSample> late) {
    }

    private MetricsTopology() {
    }

    /**
     * @param readings        with event-time timestamps and watermarks already assigned
     * @param dedupMemory     how long a reading's identity is remembered for de-duplication
     * @param allowedLateness how long after a window's end a late reading still corrects it
     */
    public static Outputs build(DataStream<Reading> readings, Duration dedupMemory, Duration allowedLateness) {
        DataStream<MetricSample> samples = readings
                .keyBy(Reading::deviceId)
                .process(new Deduplicator(dedupMemory)).name("de-duplicate by device and seq").uid("dedup")
                .flatMap(MetricsTopology::samples, TypeInformation.of(MetricSample.class))
                .name("one sample per metric").uid("samples");

        DataStream<DeviceWindow> deviceWindows = null;
        DataStream<MetricSample> late = null;
        for (WindowSize size : WindowSize.values()) {
            SingleOutputStreamOperator<DeviceWindow> windows = samples
                    .keyBy(MetricSample::key)
                    .window(TumblingEventTimeWindows.of(size.length()))
                    .allowedLateness(allowedLateness)
                    .sideOutputLateData(LATE)
                    .aggregate(new WindowAggregate(), new ToDeviceWindow(size))
                    .name("device windows " + size.tag()).uid("device-windows-" + size.tag());
            deviceWindows = deviceWindows == null ? windows : deviceWindows.union(windows);
            late = late == null ? windows.getSideOutput(LATE) : late.union(windows.getSideOutput(LATE));
        }
        DataStream<SiteWindow> siteWindows = deviceWindows
                .keyBy(SiteKey::of)
                .process(new SiteRollup(allowedLateness)).name("site windows").uid("site-windows");
        return new Outputs(deviceWindows, siteWindows, late);
    }

    private static void samples(Reading reading, org.apache.flink.util.Collector<MetricSample> out) {
        for (int i = 0; i < reading.metricCount(); i++) {
            out.collect(new MetricSample(reading.domain(), reading.site(), reading.deviceType(), reading.deviceId(),
                    reading.metricNames()[i], reading.ts(), reading.metricValues()[i]));
        }
    }
}
