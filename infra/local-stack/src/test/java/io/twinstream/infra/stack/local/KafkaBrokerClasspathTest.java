package io.twinstream.infra.stack.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

class KafkaBrokerClasspathTest {

    @Test
    void shouldRecordAnExistingJarForEveryBrokerClasspathEntry() {
        String[] entries = KafkaProcess.brokerClasspath().split(File.pathSeparator);

        assertThat(entries).isNotEmpty();
        assertThat(entries)
                .allSatisfy(
                        entry -> assertThat(Files.isRegularFile(Path.of(entry))).isTrue());
        assertThat(Arrays.stream(entries).map(e -> Path.of(e).getFileName().toString()))
                .anyMatch(name -> name.startsWith("kafka_2.13-"))
                .anyMatch(name -> name.startsWith("log4j-slf4j2-impl-"));
    }

    @Test
    void shouldRunTheBrokerAtTheClientsVersion() {
        assertThat(KafkaProcess.kafkaVersion()).isEqualTo(AppInfoParser.getVersion());
    }
}
