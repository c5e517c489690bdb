package io.twinstream.jobs;

import java.time.Duration;

import io.twinstream.jobs.serde.ReadingDeserializationSchema;
import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.jobs.time.EventTimeClock;
import io.twinstream.model.Reading;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** {@code telemetry.readings} as both jobs read it. */
final class ReadingsSource {

    private ReadingsSource() {
    }

    /**
     * The topic from the group's committed offsets (else the earliest), decoded, timestamped from
     * each reading's {@code ts} with bounded out-of-orderness, and the {@link EventTimeClock} behind
     * it. {@code uid} names the source (existing checkpoints know it; the clock's is its own).
     */
    static DataStream<Reading> of(StreamExecutionEnvironment env, String bootstrap, String topic, String groupId,
                                  Duration outOfOrderness, Duration idleAfter, String uid) {
        KafkaSource<Reading> source = KafkaSource.<Reading>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setValueOnlyDeserializer(new ReadingDeserializationSchema())
                .build();
        return EventTimeClock.behind(env.fromSource(source, EventTimeClock.readingsStrategy(outOfOrderness), "telemetry.readings")
                .uid(uid), ReadingTypes.READING, idleAfter);
    }
}
