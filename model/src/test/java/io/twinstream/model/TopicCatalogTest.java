package io.twinstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicCatalogTest {

    @Test
    void shouldFitReplicationToTheClusterSize() {
        TopicCatalog.Topic readings = TopicCatalog.READINGS;
        assertThat(readings.replicasOn(5)).isEqualTo(3);
        assertThat(readings.configsOn(5))
                .containsEntry("min.insync.replicas", "2")
                .containsEntry("retention.ms", "-1");
        assertThat(readings.replicasOn(2)).isEqualTo(2);
        assertThat(readings.configsOn(2)).containsEntry("min.insync.replicas", "1");
        // One broker: one copy, and writes must not wait for copies that cannot exist.
        assertThat(readings.replicasOn(1)).isEqualTo(1);
        assertThat(readings.configsOn(1)).containsEntry("min.insync.replicas", "1");
    }

    @Test
    void shouldNameEveryTopicOnceAndRefuseUnknownOnes() {
        assertThat(TopicCatalog.ALL)
                .extracting(TopicCatalog.Topic::name)
                .doesNotHaveDuplicates()
                .contains("telemetry.readings", "telemetry.late", "telemetry.rules");
        assertThat(TopicCatalog.named("telemetry.rules").configs()).containsEntry("cleanup.policy", "compact");
        assertThatThrownBy(() -> TopicCatalog.named("telemetry.reading"))
                .hasMessageContaining("no topic telemetry.reading");
    }
}
