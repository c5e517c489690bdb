package io.twinstream.infra.stack.docker;

import io.twinstream.infra.stack.KafkaBroker;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Kafka (KRaft, {@code apache/kafka} at the version of the clients) in a container. Used only where
 * a Docker engine is available.
 */
public final class KafkaContainerBroker implements KafkaBroker {

    private final KafkaContainer container;
    private final DockerImageName image;

    private KafkaContainerBroker(KafkaContainer container, DockerImageName image) {
        this.container = container;
        this.image = image;
    }

    /** @param kafkaVersion the broker version; keep it equal to the clients' version */
    public static KafkaContainerBroker start(String kafkaVersion) {
        DockerImageName image = DockerImageName.parse("apache/kafka:" + kafkaVersion);
        KafkaContainer container = new KafkaContainer(image)
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_LOG_RETENTION_MS", "-1")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        container.start();
        return new KafkaContainerBroker(container, image);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public String description() {
        return "Kafka container " + image + " on " + bootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
