package io.twinstream.jobs.bench;

import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's readings, and what a correct aggregation of them writes to InfluxDB.
 *
 * <p>{@code devices} air-quality sensors with 4 metrics, spread over {@code sites} sites, each
 * reporting every second for {@code readingsPerDevice} readings, in time order as a live fleet would
 * (every device's k-th reading, then every device's k+1-th); one reading in 100 is sent twice, as a
 * QoS 1 redelivery would be. Then <em>flush markers</em>, 9 s steps of event time for 4 minutes
 * after the last reading, from 64 devices at 64 sites of their own ({@code flush-…}): they move event
 * time past every real window so that both implementations emit all of them without waiting for
 * wall-clock timeouts, and, being many keys, they reach every partition of every shuffle. Their
 * own points are left out of every count.
 */
record BenchLoad(int devices, int sites, int readingsPerDevice, Instant start) {

    static final String DOMAIN = "city";
    static final String DEVICE_TYPE = "air-quality";
    static final String[] METRICS = {"pm25", "pm10", "no2", "o3"};
    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final int MARKERS = 64;
    /**
     * Markers move event time 243 s past the last reading: past every window's end + 60 s lateness,
     * and that of the site windows after them. The first {@link #DEVICE_FLUSH_STEPS} (90 s) close
     * every real device window but no real site window.
     */
    static final int MARKER_STEPS = 27;

    static final int DEVICE_FLUSH_STEPS = 10;
    static final Duration MARKER_STEP = Duration.ofSeconds(9);
    static final String MARKER_PREFIX = "flush-";

    static BenchLoad of(int devices, int sites, int readingsPerDevice) {
        if (devices < sites || sites < 1 || readingsPerDevice < 1) {
            throw new IllegalArgumentException("need devices >= sites >= 1 and readings >= 1");
        }
        // Minute-aligned and in the past, so windows line up and nothing waits for the clock.
        Instant start = Instant.now().minus(Duration.ofHours(6)).truncatedTo(ChronoUnit.HOURS);
        return new BenchLoad(devices, sites, readingsPerDevice, start);
    }

    long uniqueReadings() {
        return (long) devices * readingsPerDevice;
    }

    long duplicates() {
        return uniqueReadings() / 100;
    }

    /** Records in the topic before the markers: what is timed. */
    long records() {
        return uniqueReadings() + duplicates();
    }

    int tenSecondWindows() {
        return windows(Duration.ofSeconds(10));
    }

    int minuteWindows() {
        return windows(Duration.ofMinutes(1));
    }

    /** Windows of {@code size} the readings fall in: the start is aligned, the interval divides 10 s. */
    private int windows(Duration size) {
        long span = INTERVAL.toMillis() * readingsPerDevice;
        return (int) ((span + size.toMillis() - 1) / size.toMillis());
    }

    /** device_metrics points from the real devices (each device reports in every window). */
    long devicePoints() {
        return (long) devices * METRICS.length * (tenSecondWindows() + minuteWindows());
    }

    /** site_metrics points from the real sites (one device type per site). */
    long sitePoints() {
        return (long) sites * METRICS.length * (tenSecondWindows() + minuteWindows());
    }

    /** Writes the readings (with their duplicates) to {@code topic}; returns the records written. */
    long produceReadings(String bootstrap, String topic, ProgressLine progress) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback onError = (metadata, e) -> failure.compareAndSet(null, e);
        long unique = 0;
        long written = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (int k = 0; k < readingsPerDevice; k++) {
                for (int d = 0; d < devices; d++) {
                    Reading reading = reading(d, k);
                    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                            topic, reading.deviceId().getBytes(StandardCharsets.UTF_8), ReadingCodec.encode(reading));
                    producer.send(record, onError);
                    written++;
                    if (++unique % 100 == 0) {
                        producer.send(record, onError); // a redelivery
                        written++;
                    }
                    progress.update(written, records());
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("pre-filling " + topic + " failed", failure.get());
        }
        return written;
    }

    /**
     * Flush marker step {@code step} (1 … {@link #MARKER_STEPS}): event time {@code step} × {@link #MARKER_STEP}
     * after the last reading. Steps are small so that event time moves on as in a live stream:
     * Kafka Streams drops windows it has not yet emitted when its stream time jumps far ahead.
     */
    void produceMarkerStep(String bootstrap, String topic, int step) {
        long last = start.plus(INTERVAL.multipliedBy(readingsPerDevice)).toEpochMilli();
        long ts = last + MARKER_STEP.multipliedBy(step).toMillis();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback onError = (metadata, e) -> failure.compareAndSet(null, e);
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (int i = 0; i < MARKERS; i++) {
                String deviceId = MARKER_PREFIX + i;
                Reading marker = new Reading(
                        DOMAIN, MARKER_PREFIX + i, DEVICE_TYPE, deviceId, ts, step, ts, METRICS, new double[] {
                            1, 1, 1, 1
                        });
                producer.send(
                        new ProducerRecord<>(
                                topic, deviceId.getBytes(StandardCharsets.UTF_8), ReadingCodec.encode(marker)),
                        onError);
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("writing the flush markers to " + topic + " failed", failure.get());
        }
    }

    Reading reading(int device, int k) {
        String deviceId = String.format("aq-%06d", device);
        // Spread over the interval, so windows fill gradually, not at one instant.
        long ts = start.toEpochMilli() + k * INTERVAL.toMillis() + (device * 7919L) % INTERVAL.toMillis();
        double base = (device % 97) + k * 0.5;
        return new Reading(
                DOMAIN, "district-" + (device % sites), DEVICE_TYPE, deviceId, ts, k + 1, ts, METRICS, new double[] {
                    base, base * 1.5, 40 - (device % 13), 60 + (k % 17)
                });
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("linger.ms", 20);
        props.put("batch.size", 256 * 1024);
        props.put("compression.type", "lz4");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
