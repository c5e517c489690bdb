package io.twinstream.pipeline;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How many records a topic holds and how far consumer groups are behind on it: end offsets minus the
 * group's committed offsets,
 * summed over the partitions (a partition the group has not committed counts from its start). The
 * Flink jobs commit at each completed checkpoint, so this is the lag as of their last checkpoint.
 */
public final class ConsumerLag implements AutoCloseable {

    private final Admin admin;

    public ConsumerLag(String bootstrap) {
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000));
    }

    /** Records on a topic (end minus beginning offsets) and, per consumer group, those it has not committed. */
    public record Position(long records, Map<String, Long> lagByGroup) {

        public long lag(String group) {
            return lagByGroup.get(group);
        }
    }

    /** Where {@code topic} and {@code groups} stand: one listing of its offsets for all of them. */
    public Position of(String topic, List<String> groups) throws Exception {
        var partitions = admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get(10, TimeUnit.SECONDS)
                .get(topic)
                .partitions();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        partitions.forEach(p -> {
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
        });
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
                admin.listOffsets(earliest).all().get(10, TimeUnit.SECONDS);
        long records = 0;
        for (var end : ends.entrySet()) {
            records += end.getValue().offset() - starts.get(end.getKey()).offset();
        }
        Map<String, Long> lagByGroup = new LinkedHashMap<>();
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            long lag = 0;
            for (var end : ends.entrySet()) {
                OffsetAndMetadata done = committed.get(end.getKey());
                long from =
                        done != null ? done.offset() : starts.get(end.getKey()).offset();
                lag += Math.max(0, end.getValue().offset() - from);
            }
            lagByGroup.put(group, lag);
        }
        return new Position(records, lagByGroup);
    }

    @Override
    public void close() {
        admin.close();
    }
}
