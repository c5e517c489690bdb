package io.twinstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.jobs.metrics.MetricsJobRuns;
import java.io.IOException;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged job jar is what a Flink cluster expects from {@code flink run}: a Main-Class, the
 * connectors and the InfluxDB client inside, Flink itself and the logging backend outside (the
 * cluster provides them; two copies would clash).
 */
class JobJarIT {

    private static Path jobJar;

    @BeforeAll
    static void findJobJar() throws IOException {
        jobJar = MetricsJobRuns.jobJar();
    }

    @Test
    void shouldNameTheEntryPointInTheManifest() throws IOException {
        try (JarFile jar = new JarFile(jobJar.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(StreamJobsMain.class.getName());
            assertThat(jar.getEntry(StreamJobsMain.class.getName().replace('.', '/') + ".class"))
                    .isNotNull();
        }
    }

    @Test
    void shouldShadeTheKafkaConnectorAndTheInfluxClient() throws IOException {
        try (JarFile jar = new JarFile(jobJar.toFile())) {
            assertThat(jar.getEntry("org/apache/flink/connector/kafka/source/KafkaSource.class"))
                    .isNotNull();
            assertThat(jar.getEntry("org/apache/kafka/clients/consumer/KafkaConsumer.class"))
                    .isNotNull();
            assertThat(jar.getEntry("org/influxdb/InfluxDB.class")).isNotNull();
        }
    }

    @Test
    void shouldLeaveFlinkAndLoggingToTheCluster() throws IOException {
        try (JarFile jar = new JarFile(jobJar.toFile())) {
            assertThat(jar.getEntry("org/apache/flink/streaming/api/environment/StreamExecutionEnvironment.class"))
                    .isNull();
            assertThat(jar.getEntry("org/apache/flink/runtime/minicluster/MiniCluster.class"))
                    .isNull();
            assertThat(jar.getEntry("org/slf4j/Logger.class")).isNull();
            assertThat(jar.getEntry("org/apache/logging/log4j/Logger.class")).isNull();
            // One lz4 (Flink's), not a second copy from kafka-clients.
            assertThat(jar.getEntry("net/jpountz/lz4/LZ4Factory.class")).isNull();
        }
    }
}
