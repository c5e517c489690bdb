package io.twinstream.ingest.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.ingest.parse.RejectReason;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The bridge's /metrics as Prometheus scrapes it: its counters by their names, and the JVM's. */
class MetricsServerTest {

    @Test
    void shouldServeTheBridgesCountersAndTheJvmsOnLoopback() throws Exception {
        IngestMetrics metrics = new IngestMetrics();
        metrics.received.add(3);
        metrics.acknowledged.add(2);
        metrics.inFlight.set(1);
        metrics.deadLettered(RejectReason.MALFORMED_JSON);
        metrics.kafkaSend(4_000);
        metrics.kafkaSend(6_000);

        try (MetricsServer server = new MetricsServer(0, metrics)) {
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            assertThat(response.body().lines())
                    .contains(
                            "# TYPE ingest_messages_received_total counter",
                            "ingest_messages_received_total 3.0",
                            "ingest_messages_acknowledged_total 2.0",
                            "ingest_in_flight_messages 1.0",
                            "ingest_deadlettered_total{reason=\"malformed-json\"} 1.0",
                            "ingest_deadlettered_total{reason=\"too-large\"} 0.0",
                            "ingest_kafka_send_seconds_count 2",
                            "ingest_kafka_send_seconds_bucket{le=\"0.005\"} 1")
                    .anyMatch(line -> line.startsWith("jvm_memory_used_bytes{area=\"heap\"} "))
                    .anyMatch(line -> line.startsWith("process_resident_memory_bytes "));
        }
        assertThat(metrics.meanSendMillis()).isEqualTo(5.0);
    }
}
