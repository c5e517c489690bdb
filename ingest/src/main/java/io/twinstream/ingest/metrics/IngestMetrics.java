package io.twinstream.ingest.metrics;

import io.twinstream.ingest.parse.RejectReason;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The bridge's counters, rendered in Prometheus text format; thread-safe. */
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
    private final LongAdder sendCount = new LongAdder();
    private final LongAdder sendMicros = new LongAdder();
    private final AtomicLong sendMaxMicros = new AtomicLong();

    public IngestMetrics() {
        for (RejectReason reason : RejectReason.values()) {
            deadLettered.put(reason, new LongAdder());
        }
    }

    public void deadLettered(RejectReason reason) {
        deadLettered.get(reason).increment();
    }

    public long deadLetteredTotal() {
        return deadLettered.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** One Kafka write (all records of one MQTT message) took this long until acknowledged. */
    public void kafkaSend(long micros) {
        sendCount.increment();
        sendMicros.add(micros);
        sendMaxMicros.accumulateAndGet(micros, Math::max);
    }

    public String prometheus() {
        StringBuilder out = new StringBuilder(2048);
        counter(out, "ingest_messages_received_total", "MQTT messages received", received.sum());
        counter(
                out,
                "ingest_messages_acknowledged_total",
                "MQTT messages acknowledged after Kafka had them",
                acknowledged.sum());
        counter(out, "ingest_readings_written_total", "readings written to the readings topic", readingsWritten.sum());
        out.append("# HELP ingest_deadlettered_total messages written to the dead-letter topic, by reason\n")
                .append("# TYPE ingest_deadlettered_total counter\n");
        deadLettered.forEach((reason, count) -> out.append("ingest_deadlettered_total{reason=\"")
                .append(reason.code())
                .append("\"} ")
                .append(count.sum())
                .append('\n'));
        counter(out, "ingest_kafka_retries_total", "Kafka writes tried again after a failure", kafkaRetries.sum());
        counter(out, "ingest_mqtt_reconnects_total", "MQTT reconnects", reconnects.sum());
        gauge(out, "ingest_in_flight_messages", "MQTT messages received, not yet acknowledged", inFlight.get());
        gauge(out, "ingest_mqtt_connections_up", "MQTT connections up", connected.get());
        gauge(out, "ingest_devices_seen", "distinct devices let through since the bridge started", devicesSeen.get());
        out.append("# HELP ingest_kafka_send_seconds time from send to Kafka acknowledgement per MQTT message\n")
                .append("# TYPE ingest_kafka_send_seconds summary\n")
                .append("ingest_kafka_send_seconds_count ")
                .append(sendCount.sum())
                .append('\n')
                .append("ingest_kafka_send_seconds_sum ")
                .append(sendMicros.sum() / 1e6)
                .append('\n');
        gauge(out, "ingest_kafka_send_seconds_max", "longest Kafka acknowledgement so far", sendMaxMicros.get() / 1e6);
        gauge(
                out,
                "jvm_heap_used_bytes",
                "Java heap in use",
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        long rss = residentBytes();
        if (rss >= 0) {
            gauge(out, "process_resident_memory_bytes", "resident set size of the bridge process", rss);
        }
        return out.toString();
    }

    /** VmRSS from /proc/self/status (Linux), or -1 where there is none. */
    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no such gauge
        }
        return -1;
    }

    public double meanSendMillis() {
        long n = sendCount.sum();
        return n == 0 ? 0 : sendMicros.sum() / 1000.0 / n;
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ")
                .append(name)
                .append(' ')
                .append(help)
                .append('\n')
                .append("# TYPE ")
                .append(name)
                .append(" counter\n")
                .append(name)
                .append(' ')
                .append(value)
                .append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, double value) {
        out.append("# HELP ")
                .append(name)
                .append(' ')
                .append(help)
                .append('\n')
                .append("# TYPE ")
                .append(name)
                .append(" gauge\n")
                .append(name)
                .append(' ')
                .append(value)
                .append('\n');
    }
}
