package io.twinstream.pipeline.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How far out of order {@code telemetry.readings} holds the readings, partition by partition, and
 * how much of that the bridge added. A watermark is never ahead of its partition's newest timestamp
 * minus out-of-orderness, so only readings further behind than that can be late; when they are many,
 * the jobs' windows depend on how fast the jobs read (the allowed lateness takes some back), and
 * that is the input's order, not an event-time fault of the jobs. {@link Reading#ingestedAt()} is
 * when the bridge received a reading: one written after a reading received later shows the bridge
 * reordering, whatever the devices did.
 *
 * @param readings       records read
 * @param behind         readings more than the bound behind the newest timestamp before them in their partition
 * @param mostBehindMillis the furthest a reading came behind its partition's newest timestamp
 * @param reorderedMillis  the furthest a reading's reception came behind the newest reception before it in its partition
 */
record ReadingsOrder(long readings, long behind, long mostBehindMillis, long reorderedMillis) {

    static ReadingsOrder read(String bootstrap, long expected, Duration bound) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", "bench-order-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        long boundMillis = bound.toMillis();
        Map<Integer, long[]> newest = new HashMap<>(); // per partition: newest ts, newest ingestedAt
        long readings = 0;
        long behind = 0;
        long mostBehind = 0;
        long reordered = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("telemetry.readings"));
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            int emptyPolls = 0;
            while (readings < expected && System.nanoTime() < deadline && emptyPolls < 20) {
                var batch = consumer.poll(Duration.ofMillis(500));
                emptyPolls = batch.isEmpty() ? emptyPolls + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    Reading r = ReadingCodec.decode(record.value());
                    readings++;
                    long[] last = newest.get(record.partition());
                    if (last == null) {
                        newest.put(record.partition(), new long[] {r.ts(), r.ingestedAt()});
                        continue;
                    }
                    if (r.ts() < last[0] - boundMillis) {
                        behind++;
                    }
                    mostBehind = Math.max(mostBehind, last[0] - r.ts());
                    reordered = Math.max(reordered, last[1] - r.ingestedAt());
                    last[0] = Math.max(last[0], r.ts());
                    last[1] = Math.max(last[1], r.ingestedAt());
                }
            }
        }
        return new ReadingsOrder(readings, behind, mostBehind, reordered);
    }

    void print(PrintStream out, String mode, Duration bound) {
        out.printf("%s: order in telemetry.readings: %,d of %,d readings more than %d s behind their partition's newest "
                        + "(at most %,d ms); written at most %,d ms out of the order the bridge received them%n",
                mode, behind, readings, bound.toSeconds(), mostBehindMillis, reorderedMillis);
    }
}
