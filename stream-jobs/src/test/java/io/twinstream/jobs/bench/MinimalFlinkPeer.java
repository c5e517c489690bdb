package io.twinstream.jobs.bench;

import io.twinstream.jobs.config.JobSettings;
import io.twinstream.jobs.time.EventTimeClock;
import io.twinstream.model.Reading;
import java.time.Duration;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * The least a Flink job must do with this topic, to tell what the metrics job could reach: the same
 * Kafka source and decoding ({@link ReadingDeserializationSchema}), the same watermarks (bounded
 * out-of-orderness 5 s), keyed by device, one tumbling 10 s event-time window counting readings, and
 * a sink that only adds the counts up. No de-duplication, no second window size, no site roll-up, no
 * InfluxDB. The same Flink settings as the jobs (local MiniCluster, parallelism = cores, checkpoints
 * every 10 s).
 *
 * <p>Prints {@code JOB id}, {@code READY} once running, then every 100 ms {@code READ counted N}:
 * the readings (flush markers left out) counted in the windows emitted so far ({@link CountingSink}).
 * Arguments: bootstrap servers, topic, checkpoint directory URI. Runs until killed.
 */
public final class MinimalFlinkPeer {

    private MinimalFlinkPeer() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                JobSettings.flinkConfiguration(Duration.ofSeconds(10), args[2]));
        KafkaSource<Reading> source = KafkaSource.<Reading>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic)
                .setGroupId("bench-minimal-" + System.currentTimeMillis())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new ReadingDeserializationSchema())
                .build();
        env.fromSource(source, EventTimeClock.readingsStrategy(Duration.ofSeconds(5)), topic)
                .keyBy(Reading::deviceId)
                .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
                .aggregate(new CountReadings(), new RealDevicesOnly())
                .sinkTo(new CountingSink("counted"))
                .name("add up, discard");

        JobClient job = env.executeAsync("twinstream minimal peer (benchmark)");
        CountingSink.reportEvery100ms();
        FlinkPeer.runUntilKilled(job);
    }

    /** Readings per window, incrementally (one long per device and window in state). */
    static final class CountReadings implements AggregateFunction<Reading, Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(Reading reading, Long count) {
            return count + 1;
        }

        @Override
        public Long getResult(Long count) {
            return count;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }

    /** A window's count, 0 for the flush markers' devices. */
    static final class RealDevicesOnly extends ProcessWindowFunction<Long, Long, String, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(String deviceId, Context context, Iterable<Long> counts, Collector<Long> out) {
            long count = counts.iterator().next();
            out.collect(deviceId.startsWith(BenchLoad.MARKER_PREFIX) ? 0L : count);
        }
    }
}
