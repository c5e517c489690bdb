package io.twinstream.jobs.functions;

import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.jobs.time.RestoredWatermark;
import io.twinstream.model.Reading;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;

/** The alerts job's start: readings keyed by device, each let through once. */
public final class UniqueReadings {

    private UniqueReadings() {}

    /**
     * {@code readings} keyed by device id → the watermark restored after a failure
     * ({@link RestoredWatermark}) → de-duplicated ({@link Deduplicator}), still keyed by device: the
     * operators behind read it as keyed, with no second shuffle, chained. {@code uid} names the
     * de-duplication (existing checkpoints know it); the restored watermark is {@code uid + "-watermark"}.
     */
    public static KeyedStream<Reading, String> byDevice(
            DataStream<Reading> readings, Duration dedupMemory, String uid) {
        DataStream<Reading> withWatermark = readings.keyBy(Reading::deviceId)
                .transform("restored watermark", ReadingTypes.READING, new RestoredWatermark<Reading>())
                .uid(uid + "-watermark");
        return DataStreamUtils.reinterpretAsKeyedStream(
                DataStreamUtils.reinterpretAsKeyedStream(withWatermark, Reading::deviceId, Types.STRING)
                        .process(new Deduplicator(dedupMemory))
                        .name("de-duplicate by device and seq")
                        .uid(uid),
                Reading::deviceId,
                Types.STRING);
    }
}
