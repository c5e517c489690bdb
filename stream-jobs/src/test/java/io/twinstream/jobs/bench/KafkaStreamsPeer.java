package io.twinstream.jobs.bench;

import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.SiteWindow;
import io.twinstream.jobs.metrics.WindowSize;
import io.twinstream.jobs.sink.InfluxPoints;
import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.influxdb.BatchOptions;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;

/**
 * The benchmark's peer: the metrics job's aggregation written as an idiomatic Kafka Streams
 * application (DSL, RocksDB stores with changelogs, at least once), so the Flink job is compared
 * with the other obvious way to build it, not with a straw man.
 *
 * <p>readings (event time = the reading's ts) → de-duplicated by device and seq (a window store
 * remembering identities for the de-dup memory, as Kafka Streams' own de-dup example does) → one
 * sample per metric, repartitioned by device and metric → tumbling 10 s and 1 min windows with the
 * same grace as the job's allowed lateness, suppressed until they close → InfluxDB, and repartitioned
 * by site, device type, metric → site windows (aggregate of the device windows, number of devices)
 * → InfluxDB. Same points as the job, through the job's own {@link InfluxPoints}.
 *
 * <p>One difference, in Kafka Streams' favour: a window is emitted once, when it closes after the
 * grace period; the job emits it when the watermark passes its end and again for each late
 * correction. The benchmark's data has no late readings, so both write the same points.
 *
 * <p>Arguments: bootstrap servers, readings topic, InfluxDB url, database, state directory,
 * application id. Prints {@code READY} when running, {@code READ n WINDOWED m TO-SITES k} (readings
 * through the source, samples into the device windows, real device windows on their way to the site
 * windows) every 50 ms, {@code DROPPED n} (records Kafka Streams dropped, e.g. as too late) on SIGTERM.
 */
public final class KafkaStreamsPeer {

    private static final Duration GRACE = Duration.ofSeconds(60); // the job's metrics.allowed-lateness default
    private static final Duration DEDUP_MEMORY = Duration.ofHours(1); // the job's metrics.dedup-memory default
    private static final char SEPARATOR = '\u001f';

    private KafkaStreamsPeer() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        InfluxDB influx = InfluxDBFactory.connect(args[2]);
        influx.setDatabase(args[3]);
        LongAdder writeFailures = new LongAdder();
        influx.enableBatch(BatchOptions.DEFAULTS
                .actions(5000)
                .flushDuration(1000)
                .bufferLimit(100_000)
                .exceptionHandler((points, e) -> writeFailures.increment()));

