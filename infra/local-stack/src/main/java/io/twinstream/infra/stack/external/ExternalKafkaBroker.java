package io.twinstream.infra.stack.external;

import io.twinstream.infra.stack.KafkaBroker;
import io.twinstream.infra.stack.KafkaTopics;
import io.twinstream.infra.stack.ServiceStartException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** A Kafka cluster someone else runs, named by {@code KAFKA_BOOTSTRAP}; never stopped by us. */
public record ExternalKafkaBroker(String bootstrapServers) implements KafkaBroker {

    /** @throws ServiceStartException if the cluster does not answer a metadata request within 15 s */
    public static ExternalKafkaBroker connect(String bootstrapServers) {
        if (bootstrapServers.isBlank() || !bootstrapServers.contains(":")) {
            throw new ServiceStartException(
                    "KAFKA_BOOTSTRAP=" + bootstrapServers + " must look like host:9092[,host:9092]");
        }
        try {
            KafkaTopics.describeCluster(bootstrapServers, Duration.ofSeconds(15));
        } catch (ExecutionException | TimeoutException e) {
            throw new ServiceStartException(
                    "KAFKA_BOOTSTRAP=" + bootstrapServers + ": the cluster did not answer within 15 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceStartException("interrupted while contacting " + bootstrapServers, e);
        }
        return new ExternalKafkaBroker(bootstrapServers);
    }

    @Override
    public String description() {
        return "external Kafka " + bootstrapServers + " (KAFKA_BOOTSTRAP)";
    }

    @Override
    public void close() {
        // Not ours to stop.
    }
}
