package io.twinstream.jobs.config;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;

/**
 * The Kafka admin client the jobs use before they are submitted (checking their topics exist):
 * short timeouts, and an unreachable Kafka reported as such rather than as a client exception.
 */
public final class JobKafkaAdmin {

    /**
     * How long a topic may be absent before it counts as missing. A broker learns of a new topic
     * from the controller a moment after it is created, and the admin client may ask any broker:
     * a job started right after its topics were made on a 3-node cluster was refused for a topic
     * that was there (PipelineFailuresIT, once in CI).
     */
    private static final long MISSING_FOR_MILLIS = 10_000;

    private JobKafkaAdmin() {}

    /** An admin client for {@code bootstrap} that gives up within seconds. */
    private static Admin open(String bootstrap, KafkaClientProperties client) {
        Map<String, Object> config = client.withBootstrap(bootstrap);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(config);
    }

    /**
     * Fails, before a job is submitted, when Kafka at {@code bootstrap} does not answer or lacks one
     * of {@code topics}: a job submitted without them restarts again and again, and the message in
     * its log does not say why. Topics are the deployment's to create (they are never auto-created).
     *
     * @throws IllegalStateException naming what is missing and how to create it
     */
    public static void requireTopics(String bootstrap, KafkaClientProperties clientProperties, List<String> topics) {
        List<String> missing;
        try (Admin client = open(bootstrap, clientProperties)) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MISSING_FOR_MILLIS);
            while (true) {
                Set<String> existing = topicNames(client, bootstrap);
                missing = topics.stream()
                        .filter(topic -> !existing.contains(topic))
                        .toList();
                if (missing.isEmpty() || System.nanoTime() >= deadline) {
                    break;
                }
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking Kafka at " + bootstrap + " for its topics", e);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Kafka at " + bootstrap + " has no topic " + String.join(", ", missing)
                    + ": create the pipeline's topics first (infra/bin/stack topics --kafka " + bootstrap
                    + "; the demo and the local stack do it; with Docker Compose, its kafka-init service)");
        }
    }

    /**
     * The names of the topics {@code client} (for {@code bootstrap}) sees.
     *
     * @throws IllegalStateException when Kafka does not answer
     */
    private static Set<String> topicNames(Admin client, String bootstrap) throws InterruptedException {
        try {
            return client.listTopics().names().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException refused) {
                throw new IllegalStateException(
                        "Kafka at " + bootstrap + " refused the job's login (kafka.client.*): " + refused.getMessage(),
                        e);
            }
            throw new IllegalStateException("Kafka at " + bootstrap + " does not answer: " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrap + " does not answer: " + e.getMessage(), e);
        }
    }
}
