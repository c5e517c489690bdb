package io.twinstream.jobs.metrics;

import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.jobs.time.RestoredWatermark;
import io.twinstream.model.Reading;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The metrics job's topology, without sources or sinks (tests feed it fixed readings): readings
 * (timestamped, watermarked) keyed by device → the watermark restored after a failure
 * ({@link RestoredWatermark}) → {@link DeviceWindows}: each reading once, far-late readings out,
 * tumbling 10 s and 1 min event-time windows per device aggregated per metric (count, sum, min,
 * max) with an allowed lateness (a late reading within it re-emits its corrected window) → site
 * windows added up from what each device window contributes, combined per instance before the
 * site shuffle ({@link SitePartials}); with {@link EarlyResults}, windows still open also write their
 * running aggregates, marked not final. Readings later than the lateness leave as samples
 * (one per metric and window size) on the {@code late} output, never dropped silently.
 */
public final class MetricsTopology {

    /** Readings too late for a window, once per window size; they leave as samples on {@link Outputs#late()}. */
    static final OutputTag<Reading> LATE_READINGS = new OutputTag<>("late", ReadingTypes.READING);

    /** What device windows add to their site windows, from {@link DeviceWindows} to {@link SitePartials}. */
    static final OutputTag<SiteContribution> SITE_CONTRIBUTIONS =
            new OutputTag<>("site-contributions", TypeInformation.of(SiteContribution.class));

    /**
     * The device windows' uid: de-duplication, far-late readings and both window sizes in one
     * operator since issue #16 (before: {@code dedup}, {@code late-by-device},
     * {@code device-windows-10s}, {@code device-windows-1m}; docs/upgrading.md).
     */
    static final String DEVICE_WINDOWS_UID = "device-windows-v2";

    /**
     * The site windows' uid. "-v2" since {@link SiteKey} hashes the same in every JVM (issue #15);
     * "-v3" since they add up {@link SiteContribution}s instead of keeping each device's window
     * (issue #16). A savepoint of an earlier version restores with {@code --allowNonRestoredState}
     * (docs/upgrading.md).
     */
    static final String SITE_WINDOWS_UID = "site-windows-v3";

    /** What the topology produces. */
    public record Outputs(
            DataStream<DeviceWindow> deviceWindows,
            DataStream<SiteWindow> siteWindows,
            DataStream<MetricSample> late) {}

    private MetricsTopology() {}

    /**
     * @param readings        with event-time timestamps and watermarks already assigned
     * @param outOfOrderness  the readings' watermark's bound (for the far-late bound)
     * @param dedupMemory     how long a reading's identity is remembered for de-duplication
     * @param allowedLateness how long after a window's end a late reading still corrects it
     */
    public static Outputs build(
            DataStream<Reading> readings, Duration outOfOrderness, Duration dedupMemory, Duration allowedLateness) {
        return build(readings, outOfOrderness, dedupMemory, allowedLateness, EarlyResults.NONE);
    }

    /** The same, with early results of windows still open ({@link EarlyResults}). */
    public static Outputs build(
            DataStream<Reading> readings,
            Duration outOfOrderness,
            Duration dedupMemory,
            Duration allowedLateness,
            EarlyResults early) {
        KeyedStream<Reading, String> byDevice = readings.keyBy(Reading::deviceId);
        SingleOutputStreamOperator<DeviceWindow> deviceWindows =
                deviceWindows(byDevice, outOfOrderness, dedupMemory, allowedLateness, early);
        DataStream<MetricSample> late = deviceWindows
                .getSideOutput(LATE_READINGS)
                .flatMap(MetricsTopology::samples, TypeInformation.of(MetricSample.class))
                .name("late samples")
                .uid("late-samples");
        DataStream<SiteWindow> siteWindows = deviceWindows
                .getSideOutput(SITE_CONTRIBUTIONS)
                .transform("site partials", TypeInformation.of(SiteContribution.class), new SitePartials())
                .uid("site-partials")
                .keyBy(SiteContribution::key)
                .process(new SiteRollup(allowedLateness))
                .name("site windows")
                .uid(SITE_WINDOWS_UID);
        return new Outputs(deviceWindows, siteWindows, late);
    }

    /**
     * Readings keyed by device → restored watermark → {@link DeviceWindows}; readings too late leave
     * on the {@link #LATE_READINGS} side output. (Its own method so a harness test can run the operator.)
     */
    static SingleOutputStreamOperator<DeviceWindow> deviceWindows(
            KeyedStream<Reading, String> readingsByDevice,
            Duration outOfOrderness,
            Duration dedupMemory,
            Duration allowedLateness,
            EarlyResults early) {
        Duration longestWindow = Arrays.stream(WindowSize.values())
                .map(WindowSize::length)
                .max(Comparator.naturalOrder())
                .orElseThrow();
        // A reading behind its device's newest by more than this is too late for every window by the
        // watermark as well, whenever the partitions are within one window length of each other.
        Duration farLate = outOfOrderness.plus(allowedLateness).plus(longestWindow);
        DataStream<Reading> withWatermark = readingsByDevice
                .transform("restored watermark", ReadingTypes.READING, new RestoredWatermark<Reading>())
                .uid("dedup-watermark"); // the uid it had before the operators behind it were one
        return DataStreamUtils.reinterpretAsKeyedStream(withWatermark, Reading::deviceId, Types.STRING)
                .process(
                        new DeviceWindows(
                                WindowSize.values(),
                                allowedLateness,
                                farLate,
                                dedupMemory,
                                early,
                                LATE_READINGS,
                                SITE_CONTRIBUTIONS),
                        TypeInformation.of(DeviceWindow.class))
                .name("device windows (de-duplicated, far-late out)")
                .uid(DEVICE_WINDOWS_UID);
    }

    private static void samples(Reading reading, Collector<MetricSample> out) {
        for (int i = 0; i < reading.metricCount(); i++) {
            out.collect(new MetricSample(
                    reading.domain(),
                    reading.site(),
                    reading.deviceType(),
                    reading.deviceId(),
                    reading.metricNames()[i],
                    reading.ts(),
                    reading.metricValues()[i]));
        }
    }
}
