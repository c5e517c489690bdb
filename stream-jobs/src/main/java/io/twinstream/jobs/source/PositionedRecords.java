package io.twinstream.jobs.source;

import java.io.IOException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** {@code records}' output, each with the partition and offset of the Kafka record it came from. */
final class PositionedRecords<T> implements KafkaRecordDeserializationSchema<Polled<T>> {

    private static final long serialVersionUID = 1L;

    private final KafkaRecordDeserializationSchema<T> records;
    private transient Positioning<T> positioning;

    PositionedRecords(KafkaRecordDeserializationSchema<T> records) {
        this.records = records;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
        records.open(context);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Polled<T>> out) throws IOException {
        if (positioning == null) {
            positioning = new Positioning<>();
        }
        positioning.out = out;
        positioning.record = record;
        records.deserialize(record, positioning);
    }

    /** Reused for every record (one reader thread calls the schema). */
    private static final class Positioning<T> implements Collector<T> {
        Collector<Polled<T>> out;
        ConsumerRecord<byte[], byte[]> record;

        @Override
        public void collect(T value) {
            out.collect(new Polled<>(record.partition(), record.offset(), value));
        }

        @Override
        public void close() {}
    }

    /** Never used to serialize: {@link CaughtUpIdleSource} unwraps each record before it leaves the reader. */
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public TypeInformation<Polled<T>> getProducedType() {
        return (TypeInformation) Types.GENERIC(Polled.class);
    }
}
