package io.twinstream.infra.stack;

import io.twinstream.model.TopicCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Small Kafka admin helpers shared by tests, the demo and the local broker's health check. */
public final class KafkaTopics {

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private KafkaTopics() {}

    /** A topic name no other test uses: {@code prefix-<random>}. */
    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Creates a topic with the cluster's default replication factor (1 on a single node) and waits
     * until its partitions have leaders.
     *
     * @throws ServiceStartException if the topic exists already or the cluster does not answer
     */
    public static void create(String bootstrapServers, String name, int partitions, Map<String, String> topicConfigs) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        try (Admin admin = Admin.create(adminProperties(bootstrapServers))) {
            NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(topicConfigs);
            admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitLeaders(admin, name, partitions);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                throw new ServiceStartException("Kafka topic '" + name + "' exists already on " + bootstrapServers, e);
            }
            throw new ServiceStartException(
                    "Could not create Kafka topic '" + name + "' on " + bootstrapServers, e.getCause());
        } catch (TimeoutException e) {
            throw new ServiceStartException(
                    "Kafka at " + bootstrapServers + " did not create topic '" + name + "' within "
                            + ADMIN_TIMEOUT.toSeconds() + " s",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceStartException("Interrupted while creating Kafka topic '" + name + "'", e);
        }
    }

    /** What {@link #ensure} found and did: the brokers it fitted the topics to, the topics it created. */
    public record Ensured(int brokers, List<String> created) {}

    /**
     * Creates the catalog's topics that {@code bootstrapServers}' cluster lacks, each with its
     * declared partitions and configs, and as many replicas as declared or the cluster has brokers;
     * waits until their partitions have leaders. Existing topics are left as they are.
     *
     * @return the cluster's brokers and the topics created
     * @throws ServiceStartException if the cluster does not answer or refuses one
     */
    public static Ensured ensure(String bootstrapServers, List<TopicCatalog.Topic> topics) {
        try (Admin admin = Admin.create(adminProperties(bootstrapServers))) {
            int brokers = admin.describeCluster()
                    .nodes()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .size();
            Set<String> existing = admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<TopicCatalog.Topic> missing =
                    topics.stream().filter(t -> !existing.contains(t.name())).toList();
            for (TopicCatalog.Topic topic : missing) {
                try {
                    admin.createTopics(List.of(
                                    new NewTopic(topic.name(), topic.partitions(), (short) topic.replicasOn(brokers))
                                            .configs(topic.configsOn(brokers))))
                            .all()
                            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) { // else another client was quicker
                        throw e;
                    }
                }
                awaitLeaders(admin, topic.name(), topic.partitions());
            }
            return new Ensured(
                    brokers, missing.stream().map(TopicCatalog.Topic::name).toList());
        } catch (ExecutionException e) {
            throw new ServiceStartException(
                    "Could not create the pipeline's topics on " + bootstrapServers + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new ServiceStartException(
                    "Kafka at " + bootstrapServers + " did not answer within " + ADMIN_TIMEOUT.toSeconds()
                            + " s while creating the pipeline's topics",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceStartException("Interrupted while creating the pipeline's topics", e);
        }
    }

    /** The broker nodes the cluster reports, or an exception if it does not answer within {@code timeout}. */
    public static List<Node> describeCluster(String bootstrapServers, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        Properties props = adminProperties(bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(props)) {
            return List.copyOf(admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    private static void awaitLeaders(Admin admin, String name, int partitions)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            boolean ready;
            try {
                var description = admin.describeTopics(Set.of(name))
                        .allTopicNames()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .get(name);
                ready = description.partitions().size() == partitions
                        && description.partitions().stream()
                                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                ready = false; // created, but the broker's metadata does not show it yet
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of '" + name + "' have no leader yet");
            }
            Thread.sleep(50);
        }
    }

    private static Properties adminProperties(String bootstrapServers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "twinstream-stack-admin");
        return props;
    }
}
