package io.twinstream.jobs;

import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;

import io.twinstream.jobs.functions.LateByDevice;
import io.twinstream.jobs.functions.SiteRollup;
import io.twinstream.jobs.functions.ToDeviceWindow;
import io.twinstream.jobs.functions.WindowAggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.MetricSample;
import io.twinstream.jobs.metrics.SiteKey;
import io.twinstream.jobs.metrics.SiteWindow;
import io.twinstream.jobs.metrics.WindowSize;
import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.model.Reading;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The metrics job's topology, without sources or sinks (tests feed it fixed readings): readings
 * (timestamped, watermarked) → de-duplicated per device → far-late readings out ({@link LateByDevice})
 * → tumbling 10 s and 1 min event-time windows
 * per device, aggregated per metric (count, sum, min, max) with an allowed lateness: a late reading
 * within it re-emits its corrected window → site windows rolled up from the device windows. Readings
 * later than the lateness leave as samples (one per metric) on the {@code late} output, never
 * dropped silently.
 */
public final class MetricsTopology {

    /** Readings too late for their window, per window size; they leave as samples on {@link Outputs#late()}. */
    static final OutputTag<Reading> LATE_READINGS = new OutputTag<>("late", ReadingTypes.READING);

    /** Readings far behind their device's newest one ({@link LateByDevice}): too late for every window. */
    static final OutputTag<Reading> LATE_BY_DEVICE = new OutputTag<>("late-by-device", ReadingTypes.READING);

    /**
     * The site windows' uid. "-v2" since {@link SiteKey} hashes the same in every JVM: state saved
     * under the old key (an enum inside, an identity hash) sits in key groups no JVM computes again,
     * so it is left behind rather than restored wrongly. A savepoint of an earlier version restores
     * with {@code --allowNonRestoredState}; site windows open at that savepoint then miss the device
     * windows emitted before it (README, upgrade notes).
     */
    static final String SITE_WINDOWS_UID = "site-windows-v2";

    /** What the topology produces. */
    public record Outputs(DataStream<DeviceWindow> deviceWindows, DataStream<SiteWindow> siteWindows,
                          DataStream<MetricSample> late) {
    }

    private MetricsTopology() {
    }

    /**
     * @param readings        with event-time timestamps and watermarks already assigned
     * @param outOfOrderness  the readings' watermark's bound (for {@link LateByDevice})
     * @param dedupMemory     how long a reading's identity is remembered for de-duplication
     * @param allowedLateness how long after a window's end a late reading still corrects it
     */
    public static Outputs build(DataStream<Reading> readings, Duration outOfOrderness, Duration dedupMemory,
                                Duration allowedLateness) {
        Duration longestWindow = Arrays.stream(WindowSize.values()).map(WindowSize::length)
                .max(Comparator.naturalOrder()).orElseThrow();
        SingleOutputStreamOperator<Reading> inTime = UniqueReadings.byDevice(readings, dedupMemory, "dedup")
                .process(new LateByDevice(outOfOrderness.plus(allowedLateness).plus(longestWindow), dedupMemory,
                        LATE_BY_DEVICE), ReadingTypes.READING)
                .name("far-late readings out").uid("late-by-device");
        KeyedStream<Reading, String> unique = DataStreamUtils.reinterpretAsKeyedStream(inTime, Reading::deviceId, Types.STRING);
        // A reading too late for every window, once per window size as the windows' own late output does.
        DataStream<Reading> farLate = inTime.getSideOutput(LATE_BY_DEVICE);

        DataStream<DeviceWindow> deviceWindows = null;
        DataStream<MetricSample> late = null;
        for (WindowSize size : WindowSize.values()) {
            SingleOutputStreamOperator<DeviceWindow> windows = deviceWindows(unique, size, allowedLateness);
            DataStream<MetricSample> tooLate = windows.getSideOutput(LATE_READINGS).union(farLate)
                    .flatMap(MetricsTopology::samples, TypeInformation.of(MetricSample.class))
                    .name("late samples " + size.tag()).uid("late-samples-" + size.tag());
            deviceWindows = deviceWindows == null ? windows : deviceWindows.union(windows);
            late = late == null ? tooLate : late.union(tooLate);
        }
        DataStream<SiteWindow> siteWindows = deviceWindows
                .keyBy(SiteKey::of)
                .process(new SiteRollup(allowedLateness)).name("site windows").uid(SITE_WINDOWS_UID);
        return new Outputs(deviceWindows, siteWindows, late);
    }

    /**
     * One window size's device windows; readings beyond the allowed lateness leave on the
     * {@link #LATE_READINGS} side output. (Its own method so a harness test can run the operator.)
     */
    static SingleOutputStreamOperator<DeviceWindow> deviceWindows(KeyedStream<Reading, String> readingsByDevice,
                                                                  WindowSize size, Duration allowedLateness) {
        return readingsByDevice
                .window(TumblingEventTimeWindows.of(size.length()))
                .allowedLateness(allowedLateness)
                .sideOutputLateData(LATE_READINGS)
                .aggregate(new WindowAggregate(), new ToDeviceWindow(size))
                .name("device windows " + size.tag()).uid("device-windows-" + size.tag());
    }

    private static void samples(Reading reading, Collector<MetricSample> out) {
        for (int i = 0; i < reading.metricCount(); i++) {
            out.collect(new MetricSample(reading.domain(), reading.site(), reading.deviceType(), reading.deviceId(),
                    reading.metricNames()[i], reading.ts(), reading.metricValues()[i]));
        }
    }
}
