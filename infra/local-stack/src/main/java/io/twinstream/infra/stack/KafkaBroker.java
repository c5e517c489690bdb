package io.twinstream.infra.stack;

import io.twinstream.model.TopicCatalog;
import java.util.List;
import java.util.Map;

/**
 * A running Kafka cluster (a single KRaft node locally) reachable over PLAINTEXT.
 *
 * <p>The local broker has {@code auto.create.topics.enable=false}: create every topic you use, with
 * {@link #createTopic(String, int)}, so a misspelled topic fails instead of being created silently.
 */
public interface KafkaBroker extends AutoCloseable {

    /** The value for the clients' {@code bootstrap.servers}. */
    String bootstrapServers();

    String description();

    /** Creates a topic (the cluster's default replication factor: 1 on a single node) and waits until it is usable. */
    default void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /** Creates a topic with topic-level configs such as {@code retention.ms}. */
    default void createTopic(String name, int partitions, Map<String, String> topicConfigs) {
        KafkaTopics.create(bootstrapServers(), name, partitions, topicConfigs);
    }

    /** Creates the pipeline's topics ({@link TopicCatalog#ALL}) that are missing; returns their names. */
    default List<String> ensurePipelineTopics() {
        return KafkaTopics.ensure(bootstrapServers(), TopicCatalog.ALL).created();
    }

    @Override
    void close();
}
