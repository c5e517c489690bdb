package io.twinstream.jobs.config;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The Kafka admin client the jobs use before they are submitted (checking or creating topics):
 * short timeouts, and an unreachable Kafka reported as such rather than as a client exception.
 */
public final class JobKafkaAdmin {

    private JobKafkaAdmin() {
    }

    /** An admin client for {@code bootstrap} that gives up within seconds. */
    public static Admin open(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
    }

    /**
     * The names of the topics {@code client} (for {@code bootstrap}) sees.
     *
     * @throws IllegalStateException when Kafka does not answer
     */
    public static Set<String> topicNames(Admin client, String bootstrap) throws InterruptedException {
        try {
            return client.listTopics().names().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrap + " does not answer: " + e.getMessage(), e);
        }
    }
}
