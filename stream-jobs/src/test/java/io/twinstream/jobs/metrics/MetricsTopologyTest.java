package io.twinstream.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.model.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The topology on a MiniCluster with hand-made readings at fixed instants and hand-computed results. */
class MetricsTopologyTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .build());

    private static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");

    private static Reading reading(String device, int secondsAfterT0, long seq, double db) {
        long ts = T0.plusSeconds(secondsAfterT0).toEpochMilli();
        return new Reading("city", "north", "noise", device, ts, seq, ts + 50, new String[] {"db"}, new double[] {db});
    }

    private static MetricsTopology.Outputs build(
            StreamExecutionEnvironment env, List<Reading> readings, Duration lateness) {
        env.setParallelism(1);
        DataStream<Reading> in = env.fromData(readings, ReadingTypes.READING)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Reading>forGenerator(context -> new EveryEvent())
                        .withTimestampAssigner((r, previous) -> r.ts()));
        return MetricsTopology.build(in, Duration.ofSeconds(5), Duration.ofMinutes(10), lateness);
    }

    /**
     * Bounded out-of-orderness of 5 s, but a watermark after every reading rather than every 200 ms
     * of wall time, so which reading is late does not depend on how fast the test machine is.
     */
    private static final class EveryEvent implements WatermarkGenerator<Reading> {
        private long maxTimestamp = Long.MIN_VALUE + 5_001;

        @Override
        public void onEvent(Reading reading, long timestamp, WatermarkOutput output) {
            maxTimestamp = Math.max(maxTimestamp, timestamp);
            output.emitWatermark(new Watermark(maxTimestamp - 5_000 - 1));
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {}
    }

    /** pipeline.generic-types=false, as in the job: a Kryo fallback fails the test. */
    private static StreamExecutionEnvironment env() {
        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false);
        return StreamExecutionEnvironment.getExecutionEnvironment(config);
    }

    private static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> out = new ArrayList<>();
        try (CloseableIterator<T> it = stream.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static DeviceWindow device(String id, WindowSize size, int startSecond, Aggregate values) {
        return new DeviceWindow("city", "north", "noise", id, "db", size, T0.plusSeconds(startSecond), values);
    }

    private static SiteWindow site(WindowSize size, int startSecond, Aggregate values, int devices) {
        return new SiteWindow("city", "north", "noise", "db", size, T0.plusSeconds(startSecond), values, devices);
    }

    /** n-1: 10 @1s, 20 @3s, 20 @3s again (same seq: a redelivery), 30 @2s (out of order), 5 @12s; n-2: 50 @4s. */
    private static final List<Reading> STREAM = List.of(
            reading("n-1", 1, 1, 10),
            reading("n-1", 3, 2, 20),
            reading("n-2", 4, 1, 50),
            reading("n-1", 3, 2, 20),
            reading("n-1", 2, 3, 30),
            reading("n-1", 12, 4, 5));

    @Test
    void shouldComputeExactDeviceWindowsDespiteDuplicatesAndDisorder() throws Exception {
        List<DeviceWindow> windows =
                collect(build(env(), STREAM, Duration.ofSeconds(60)).deviceWindows());

        assertThat(windows)
                .containsExactlyInAnyOrder(
                        device("n-1", WindowSize.TEN_SECONDS, 0, new Aggregate(3, 60, 10, 30)),
                        device("n-1", WindowSize.TEN_SECONDS, 10, new Aggregate(1, 5, 5, 5)),
                        device("n-2", WindowSize.TEN_SECONDS, 0, new Aggregate(1, 50, 50, 50)),
                        device("n-1", WindowSize.ONE_MINUTE, 0, new Aggregate(4, 65, 5, 30)),
                        device("n-2", WindowSize.ONE_MINUTE, 0, new Aggregate(1, 50, 50, 50)));
    }

    @Test
    void shouldRollSitesUpFromTheirDevices() throws Exception {
        List<SiteWindow> windows =
                collect(build(env(), STREAM, Duration.ofSeconds(60)).siteWindows());

        assertThat(windows)
                .containsExactlyInAnyOrder(
                        site(WindowSize.TEN_SECONDS, 0, new Aggregate(4, 110, 10, 50), 2),
                        site(WindowSize.TEN_SECONDS, 10, new Aggregate(1, 5, 5, 5), 1),
                        site(WindowSize.ONE_MINUTE, 0, new Aggregate(5, 115, 5, 50), 2));
    }

    /**
     * A reading at 1s arrives once the watermark is at 65s: its 10 s window ended at 10 s, more than
     * the 30 s lateness ago, so it leaves on the late output; its 1 min window (end 60 s) is still
     * within lateness and is emitted again, corrected.
     */
    @Test
    void shouldCorrectWithinLatenessAndSideOutputBeyondIt() throws Exception {
        List<Reading> stream = List.of(reading("n-1", 1, 1, 10), reading("n-2", 70, 1, 50), reading("n-3", 1, 1, 99));

        MetricsTopology.Outputs outputs = build(env(), stream, Duration.ofSeconds(30));
        List<MetricSample> late = collect(outputs.late());

        assertThat(late)
                .extracting(MetricSample::deviceId, MetricSample::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("n-3", 99.0));
        List<DeviceWindow> windows =
                collect(build(env(), stream, Duration.ofSeconds(30)).deviceWindows());
        assertThat(windows)
                .contains(device("n-3", WindowSize.ONE_MINUTE, 0, new Aggregate(1, 99, 99, 99)))
                .doesNotContain(device("n-3", WindowSize.TEN_SECONDS, 0, new Aggregate(1, 99, 99, 99)));
    }
}
