package io.twinstream.infra.stack.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.infra.stack.cli.StackMainAccess;
import io.twinstream.model.TopicCatalog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three KRaft nodes form one cluster, and {@code stack topics} creates the catalog's topics on it as
 * declared: three replicas each, {@code min.insync.replicas} 2, the rules topic compacted; a second
 * run creates nothing.
 */
class KafkaClusterIT {

    @TempDir
    Path tmp;

    @Test
    void shouldCreateTheCatalogsTopicsReplicatedOnThreeNodes() throws Exception {
        try (KafkaCluster kafka = new KafkaCluster(
                        3,
                        KafkaProcess.Options.defaults()
                                .withLocal(LocalOptions.defaults().withRunDirParent(tmp)))
                .start()) {
            String first = topics(kafka.bootstrapServers());
            assertThat(first).contains("3 broker(s)");
            for (TopicCatalog.Topic topic : TopicCatalog.ALL) {
                assertThat(first).containsPattern("created\\s+" + topic.name().replace(".", "\\.") + " ");
            }
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                Map<String, TopicDescription> described = admin.describeTopics(TopicCatalog.ALL.stream()
                                .map(TopicCatalog.Topic::name)
                                .toList())
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS);
                for (TopicCatalog.Topic topic : TopicCatalog.ALL) {
                    assertThat(described.get(topic.name()).partitions())
                            .as(topic.name())
                            .hasSize(topic.partitions())
                            .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
                }
                ConfigResource rules = new ConfigResource(ConfigResource.Type.TOPIC, TopicCatalog.RULES.name());
                Config config = admin.describeConfigs(List.of(rules))
                        .all()
                        .get(30, TimeUnit.SECONDS)
                        .get(rules);
                assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
                assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            }
            assertThat(topics(kafka.bootstrapServers()))
                    .doesNotContain("created")
                    .contains("exists");
        }
    }

    private static String topics(String bootstrap) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = StackMainAccess.run(
                new String[] {"topics", "--kafka", bootstrap}, new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(text).isZero();
        return text;
    }
}
