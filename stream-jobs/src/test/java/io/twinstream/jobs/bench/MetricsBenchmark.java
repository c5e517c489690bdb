package io.twinstream.jobs.bench;

import io.twinstream.infra.stack.local.GuardedProcess;
import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.LocalService;
import io.twinstream.infra.stack.local.MosquittoProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The metrics job's throughput, checkpoint size and heap, against two peers, on one machine, in one
 * run. The readings topic is filled first ({@link BenchLoad}: by default 100,000 devices × 4 metrics,
 * one reading a second each for 30 seconds, 1 % redelivered); then, one after the other:
 * <ol>
 *   <li><b>plain consumer</b>: one {@code KafkaConsumer} reads and decodes the topic, nothing else
 *       (the ceiling: how fast this topic can be read here);</li>
 *   <li><b>Kafka Streams</b>: the same aggregation as a Kafka Streams application
 *       ({@link KafkaStreamsPeer}), writing the same points to its own InfluxDB database;</li>
 *   <li><b>minimal Flink</b>: the least a Flink job does with this topic ({@link MinimalFlinkPeer}:
 *       the same source and decoding, keyed by device, one 10 s count window, a discarding sink),
 *       the same settings: what the metrics job could reach on this machine;</li>
 *   <li><b>topology</b> (a diagnostic): the job's source and topology with its outputs counted, not
 *       written ({@link FlinkPeer} {@code metrics-topology}): the job's own cost without InfluxDB's;</li>
 *   <li><b>Flink</b>: the metrics job itself ({@link FlinkPeer}), local MiniCluster, default settings;</li>
 *   <li><b>alerts</b>: the alerts job ({@link FlinkPeer} {@code alerts}), same settings, with the 20
 *       rules of {@link BenchRules} (and one on the flush markers), writing to Kafka, InfluxDB and a
 *       local Mosquitto; its time runs until the markers' alerts (raised only once every real
 *       reading has been evaluated) and every real device's online and offline status are in InfluxDB,
 *       then the number of real alert transitions is checked against {@link BenchRules}' own count.
 *       Issue #6's goal: at least 80 % of the metrics job's throughput in the same run.</li>
 * </ol>
 * Each runs in a JVM of its own with the same options ({@code -Xmx4g}, G1). A peer's time runs from
 * when it reports it is running (start-up left out) to when its InfluxDB database holds every real
 * site point and then every real device point (counted by InfluxQL every 200 ms; the flush markers'
 * own points left out); throughput = records in the topic / that time. For Kafka Streams, also the
 * time until every sample had reached its window store (a bound on what it could reach; its final
 * results wait for its commit interval). Then, not timed, the contents are checked: the sum of counts
 * (every reading once) and of devices.
 * Heap: the largest heap in use after a garbage collection (the JVM's GC log); RSS: peak (VmHWM);
 * checkpoint size: the largest completed checkpoint on disk while the job ran.
 * Not a test: run with {@code infra/bin/bench-metrics}.
 */
public final class MetricsBenchmark {

    private static final String TOPIC = "bench.readings";
    private static final int PARTITIONS = 4;
    private static final List<String> JVM_OPTIONS = List.of("-Xmx4g", "-XX:+UseG1GC");
    /** The real devices' points, not the flush markers'. */
    private static final String REAL = " WHERE site !~ /^" + BenchLoad.MARKER_PREFIX + "/";

    private static final Pattern HEAP_AFTER_GC = Pattern.compile("->(\\d+)M\\(\\d+M\\)");

    private final BenchLoad load;
    private final Path runDir;
    private final KafkaProcess kafka;
    private final InfluxdProcess influx;
    private final MosquittoProcess mosquitto;
    private boolean markersWritten;

    private MetricsBenchmark(
            BenchLoad load, Path runDir, KafkaProcess kafka, InfluxdProcess influx, MosquittoProcess mosquitto) {
        this.load = load;
        this.runDir = runDir;
        this.kafka = kafka;
        this.influx = influx;
        this.mosquitto = mosquitto;
    }

    /** What a peer achieved. */
    private record Result(String name, double readingsPerSecond, String details) {}

    public static void main(String[] args) throws Exception {
        int devices = 100_000;
        int sites = 100;
        int readings = 30;
        List<String> only = List.of("plain", "kstreams", "minimal", "flink", "alerts");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--devices" -> devices = Integer.parseInt(args[++i]);
                case "--sites" -> sites = Integer.parseInt(args[++i]);
                case "--readings" -> readings = Integer.parseInt(args[++i]);
                case "--only" -> only = Arrays.asList(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (see --help)");
            }
        }
        BenchLoad load = BenchLoad.of(devices, sites, readings);
        System.out.printf(
                "metrics benchmark: %d cores, Java %s; Kafka, InfluxDB and each peer on this machine%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.printf(
                "load: %,d devices x %d metrics at %,d sites, a reading every %ds for %d readings each: "
                        + "%,d readings + %,d redeliveries; expected %,d device_metrics + %,d site_metrics points%n",
                devices,
                BenchLoad.METRICS.length,
                sites,
                BenchLoad.INTERVAL.toSeconds(),
                readings,
                load.uniqueReadings(),
                load.duplicates(),
                load.devicePoints(),
                load.sitePoints());
        Path runDir = Files.createTempDirectory("twinstream-bench-metrics");
        LocalOptions local = LocalOptions.defaults().withRunDirParent(runDir);
        List<Result> results = new ArrayList<>();
        try (KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local));
                MosquittoProcess mosquitto =
                        new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(local))) {
            kafka.start();
            influx.start();
            if (only.contains("alerts")) {
                mosquitto.start();
            }
            kafka.createTopic(TOPIC, PARTITIONS);
            kafka.ensurePipelineTopics(); // telemetry.late, the alerts job's telemetry.alerts and telemetry.rules
            MetricsBenchmark bench = new MetricsBenchmark(load, runDir, kafka, influx, mosquitto);
            long began = System.nanoTime();
            long written =
                    load.produceReadings(kafka.bootstrapServers(), TOPIC, new ProgressLine("pre-filling " + TOPIC));
            System.out.printf(
                    "pre-filled %s (%d partitions): %,d records in %.1f s%n",
                    TOPIC, PARTITIONS, written, (System.nanoTime() - began) / 1e9);
            for (String peer : only) {
                results.add(
                        switch (peer) {
                            case "plain" -> bench.plainConsumer();
                            case "kstreams" -> bench.kafkaStreams();
                            case "minimal" -> bench.minimalFlink();
                            case "topology" -> bench.metricsTopology();
                            case "flink" -> bench.flink();
                            case "alerts" -> bench.alerts();
                            default ->
                                throw new IllegalArgumentException("unknown peer " + peer
                                        + " (plain, kstreams, minimal, topology, flink, alerts)");
                        });
            }
        } finally {
            LocalService.deleteTree(runDir);
        }
        System.out.println();
        System.out.println(
                "summary (records in the topic per second, from the peer running to the last point in InfluxDB;");
        System.out.println(
                "         for Kafka Streams, to the last sample in its windows: a bound on its rate to InfluxDB)");
        for (Result r : results) {
            System.out.printf("  %-14s %,10.0f readings/s   %s%n", r.name, r.readingsPerSecond, r.details);
        }
        double flink = rate(results, "flink");
        double plain = rate(results, "plain consumer");
        double minimal = rate(results, "minimal flink");
        double streams = rate(results, "kafka streams");
        if (flink > 0 && plain > 0) {
            System.out.printf("  flink / plain consumer = %.1f %%%n", 100 * flink / plain);
        }
        if (flink > 0 && minimal > 0) {
            System.out.printf("  flink / minimal flink  = %.0f %% (goal >= 60 %%)%n", 100 * flink / minimal);
        }
        if (flink > 0) {
            System.out.printf("  flink                  = %,.0f readings/s (goal >= 120,000)%n", flink);
        }
        double alerts = rate(results, "alerts");
        if (flink > 0 && alerts > 0) {
            System.out.printf("  alerts / flink (metrics) = %.0f %% (goal >= 80 %%)%n", 100 * alerts / flink);
        }
        if (flink > 0 && streams > 0) {
            System.out.printf(
                    "  flink / kafka streams  = %.2f x (goal >= 1.5 x; against Kafka Streams' rate into its windows)%n",
                    flink / streams);
        }
        System.exit(0);
    }

    private static double rate(List<Result> results, String name) {
        return results.stream()
                .filter(r -> r.name.equals(name))
                .mapToDouble(Result::readingsPerSecond)
                .findFirst()
                .orElse(0);
    }

    private Result plainConsumer() throws Exception {
        System.out.println("\nplain consumer: reading and decoding " + TOPIC);
        GuardedProcess peer = startJvm(
                "plain",
                PlainConsumerPeer.class,
                List.of(kafka.bootstrapServers(), TOPIC, Long.toString(load.records())));
        try {
            String line = awaitLine(peer, "RESULT", Duration.ofMinutes(10));
            Matcher m = Pattern.compile("records=(\\d+) seconds=([\\d.]+)").matcher(line);
            if (!m.find()) {
                throw new IllegalStateException("unexpected result line: " + line);
            }
            double rate = Long.parseLong(m.group(1)) / Double.parseDouble(m.group(2));
            System.out.printf("  %s records in %s s: %,.0f readings/s%n", m.group(1), m.group(2), rate);
            return new Result("plain consumer", rate, "");
        } finally {
            peer.stop(Duration.ofSeconds(10));
        }
    }

    private Result kafkaStreams() throws Exception {
        String database = "bench_kstreams";
        System.out.println("\nkafka streams: " + Runtime.getRuntime().availableProcessors() + " stream threads, "
                + "RocksDB stores, at least once, into InfluxDB database " + database);
        influx.createDatabase(database);
        Path stateDir = Files.createDirectories(runDir.resolve("kstreams-state"));
        long pointsBefore = pointsWritten();
        GuardedProcess peer = startJvm(
                "kstreams",
                KafkaStreamsPeer.class,
                List.of(
                        kafka.bootstrapServers(),
                        TOPIC,
                        influx.url(),
                        database,
                        stateDir.toString(),
                        "bench-kstreams-" + System.currentTimeMillis()));
        try {
            awaitLine(peer, "READY", Duration.ofMinutes(2));
            long ready = System.nanoTime();
            // Kafka Streams closes a window only when a later record arrives in the same partition
            // ("stream time") and drops what arrives after that. Markers sent before every reading
            // had reached the device windows could overtake slower partitions in the shuffle and make
            // their readings too late; so they follow the last sample. Likewise, markers that close
            // site windows follow the last real device window into the site stage.
            long samples = load.uniqueReadings() * BenchLoad.METRICS.length;
            awaitCount(
                    () -> count(peer, "WINDOWED"),
                    samples,
                    new ProgressLine("kafka streams: samples into windows"),
                    Duration.ofMinutes(60));
            double intoWindows = (System.nanoTime() - ready) / 1e9;
            double bound = load.records() / intoWindows;
            System.out.printf(
                    "%n  every sample in its window store after %.1f s: %,.0f readings/s, the most it can reach%n",
                    intoWindows, bound);
            long stateBytes = directorySize(stateDir);
            long rss = peakRss(peer.pid());
            for (int step = 1; step <= BenchLoad.DEVICE_FLUSH_STEPS; step++) {
                load.produceMarkerStep(kafka.bootstrapServers(), TOPIC, step);
            }
            awaitCount(
                    () -> count(peer, "TO-SITES"),
                    load.devicePoints(),
                    new ProgressLine("kafka streams: device windows into site windows"),
                    Duration.ofMinutes(10));
            for (int step = BenchLoad.DEVICE_FLUSH_STEPS + 1; step <= BenchLoad.MARKER_STEPS; step++) {
                load.produceMarkerStep(kafka.bootstrapServers(), TOPIC, step);
            }
            markersWritten = true;
            // Kafka Streams has no wall-clock way to close the last windows; if the markers do not
            // flush them all, say so rather than wait for ever.
            long done = awaitRealPoints(database, pointsBefore, "kafka streams", Duration.ofMinutes(3));
            peer.stop(Duration.ofSeconds(60));
            String dropped = lastLine(peer, "DROPPED");
            String endToEnd;
            if (done > 0) {
                double seconds = (done - ready) / 1e9;
                endToEnd = String.format(
                        "to InfluxDB in %.1f s: %,.0f readings/s, %s",
                        seconds, load.records() / seconds, verify(database));
            } else {
                endToEnd = "to InfluxDB: NOT COMPLETE 3 minutes after the flush markers (" + verify(database) + ")";
            }
            String details = String.format(
                    "(into its windows; %s); heap %,d MiB, RSS %,d MiB, RocksDB on disk %,d MiB, %s",
                    endToEnd, maxHeapAfterGc("kstreams"), rss >> 20, stateBytes >> 20, dropped);
            System.out.printf("  %s%n", details);
            return new Result("kafka streams", bound, details);
        } catch (RuntimeException e) {
            throw new IllegalStateException("kafka streams failed; its log:\n" + peer.logTail(60), e);
        } finally {
            peer.stop(Duration.ofSeconds(30));
        }
    }

    private Result minimalFlink() throws Exception {
        Path checkpoints = Files.createDirectories(runDir.resolve("minimal-checkpoints"));
        System.out.println("\nminimal flink: source, decoding, keyBy device, one 10 s count window, discarding sink; "
                + "local MiniCluster, parallelism " + Runtime.getRuntime().availableProcessors()
                + ", checkpoints every 10 s");
        writeMarkersOnce();
        GuardedProcess peer = startJvm(
                "minimal",
                MinimalFlinkPeer.class,
                List.of(kafka.bootstrapServers(), TOPIC, checkpoints.toUri().toString()));
        try {
            awaitLine(peer, "READY", Duration.ofMinutes(2));
            long ready = System.nanoTime();
            CpuUse cpu = new CpuUse(peer);
            long done = awaitCount(
                    () -> count(peer, "counted"),
                    load.records(),
                    new ProgressLine("minimal flink: readings counted in closed windows"),
                    Duration.ofMinutes(30));
            String cpuUse = cpu.toString();
            double seconds = (done - ready) / 1e9;
            long rss = peakRss(peer.pid());
            long counted = count(peer, "counted");
            peer.stop(Duration.ofSeconds(30));
            double rate = load.records() / seconds;
            String details = String.format(
                    "heap %,d MiB, RSS %,d MiB, %s, %s",
                    maxHeapAfterGc("minimal"),
                    rss >> 20,
                    cpuUse,
                    counted == load.records()
                            ? "every record counted once"
                            : String.format("MISMATCH: %,d counted, %,d in the topic", counted, load.records()));
            System.out.printf(
                    "%n  %,d records in %.1f s: %,.0f readings/s; %s%n", load.records(), seconds, rate, details);
            return new Result("minimal flink", rate, details);
        } catch (RuntimeException e) {
            throw new IllegalStateException("minimal flink failed; its log:\n" + peer.logTail(60), e);
        } finally {
            peer.stop(Duration.ofSeconds(30));
        }
    }

    /**
     * A diagnostic beside the job: its source and topology with the outputs counted instead of
     * written ({@link FlinkPeer} {@code metrics-topology}), timed to the last real device and site window.
     */
    private Result metricsTopology() throws Exception {
        Path checkpoints = Files.createDirectories(runDir.resolve("topology-checkpoints"));
        System.out.println(
                "\nmetrics topology (diagnostic): the job's source and topology, outputs counted, not written; "
                        + "local MiniCluster, parallelism "
                        + Runtime.getRuntime().availableProcessors() + ", checkpoints every 10 s");
        writeMarkersOnce();
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("kafka.readings-topic", TOPIC);
        p.setProperty("kafka.group-id", "bench-topology-" + System.currentTimeMillis());
        p.setProperty("influx.url", influx.url()); // required by the config, not used
        p.setProperty("checkpoint.dir", checkpoints.toUri().toString());
        Path config = runDir.resolve("topology.properties");
        try (var out = Files.newBufferedWriter(config)) {
            p.store(out, "benchmark");
        }
        GuardedProcess peer = startJvm("topology", FlinkPeer.class, List.of("metrics-topology", config.toString()));
        try {
            awaitLine(peer, "READY", Duration.ofMinutes(2));
            long ready = System.nanoTime();
            CpuUse cpu = new CpuUse(peer);
            long expected = load.devicePoints() + load.sitePoints();
            long done = awaitCount(
                    () -> Math.min(count(peer, "device"), load.devicePoints())
                            + Math.min(count(peer, "site"), load.sitePoints()),
                    expected,
                    new ProgressLine("metrics topology: real device and site windows out"),
                    Duration.ofMinutes(30));
            String cpuUse = cpu.toString();
            double seconds = (done - ready) / 1e9;
            long rss = peakRss(peer.pid());
            long devices = count(peer, "device");
            long sites = count(peer, "site");
            peer.stop(Duration.ofSeconds(30));
            double rate = load.records() / seconds;
            String details = String.format(
                    "heap %,d MiB, RSS %,d MiB, %s, %s",
                    maxHeapAfterGc("topology"),
                    rss >> 20,
                    cpuUse,
                    devices == load.devicePoints() && sites == load.sitePoints()
                            ? "every window once"
                            : String.format(
                                    "MISMATCH: %,d device windows (expected %,d), %,d site windows (%,d)",
                                    devices, load.devicePoints(), sites, load.sitePoints()));
            System.out.printf(
                    "%n  %,d records in %.1f s: %,.0f readings/s; %s%n", load.records(), seconds, rate, details);
            return new Result("topology only", rate, details);
        } catch (RuntimeException e) {
            throw new IllegalStateException("metrics topology failed; its log:\n" + peer.logTail(60), e);
        } finally {
            peer.stop(Duration.ofSeconds(30));
        }
    }

    private Result flink() throws Exception {
        String database = "bench_flink";
        Path checkpoints = Files.createDirectories(runDir.resolve("flink-checkpoints"));
        System.out.println("\nflink: the metrics job, local MiniCluster, parallelism "
                + Runtime.getRuntime().availableProcessors() + ", checkpoints every 10 s, into InfluxDB database "
                + database);
        influx.createDatabase(database);
        writeMarkersOnce();
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("kafka.readings-topic", TOPIC);
        p.setProperty("kafka.group-id", "bench-flink-" + System.currentTimeMillis());
        p.setProperty("influx.url", influx.url());
        p.setProperty("influx.database", database);
        p.setProperty("checkpoint.dir", checkpoints.toUri().toString());
        Path config = runDir.resolve("flink.properties");
        try (var out = Files.newBufferedWriter(config)) {
            p.store(out, "benchmark");
        }
        long pointsBefore = pointsWritten();
        GuardedProcess peer = startJvm("flink", FlinkPeer.class, List.of("metrics", config.toString()));
        try {
            awaitLine(peer, "READY", Duration.ofMinutes(2));
            long ready = System.nanoTime();
            long done;
            long largestCheckpoint;
            CpuUse cpu = new CpuUse(peer);
            try (CheckpointWatch watch = new CheckpointWatch(checkpoints)) {
                done = awaitRealPoints(database, pointsBefore, "flink", Duration.ofMinutes(30));
                largestCheckpoint = watch.largest();
            }
            String cpuUse = cpu.toString();
            if (done == 0) {
                throw new IllegalStateException(
                        "flink: not every point arrived within 30 minutes: " + verify(database));
            }
            double seconds = (done - ready) / 1e9;
            long rss = peakRss(peer.pid());
            peer.stop(Duration.ofSeconds(30));
            String verdict = verify(database);
            double rate = load.records() / seconds;
            String details = String.format(
                    "heap %,d MiB, RSS %,d MiB, largest checkpoint %,d MiB, %s, %s",
                    maxHeapAfterGc("flink"), rss >> 20, largestCheckpoint >> 20, cpuUse, verdict);
            System.out.printf(
                    "  %,d records in %.1f s: %,.0f readings/s; %s%n", load.records(), seconds, rate, details);
            return new Result("flink", rate, details);
        } catch (RuntimeException e) {
            throw new IllegalStateException("flink failed; its log:\n" + peer.logTail(60), e);
        } finally {
            peer.stop(Duration.ofSeconds(30));
        }
    }

    /** The flush markers after the readings, once for both jobs (Kafka Streams writes its own, in two phases). */
    private void writeMarkersOnce() {
        if (!markersWritten) {
            // The jobs' watermark is the minimum over all partitions: no need to wait between steps.
            for (int step = 1; step <= BenchLoad.MARKER_STEPS; step++) {
                load.produceMarkerStep(kafka.bootstrapServers(), TOPIC, step);
            }
            markersWritten = true;
        }
    }

    private Result alerts() throws Exception {
        String database = "bench_alerts";
        Path checkpoints = Files.createDirectories(runDir.resolve("alerts-checkpoints"));
        long expected = BenchRules.expectedTransitions(load);
        int rules = BenchRules.rules().rules().size() - 1;
        System.out.printf(
                "%nalerts: the alerts job, local MiniCluster, parallelism %d, checkpoints every 10 s, %d rules "
                        + "(and one on the flush markers); expecting %,d alert transitions, %,d status points; into InfluxDB "
                        + "database %s, Kafka telemetry.alerts, MQTT %s%n",
                Runtime.getRuntime().availableProcessors(),
                rules,
                expected,
                2L * load.devices(),
                database,
                mosquitto.url());
        influx.createDatabase(database);
        writeMarkersOnce();
        Path rulesFile = Files.writeString(runDir.resolve("bench-rules.yaml"), BenchRules.yaml());
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap", kafka.bootstrapServers());
        p.setProperty("kafka.readings-topic", TOPIC);
        p.setProperty("kafka.group-id", "bench-alerts-" + System.currentTimeMillis());
        p.setProperty("influx.url", influx.url());
        p.setProperty("influx.database", database);
        p.setProperty("mqtt.url", mosquitto.url());
        p.setProperty("rules.file", rulesFile.toString());
        p.setProperty("checkpoint.dir", checkpoints.toUri().toString());
        Path config = runDir.resolve("alerts.properties");
        try (var out = Files.newBufferedWriter(config)) {
            p.store(out, "benchmark");
        }
        GuardedProcess peer = startJvm("alerts", FlinkPeer.class, List.of("alerts", config.toString()));
        String realAlerts = "SELECT count(\"value\") FROM alerts WHERE rule != '" + BenchRules.END_RULE + "'";
        String endAlerts = "SELECT count(\"value\") FROM alerts WHERE rule = '" + BenchRules.END_RULE + "'";
        String realStatuses = "SELECT count(\"last_seen\") FROM device_status" + REAL;
        try {
            awaitLine(peer, "READY", Duration.ofMinutes(2));
            long ready = System.nanoTime();
            long done;
            try (CheckpointWatch watch = new CheckpointWatch(checkpoints)) {
                ProgressLine progress = new ProgressLine("alerts: transitions in InfluxDB");
                long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
                done = 0;
                while (done == 0 && System.nanoTime() < deadline) {
                    progress.update(Math.min(single(database, realAlerts), expected), expected);
                    if (single(database, endAlerts) >= BenchLoad.MARKERS
                            && single(database, realStatuses) >= 2L * load.devices()) {
                        done = System.nanoTime();
                    } else {
                        Thread.sleep(200);
                    }
                }
                if (done == 0) {
                    throw new IllegalStateException("alerts: the markers' alerts did not arrive within 30 minutes");
                }
                double seconds = (done - ready) / 1e9;
                long rss = peakRss(peer.pid());
                peer.stop(Duration.ofSeconds(30));
                long found = single(database, realAlerts);
                long statuses = single(database, realStatuses);
                String verdict = found == expected && statuses == 2L * load.devices()
                        ? String.format("%,d transitions and %,d status points, as expected", found, statuses)
                        : String.format(
                                "MISMATCH: %,d transitions (expected %,d), %,d status points (expected %,d)",
                                found, expected, statuses, 2L * load.devices());
                double rate = load.records() / seconds;
                String details = String.format(
                        "heap %,d MiB, RSS %,d MiB, largest checkpoint %,d MiB, %s",
                        maxHeapAfterGc("alerts"), rss >> 20, watch.largest() >> 20, verdict);
                System.out.printf(
                        "  %,d records in %.1f s: %,.0f readings/s; %s%n", load.records(), seconds, rate, details);
                return new Result("alerts", rate, details);
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("alerts failed; its log:\n" + peer.logTail(60), e);
        } finally {
            peer.stop(Duration.ofSeconds(30));
        }
    }

    /**
     * CPU time used by the peer, Kafka and influxd between its creation and {@link #toString()}:
     * which process a run spends the 2 cores on (the issue asks for CPU per process).
     */
    private final class CpuUse {
        private final long peer;
        private final long[] start;
        private final long began = System.nanoTime();

        CpuUse(GuardedProcess peer) {
            this.peer = peer.pid();
            this.start = now();
        }

        private long[] now() {
            return new long[] {
                cpuNanos(peer),
                cpuNanos(kafka.pid().orElse(-1)),
                cpuNanos(influx.pid().orElse(-1))
            };
        }

        @Override
        public String toString() {
            long[] end = now();
            return String.format(
                    "CPU over %.1f s: peer %.1f s, Kafka %.1f s, influxd %.1f s",
                    (System.nanoTime() - began) / 1e9,
                    (end[0] - start[0]) / 1e9,
                    (end[1] - start[1]) / 1e9,
                    (end[2] - start[2]) / 1e9);
        }

        private static long cpuNanos(long pid) {
            return ProcessHandle.of(pid)
                    .flatMap(p -> p.info().totalCpuDuration())
                    .map(Duration::toNanos)
                    .orElse(0L);
        }
    }

    /** Polls a checkpoint directory every 500 ms for the largest completed checkpoint, until closed. */
    private final class CheckpointWatch implements AutoCloseable {
        private final Thread thread;
        private volatile long largest;

        CheckpointWatch(Path checkpoints) {
            thread = new Thread(
                    () -> {
                        while (!Thread.currentThread().isInterrupted()) {
                            largest = Math.max(largest, latestCheckpointSize(checkpoints));
                            try {
                                Thread.sleep(500);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "checkpoint-watch");
            thread.start();
        }

        long largest() {
            return largest;
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join();
        }
    }

    private GuardedProcess startJvm(String name, Class<?> main, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(JVM_OPTIONS);
        command.add("-Xlog:gc:file=" + runDir.resolve(name + "-gc.log"));
        // e.g. BENCH_PEER_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/peer.jfr,settings=profile" to profile
        String extra = System.getenv("BENCH_PEER_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(Arrays.asList(extra.trim().replace("{peer}", name).split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        return GuardedProcess.start("bench-" + name, command, runDir, runDir.resolve(name + ".log"), Map.of());
    }

    /**
     * Waits until {@code database} holds every real site point, then every real device point (site
     * windows come last: they are made of device windows), and returns when (nanoTime). Meanwhile
     * shows the points InfluxDB has received as progress (markers' points included). 0 if not
     * every point came within {@code timeout}.
     */
    private long awaitRealPoints(String database, long pointsBefore, String who, Duration timeout)
            throws InterruptedException {
        ProgressLine progress = new ProgressLine(who + ": points in InfluxDB");
        long expected = load.devicePoints() + load.sitePoints();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            progress.update(Math.min(pointsWritten() - pointsBefore, expected - 1), expected);
            if (realSitePoints(database) >= load.sitePoints() && realDevicePoints(database) >= load.devicePoints()) {
                long at = System.nanoTime();
                progress.update(expected, expected);
                return at;
            }
            Thread.sleep(200);
        }
        System.out.println();
        return 0;
    }

    private static long awaitCount(LongSupplier count, long expected, ProgressLine progress, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long now = count.getAsLong();
            long at = System.nanoTime();
            progress.update(Math.min(now, expected), expected);
            if (now >= expected) {
                return at;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + expected);
    }

    /** InfluxDB's own count of points written since it started, all databases. */
    private long pointsWritten() {
        String json = influx.query("_internal", "SHOW STATS FOR 'write'");
        Matcher columns = Pattern.compile("\"columns\":\\[([^\\]]*)\\],\"values\":\\[\\[([^\\]]*)\\]")
                .matcher(json);
        if (!columns.find()) {
            throw new IllegalStateException("unexpected SHOW STATS answer: " + json);
        }
        List<String> names = Arrays.asList(columns.group(1).replace("\"", "").split(","));
        String[] values = columns.group(2).split(",");
        return Long.parseLong(values[names.indexOf("pointReq")].trim());
    }

    /** Device and site points of the real devices, every reading counted once, every device in its site windows. */
    private String verify(String database) {
        long devicePoints = realDevicePoints(database);
        long counted = single(database, "SELECT sum(\"count\") FROM device_metrics" + REAL + " AND \"window\" = '10s'");
        long sitePoints = realSitePoints(database);
        long siteDevices =
                single(database, "SELECT sum(\"devices\") FROM site_metrics" + REAL + " AND \"window\" = '10s'");
        long samples = load.uniqueReadings() * BenchLoad.METRICS.length;
        boolean ok = devicePoints == load.devicePoints()
                && counted == samples
                && sitePoints == load.sitePoints()
                && siteDevices == (long) load.devices() * BenchLoad.METRICS.length * load.tenSecondWindows();
        return ok
                ? "InfluxDB contents verified"
                : String.format(
                        "MISMATCH: device points %,d (expected %,d), counted samples %,d (%,d), site points %,d (%,d), site devices %,d",
                        devicePoints,
                        load.devicePoints(),
                        counted,
                        samples,
                        sitePoints,
                        load.sitePoints(),
                        siteDevices);
    }

    private long realDevicePoints(String database) {
        return single(database, "SELECT count(\"count\") FROM device_metrics" + REAL);
    }

    private long realSitePoints(String database) {
        return single(database, "SELECT count(\"devices\") FROM site_metrics" + REAL);
    }

    private long single(String database, String query) {
        String json = influx.query(database, query);
        Matcher m = Pattern.compile("\"values\":\\[\\[[^,]+,([\\d.eE+]+)\\]\\]").matcher(json);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    private long latestCheckpointSize(Path checkpoints) {
        try (Stream<Path> jobs = Files.list(checkpoints)) {
            long largest = 0;
            for (Path job : jobs.toList()) {
                try (Stream<Path> dirs = Files.list(job)) {
                    for (Path chk : dirs.filter(d -> d.getFileName().toString().startsWith("chk-"))
                            .toList()) {
                        if (Files.exists(chk.resolve("_metadata"))) { // completed
                            largest = Math.max(largest, directorySize(chk));
                        }
                    }
                }
            }
            return largest;
        } catch (IOException | UncheckedIOException e) {
            return 0; // a checkpoint being written or discarded while listed: next poll
        }
    }

    private static long directorySize(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            return 0;
                        }
                    })
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private long maxHeapAfterGc(String name) throws IOException {
        long max = 0;
        for (String line : Files.readAllLines(runDir.resolve(name + "-gc.log"))) {
            Matcher m = HEAP_AFTER_GC.matcher(line);
            if (m.find()) {
                max = Math.max(max, Long.parseLong(m.group(1)));
            }
        }
        return max;
    }

    private static long peakRss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }

    private static String awaitLine(GuardedProcess peer, String prefix, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lastLine(peer, prefix);
            if (line != null) {
                return line;
            }
            if (!peer.isAlive() || lastLine(peer, "FAILED") != null) {
                throw new IllegalStateException(peer + " ended before printing " + prefix);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(peer + " did not print " + prefix + " within " + timeout);
    }

    private static String lastLine(GuardedProcess peer, String prefix) {
        try {
            List<String> lines = Files.readAllLines(peer.logFile());
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith(prefix)) {
                    return lines.get(i);
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The number after {@code name} on the peer's last {@code READ} line. */
    private static long count(GuardedProcess peer, String name) {
        String line = lastLine(peer, "READ ");
        if (line == null) {
            return 0;
        }
        Matcher m = Pattern.compile(name + " (\\d+)").matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
