package io.twinstream.jobs.source;

import io.twinstream.jobs.config.KafkaClientProperties;
import io.twinstream.jobs.deadletter.DeadLetters;
import io.twinstream.jobs.deadletter.RejectedRecord;
import io.twinstream.jobs.serde.CheckingReadingDeserializer;
import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.jobs.sink.KafkaSinks;
import io.twinstream.jobs.time.EventTimeClock;
import io.twinstream.model.Reading;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code telemetry.readings} as both jobs read it: checked ({@link CheckingReadingDeserializer}),
 * what is refused written to the dead-letter topic with its reason and never seen by the
 * watermark, the rest timestamped from each reading's {@code ts} with bounded out-of-orderness per
 * partition, a partition that is quiet and read to its end no longer holding the others back
 * ({@link CaughtUpIdleSource}), and the {@link EventTimeClock} behind it.
 */
public final class ReadingsSource {

    private static final OutputTag<RejectedRecord> REFUSED =
            new OutputTag<>("refused", TypeInformation.of(RejectedRecord.class));

    private ReadingsSource() {}

    /**
     * How a job reads the topic.
     *
     * @param client          every Kafka client's properties (SASL, TLS)
     * @param deadLetterTopic where refused records go (at least once: a restart may write one twice)
     * @param maxFuture       how far ahead of the job's clock a reading may be stamped
     */
    public record Input(
            String bootstrap,
            KafkaClientProperties client,
            String topic,
            String groupId,
            String deadLetterTopic,
            Duration maxFuture,
            Duration outOfOrderness,
            Duration idleAfter) {

        /** The source as a job's configuration describes it: both jobs read the readings the same way. */
        public static Input of(ReadingsJob config) {
            return new Input(
                    config.kafkaBootstrap(),
                    config.kafkaClient(),
                    config.readingsTopic(),
                    config.groupId(),
                    config.deadLetterTopic(),
                    config.maxFuture(),
                    config.outOfOrderness(),
                    config.idleAfter());
        }
    }

    /** A job's configuration, as far as reading {@code telemetry.readings} goes (both jobs' records are one). */
    public interface ReadingsJob {
        String kafkaBootstrap();

        KafkaClientProperties kafkaClient();

        String readingsTopic();

        String groupId();

        String deadLetterTopic();

        Duration maxFuture();

        Duration outOfOrderness();

        Duration idleAfter();
    }

    /**
     * The topic from the group's committed offsets (else the earliest). {@code uid} names the
     * source (existing checkpoints know it; the operators added behind it take it as a prefix, the
     * clock's is its own).
     */
    public static DataStream<Reading> of(StreamExecutionEnvironment env, Input input, String uid) {
        CaughtUpIdleSource<Either<Reading, RejectedRecord>> source = new CaughtUpIdleSource<>(
                new CaughtUpIdleSource.Settings(
                        input.bootstrap(),
                        input.client().asProperties(),
                        input.topic(),
                        input.groupId(),
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST),
                        input.idleAfter()),
                new CheckingReadingDeserializer(input.maxFuture()));
        SingleOutputStreamOperator<Reading> readings = env.fromSource(
                        source, watermarks(input.outOfOrderness()), input.topic())
                .uid(uid)
                .process(new RefusedOut(), ReadingTypes.READING)
                .name("refused records out")
                .uid(uid + "-refused-out");
        readings.getSideOutput(REFUSED)
                .sinkTo(KafkaSinks.atLeastOnce(
                        input.bootstrap(), input.client(), new DeadLetters(input.deadLetterTopic())))
                .name("refused records to " + input.deadLetterTopic())
                .uid(uid + "-dead-letters");
        return EventTimeClock.behind(readings, ReadingTypes.READING, input.idleAfter());
    }

    /**
     * {@link EventTimeClock#readingsStrategy}, for readings only: a refused record has no event
     * time (its timestamp is {@code Long.MIN_VALUE}) and never moves the watermark.
     */
    static WatermarkStrategy<Either<Reading, RejectedRecord>> watermarks(Duration outOfOrderness) {
        WatermarkStrategy<Reading> readings = EventTimeClock.readingsStrategy(outOfOrderness);
        return WatermarkStrategy.<Either<Reading, RejectedRecord>>forGenerator(
                        context -> new ReadingsOnly(readings.createWatermarkGenerator(context)))
                .withTimestampAssigner(
                        (record, previous) -> record.isLeft() ? record.left().ts() : Long.MIN_VALUE);
    }

    /**
     * A partition's watermark generator: the readings' (refused records never move it), sending a
     * watermark only when it rises. {@link CaughtUpIdleSource} marks a quiet partition idle; the
     * same watermark sent again every 200 ms would make it active again.
     */
    private static final class ReadingsOnly implements WatermarkGenerator<Either<Reading, RejectedRecord>> {
        private final WatermarkGenerator<Reading> readings;
        private final RisingOnly rising = new RisingOnly();

        ReadingsOnly(WatermarkGenerator<Reading> readings) {
            this.readings = readings;
        }

        @Override
        public void onEvent(Either<Reading, RejectedRecord> record, long timestamp, WatermarkOutput output) {
            if (record.isLeft()) {
                readings.onEvent(record.left(), timestamp, rising.to(output));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            readings.onPeriodicEmit(rising.to(output));
        }
    }

    /** Passes a watermark on only when it is above the last one passed on. */
    private static final class RisingOnly implements WatermarkOutput {
        private WatermarkOutput output;
        private long last = Long.MIN_VALUE;

        RisingOnly to(WatermarkOutput output) {
            this.output = output;
            return this;
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            if (watermark.getTimestamp() > last) {
                last = watermark.getTimestamp();
                output.emitWatermark(watermark);
            }
        }

        @Override
        public void markIdle() {
            output.markIdle();
        }

        @Override
        public void markActive() {
            output.markActive();
        }
    }

    /** Readings on; refused records to the side output, counted ({@code refusedRecords}) and logged. */
    static final class RefusedOut extends ProcessFunction<Either<Reading, RejectedRecord>, Reading> {
        private static final long serialVersionUID = 1L;
        private static final Logger LOG = LoggerFactory.getLogger(RefusedOut.class);
        /** The first few are logged each; then one in this many, with the count. */
        private static final long LOG_EVERY = 1000;

        private transient Counter refused;

        @Override
        public void open(OpenContext context) {
            refused = getRuntimeContext().getMetricGroup().counter("refusedRecords");
        }

        @Override
        public void processElement(Either<Reading, RejectedRecord> record, Context context, Collector<Reading> out) {
            if (record.isLeft()) {
                out.collect(record.left());
                return;
            }
            RejectedRecord rejected = record.right();
            refused.inc();
            if (refused.getCount() <= 10 || refused.getCount() % LOG_EVERY == 0) {
                LOG.warn(
                        "Refused {} (partition {}, offset {}): {}: {}; to the dead-letter topic ({} refused by this subtask)",
                        rejected.source(),
                        rejected.partition(),
                        rejected.offset(),
                        rejected.reason(),
                        rejected.detail(),
                        refused.getCount());
            }
            context.output(REFUSED, rejected);
        }
    }
}
