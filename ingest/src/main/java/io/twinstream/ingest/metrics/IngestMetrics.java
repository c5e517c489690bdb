package io.twinstream.ingest.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.twinstream.ingest.parse.RejectReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bridge's counters, thread-safe, and their Prometheus registry (served by {@link MetricsServer}).
 *
 * <p>The bridge counts in plain adders on its hot path, and its status line and tests read them
 * directly; Prometheus' client reads them when scraped ({@code ..WithCallback}). The registry also
 * holds the client's standard JVM and process metrics ({@code jvm_memory_used_bytes},
 * {@code process_resident_memory_bytes}, ...). One registry per bridge, so several bridges in one JVM
 * (the tests) each report their own.
 */
public final class IngestMetrics {

    public final LongAdder received = new LongAdder();
    public final LongAdder acknowledged = new LongAdder();
    public final LongAdder readingsWritten = new LongAdder();
    public final LongAdder kafkaRetries = new LongAdder();
    public final AtomicLong inFlight = new AtomicLong();
    public final AtomicLong connected = new AtomicLong();
    public final LongAdder reconnects = new LongAdder();
    /** Distinct devices let through so far ({@code ingest.max-devices} bounds them). */
    public final AtomicLong devicesSeen = new AtomicLong();

    private final Map<RejectReason, LongAdder> deadLettered = new EnumMap<>(RejectReason.class);
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram kafkaSend;

    public IngestMetrics() {
        for (RejectReason reason : RejectReason.values()) {
            deadLettered.put(reason, new LongAdder());
        }
        counter("ingest_messages_received", "MQTT messages received", received);
        counter("ingest_messages_acknowledged", "MQTT messages acknowledged after Kafka had them", acknowledged);
        counter("ingest_readings_written", "readings written to the readings topic", readingsWritten);
        counter("ingest_kafka_retries", "Kafka writes tried again after a failure", kafkaRetries);
        counter("ingest_mqtt_reconnects", "MQTT reconnects", reconnects);
        CounterWithCallback.builder()
                .name("ingest_deadlettered")
                .help("messages written to the dead-letter topic, by reason")
                .labelNames("reason")
                .callback(
                        callback -> deadLettered.forEach((reason, count) -> callback.call(count.sum(), reason.code())))
                .register(registry);
        gauge("ingest_in_flight_messages", "MQTT messages received, not yet acknowledged", inFlight);
        gauge("ingest_mqtt_connections_up", "MQTT connections up", connected);
        gauge("ingest_devices_seen", "distinct devices let through since the bridge started", devicesSeen);
        kafkaSend = Histogram.builder()
                .name("ingest_kafka_send_seconds")
                .help("time from send to Kafka's acknowledgement of all records of one MQTT message")
                .unit(Unit.SECONDS)
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .classicOnly()
                .register(registry);
        JvmMetrics.builder().register(registry);
    }

    /** What {@code GET /metrics} serves. */
    public PrometheusRegistry registry() {
        return registry;
    }

    public void deadLettered(RejectReason reason) {
        deadLettered.get(reason).increment();
    }

    public long deadLetteredTotal() {
        return deadLettered.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** One Kafka write (all records of one MQTT message) took this long until acknowledged. */
    public void kafkaSend(long micros) {
        kafkaSend.observe(micros / 1e6);
    }

    /** The mean Kafka acknowledgement time so far, for the status line. */
    public double meanSendMillis() {
        var data = kafkaSend.collect().getDataPoints().get(0);
        return data.getCount() == 0 ? 0 : data.getSum() * 1000 / data.getCount();
    }

    private void counter(String name, String help, LongAdder value) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .callback(callback -> callback.call(value.sum()))
                .register(registry);
    }

    private void gauge(String name, String help, AtomicLong value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .callback(callback -> callback.call(value.get()))
                .register(registry);
    }
}