        LongAdder read = new LongAdder();
        LongAdder windowed = new LongAdder();
        LongAdder toSites = new LongAdder();
        StreamsBuilder builder = new StreamsBuilder();
        topology(builder, topic, influx, read, windowed, toSites);

        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, args[5]);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, args[4]);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Runtime.getRuntime().availableProcessors());
        KafkaStreams streams = new KafkaStreams(builder.build(props), props);
        CountDownLatch stopped = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                System.out.println("READY");
            } else if (now == KafkaStreams.State.ERROR) {
                System.out.println("FAILED");
                stopped.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("DROPPED " + dropped(streams) + " WRITE-FAILURES " + writeFailures.sum());
            streams.close(Duration.ofSeconds(30));
            influx.close();
            stopped.countDown();
        }));
        streams.start();
        Thread reporter = new Thread(
                () -> {
                    try {
                        while (true) {
                            System.out.println("READ " + read.sum() + " WINDOWED " + windowed.sum() + " TO-SITES "
                                    + toSites.sum());
                            Thread.sleep(50);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "read-reporter");
        reporter.setDaemon(true);
        reporter.start();
        stopped.await();
    }

    static void topology(
            StreamsBuilder builder,
            String topic,
            InfluxDB influx,
            LongAdder read,
            LongAdder windowed,
            LongAdder toSites) {
        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore("seen", DEDUP_MEMORY, DEDUP_MEMORY, false),
                Serdes.String(),
                Serdes.Long()));
        KStream<String, Double> samples = builder.stream(
                        topic,
                        Consumed.with(Serdes.String(), READING)
                                .withTimestampExtractor((record, previous) -> ((Reading) record.value()).ts()))
                .peek((deviceId, reading) -> read.increment())
                .processValues(Deduplicate::new, Named.as("dedup"), "seen")
                .flatMap(KafkaStreamsPeer::samples, Named.as("samples"))
                .repartition(
                        Repartitioned.with(Serdes.String(), Serdes.Double()).withName("by-device-metric"))
                .peek((key, value) -> windowed.increment());

        for (WindowSize size : WindowSize.values()) {
            KStream<Windowed<String>, Accumulator> deviceWindows = samples.groupByKey()
                    .windowedBy(TimeWindows.ofSizeAndGrace(size.length(), GRACE))
                    .aggregate(
                            Accumulator::new,
                            (key, value, acc) -> acc.add(value),
                            windowStore("device-windows-" + size.tag()))
                    .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                    .toStream();
            deviceWindows.foreach((window, acc) -> influx.write(InfluxPoints.of(deviceWindow(window, acc, size))));
            deviceWindows
                    .process(() -> new ToSite(size))
                    .repartition(
                            Repartitioned.with(Serdes.String(), ACCUMULATOR).withName("by-site-" + size.tag()))
                    .peek((site, window) -> {
                        if (!site.contains(SEPARATOR + BenchLoad.MARKER_PREFIX)) {
                            toSites.increment(); // a real device window has reached the site stage
                        }
                    })
                    .groupByKey()
                    .windowedBy(TimeWindows.ofSizeAndGrace(size.length(), GRACE)) // device windows from slower tasks
                    .aggregate(
                            Accumulator::new,
                            (key, device, site) -> site.addDevice(device),
                            windowStore("site-windows-" + size.tag()))
                    .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                    .toStream()
                    .foreach((window, acc) -> influx.write(InfluxPoints.of(siteWindow(window, acc, size))));
        }
    }

    /**
     * A window store of accumulators, with Kafka Streams' defaults (record cache on, flushed
     * downstream on commit, every 30 s). Final results come from {@code suppress(untilWindowCloses)}.
     * Tried first: {@code emitStrategy(onWindowClose())}, the newer operator. It looks for closed
     * windows at most once a second of wall time, and when event time jumps past a store segment
     * meanwhile (a replay, or a burst after a quiet spell) the windows in it are dropped unemitted:
     * it lost windows here, and with its check every 50 ms instead, the check (which copies key
     * ranges of the record cache) took most of the peer's time.
     */
    private static Materialized<String, Accumulator, WindowStore<Bytes, byte[]>> windowStore(String name) {
        return Materialized.<String, Accumulator, WindowStore<Bytes, byte[]>>as(name)
                .withKeySerde(Serdes.String())
                .withValueSerde(ACCUMULATOR);
    }

    private static List<KeyValue<String, Double>> samples(String deviceId, Reading r) {
        List<KeyValue<String, Double>> out = new ArrayList<>(r.metricCount());
        for (int i = 0; i < r.metricCount(); i++) {
            String key = String.join(
                    String.valueOf(SEPARATOR), r.domain(), r.site(), r.deviceType(), r.deviceId(), r.metricNames()[i]);
            out.add(KeyValue.pair(key, r.metricValues()[i]));
        }
        return out;
    }

    private static DeviceWindow deviceWindow(Windowed<String> window, Accumulator acc, WindowSize size) {
        String[] k = window.key().split(String.valueOf(SEPARATOR));
        return new DeviceWindow(
                k[0],
                k[1],
                k[2],
                k[3],
                k[4],
                size,
                Instant.ofEpochMilli(window.window().start()),
                acc.aggregate());
    }

    private static SiteWindow siteWindow(Windowed<String> window, Accumulator acc, WindowSize size) {
        String[] k = window.key().split(String.valueOf(SEPARATOR));
        return new SiteWindow(
                k[0],
                k[1],
                k[2],
                k[3],
                size,
                Instant.ofEpochMilli(window.window().start()),
                acc.aggregate(),
                acc.devices);
    }

    private static long dropped(KafkaStreams streams) {
        double total = 0;
        for (var metric : streams.metrics().values()) {
            if (metric.metricName().name().equals("dropped-records-total")) {
                total += ((Number) metric.metricValue()).doubleValue();
            }
        }
        return (long) total;
    }

    /** Lets a reading through once per identity seen in the last {@link #DEDUP_MEMORY} of event time. */
    private static final class Deduplicate implements FixedKeyProcessor<String, Reading, Reading> {
        private FixedKeyProcessorContext<String, Reading> context;
        private WindowStore<String, Long> seen;

        @Override
        public void init(FixedKeyProcessorContext<String, Reading> context) {
            this.context = context;
            this.seen = context.getStateStore("seen");
        }

        @Override
        public void process(FixedKeyRecord<String, Reading> record) {
            Reading r = record.value();
            String identity = r.deviceId() + (r.hasSeq() ? "#" + r.seq() : "@" + r.ts());
            long ts = record.timestamp();
            try (WindowStoreIterator<Long> earlier = seen.fetch(
                    identity,
                    Instant.ofEpochMilli(ts).minus(DEDUP_MEMORY),
                    Instant.ofEpochMilli(ts).plus(DEDUP_MEMORY))) {
                if (earlier.hasNext()) {
                    return;
                }
            }
            seen.put(identity, ts, ts);
            context.forward(record);
        }
    }

    /**
     * A device window becomes one input of its site window: keyed by site, device type, metric, at the
     * window's start.
     */
    private static final class ToSite implements Processor<Windowed<String>, Accumulator, String, Accumulator> {
        private final WindowSize size;
        private ProcessorContext<String, Accumulator> context;

        ToSite(WindowSize size) {
            this.size = size;
        }

        @Override
        public void init(ProcessorContext<String, Accumulator> context) {
            this.context = context;
        }

        @Override
        public void process(Record<Windowed<String>, Accumulator> record) {
            String[] k = record.key().key().split(String.valueOf(SEPARATOR));
            String site = String.join(String.valueOf(SEPARATOR), k[0], k[1], k[2], k[4]);
            context.forward(
                    new Record<>(site, record.value(), record.key().window().start()));
        }
    }

    /** count, sum, min, max and, for site windows, the number of devices; 36 bytes on the wire. */
    static final class Accumulator {
        long count;
        double sum;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int devices;

        Accumulator add(double value) {
            count++;
            sum += value;
            min = Math.min(min, value);
            max = Math.max(max, value);
            return this;
        }

        Accumulator addDevice(Accumulator device) {
            count += device.count;
            sum += device.sum;
            min = Math.min(min, device.min);
            max = Math.max(max, device.max);
            devices++;
            return this;
        }

        Aggregate aggregate() {
            return new Aggregate(count, sum, min, max);
        }
    }

    private static final Serde<Accumulator> ACCUMULATOR = Serdes.serdeFrom(
            (topic, acc) -> ByteBuffer.allocate(36)
                    .putLong(acc.count)
                    .putDouble(acc.sum)
                    .putDouble(acc.min)
                    .putDouble(acc.max)
                    .putInt(acc.devices)
                    .array(),
            (topic, bytes) -> {
                ByteBuffer in = ByteBuffer.wrap(bytes);
                Accumulator acc = new Accumulator();
                acc.count = in.getLong();
                acc.sum = in.getDouble();
                acc.min = in.getDouble();
                acc.max = in.getDouble();
                acc.devices = in.getInt();
                return acc;
            });

    private static final Serde<Reading> READING = Serdes.serdeFrom(
            (topic, reading) -> ReadingCodec.encode(reading), (topic, bytes) -> ReadingCodec.decode(bytes));
}
