package io.twinstream.jobs.source;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the partitions of one topic end, asked of Kafka in the background for one source reader:
 * the offset the next record written will get (for a {@code read_committed} reader, the last stable
 * offset), and where the reader's group had got to. Answers arrive on the admin client's thread and
 * are read on the task's; a question is never asked twice at once, and a failed one only logs (a
 * partition is then not known to be caught up, which is the safe side).
 */
final class PartitionEnds implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionEnds.class);

    /** What Kafka answered, asked at {@code askedAt} (the reader's clock). */
    record Snapshot(long askedAt, Map<Integer, Long> ends, Map<Integer, Long> starts) {}

    private final Properties clientProperties;
    private final String topic;
    private final String groupId;
    private final LongSupplier clock;
    private final Runnable answered;
    private final AtomicBoolean asking = new AtomicBoolean();
    private volatile Snapshot latest;
    private Admin admin;
    private int failures;

    /**
     * @param clientProperties the job's Kafka client properties, with the bootstrap servers
     * @param answered         called on the admin client's thread once an answer is in
     */
    PartitionEnds(Properties clientProperties, String topic, String groupId, LongSupplier clock, Runnable answered) {
        this.clientProperties = clientProperties;
        this.topic = topic;
        this.groupId = groupId;
        this.clock = clock;
        this.answered = answered;
    }

    /** The latest answer, or null before the first. */
    Snapshot latest() {
        return latest;
    }

    /**
     * Asks where {@code partitions} end, unless a question is still out. With {@code resolveStarts},
     * also where the group committed and where each partition begins: where a reader that was told
     * "from the committed offset, else the earliest" starts before it has read anything. (A reader
     * told "from the latest" starts further on: this answer is then too early, so such a partition
     * only looks caught up once it has had a record, which is the safe side.)
     */
    void ask(Collection<Integer> partitions, boolean resolveStarts) {
        if (partitions.isEmpty() || !asking.compareAndSet(false, true)) {
            return;
        }
        long askedAt = clock.getAsLong();
        try {
            Admin client = admin();
            Map<TopicPartition, OffsetSpec> latestSpec = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliestSpec = new HashMap<>();
            partitions.forEach(p -> {
                latestSpec.put(new TopicPartition(topic, p), OffsetSpec.latest());
                earliestSpec.put(new TopicPartition(topic, p), OffsetSpec.earliest());
            });
            ListOffsetsOptions options = new ListOffsetsOptions(isolationLevel());
            var ends = stage(client.listOffsets(latestSpec, options).all());
            CompletableFuture<Map<TopicPartition, Long>> starts = resolveStarts
                    ? stage(client.listOffsets(earliestSpec, options).all())
                            .thenCombine(
                                    stage(client.listConsumerGroupOffsets(groupId)
                                            .partitionsToOffsetAndMetadata()),
                                    (earliest, committed) -> {
                                        Map<TopicPartition, Long> start = new HashMap<>();
                                        earliest.forEach((tp, info) -> {
                                            OffsetAndMetadata at = committed.get(tp);
                                            start.put(tp, at != null ? at.offset() : info.offset());
                                        });
                                        return start;
                                    })
                    : CompletableFuture.completedFuture(Map.of());
            ends.thenCombine(starts, (endInfo, startOffsets) -> {
                        Map<Integer, Long> end = new HashMap<>();
                        endInfo.forEach((tp, info) -> end.put(tp.partition(), info.offset()));
                        Map<Integer, Long> start = new HashMap<>();
                        startOffsets.forEach((tp, offset) -> start.put(tp.partition(), offset));
                        return new Snapshot(askedAt, Map.copyOf(end), Map.copyOf(start));
                    })
                    .whenComplete((snapshot, error) -> {
                        asking.set(false);
                        if (error != null) {
                            if (failures++ % 100 == 0) {
                                LOG.warn(
                                        "Could not ask Kafka where the partitions of {} end ({} failures so far); quiet "
                                                + "partitions hold event time back until it answers: {}",
                                        topic,
                                        failures,
                                        error.toString());
                            }
                            return;
                        }
                        latest = snapshot;
                        answered.run();
                    });
        } catch (RuntimeException e) {
            asking.set(false);
            LOG.warn("Could not ask Kafka where the partitions of {} end: {}", topic, e.toString());
        }
    }

    private static <V> CompletableFuture<V> stage(KafkaFuture<V> future) {
        CompletableFuture<V> stage = new CompletableFuture<>();
        future.whenComplete((value, error) -> {
            if (error != null) {
                stage.completeExceptionally(error);
            } else {
                stage.complete(value);
            }
        });
        return stage;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Properties config = new Properties();
            config.putAll(clientProperties);
            // consumer settings the job's client properties may carry mean nothing to an admin client
            config.remove(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
            config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
            config.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            admin = Admin.create(config);
        }
        return admin;
    }

    private IsolationLevel isolationLevel() {
        return "read_committed"
                        .equalsIgnoreCase(String.valueOf(clientProperties.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG)))
                ? IsolationLevel.READ_COMMITTED
                : IsolationLevel.READ_UNCOMMITTED;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }
}
