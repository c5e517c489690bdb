package io.twinstream.simulator;

import io.twinstream.model.Durations;
import io.twinstream.simulator.publish.MqttPublisher;
import io.twinstream.simulator.publish.PublishStats;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.ScenarioException;
import io.twinstream.simulator.scenario.ScenarioParser;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.SimMessage;
import io.twinstream.simulator.stream.StreamObserver;
import io.twinstream.simulator.truth.GroundTruth;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * {@code simulator run | expect | hash}: publishes a scenario over MQTT, computes what a correct
 * pipeline must produce from it, or fingerprints its message stream.
 */
public final class SimulatorMain {

    static final String USAGE = String.join(
            "\n",
            "Usage: simulator <command> --scenario FILE [options]",
            "",
            "Simulates city and factory device fleets publishing telemetry over MQTT.",
            "",
            "Commands:",
            "  run       publish the scenario to an MQTT broker, with a progress line every few seconds",
            "  expect    write what a correct pipeline must produce (windows, alerts, totals) as JSON lines",
            "  hash      print the SHA-256 of the scenario's message stream (same scenario + seed = same hash)",
            "",
            "Options:",
            "  --scenario FILE       a scenario file, or a shipped one: demo.yaml, city.yaml, factory.yaml",
            "  --rate-scale X        multiply every fleet's size by X (default 1)",
            "  --duration D          override the simulated duration, e.g. 5m, 2h",
            "  --speed S             simulated seconds per wall second, or 'max' (run; default: the scenario's)",
            "  --seed N              override the scenario's seed",
            "  --start INSTANT       pin the simulated start, e.g. 2026-01-05T04:30:00Z (a reproducible replay). Default:",
            "                        the file's start; the shipped scenarios have none and start at the present",
            "                        (run prints the start it took; give expect and hash that same --start)",
            "  --mqtt-url URL        broker (run; default $MQTT_URL, else tcp://127.0.0.1:1883)",
            "  --username U          MQTT login (run; default $MQTT_USERNAME; password from $MQTT_PASSWORD)",
            "  --reconnect-storm     run: after the stream, drop every connection at once and reconnect",
            "  --no-jitter           run: reconnect without jitter (to watch a storm hit the broker)",
            "  --retry-unrouted      run: publish a QoS 1 reading again while the broker answers 'no matching",
            "                        subscribers' (e.g. right after a Mosquitto restart, before ingest resubscribed)",
            "  --out FILE            expect: write to FILE instead of standard output",
            "  --progress-every D    run: progress line interval (default 5s)",
            "  -h, --help            this text");

    private SimulatorMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        if (rest.contains("-h") || rest.contains("--help")) {
            out.println(USAGE);
            return 0;
        }
        if (rest.isEmpty()) {
            err.println(USAGE);
            return 2;
        }
        String command = rest.remove(0);
        try {
            Options options = Options.parse(rest);
            switch (command) {
                case "run":
                    return publish(options, out, err);
                case "expect":
                    return expect(options, out);
                case "hash":
                    out.println(hash(options.pinnedFleet("hash")));
                    return 0;
                default:
                    err.println("simulator: unknown command '" + command + "'\n\n" + USAGE);
                    return 2;
            }
        } catch (ScenarioException e) {
            err.println("simulator: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("simulator: " + e.getMessage() + "\n\n" + USAGE);
            return 2;
        } catch (MqttException e) {
            err.println("simulator: MQTT: " + e.getMessage() + " (reason code " + e.getReasonCode() + ")");
            return 1;
        } catch (IOException e) {
            err.println("simulator: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("simulator: interrupted");
            return 130;
        }
    }

    private static int publish(Options options, PrintStream out, PrintStream err)
            throws MqttException, InterruptedException {
        Scenario unstarted = options.scenario();
        double speed = options.speed != null ? options.speed : unstarted.speed();
        Scenario scenario = unstarted.startingNow(java.time.Clock.systemUTC(), speed);
        DeviceFleet fleet = new DeviceFleet(scenario, options.rateScale);
        MqttPublisher publisher = new MqttPublisher(
                fleet,
                new MqttPublisher.Settings(options.mqttUrl, options.username, options.password, speed, options.jitter)
                        .withRetryUnrouted(options.retryUnrouted));
        out.printf(
                "simulator: %s, seed %d, %d devices on %d %s connections, %s simulated at %s, to %s%n",
                scenario.name(),
                scenario.seed(),
                fleet.size(),
                fleet.connectionCount(),
                scenario.publish().connections().name().toLowerCase(java.util.Locale.ROOT),
                Durations.format(scenario.duration()),
                speed == 0 ? "max speed" : speed + "x",
                options.mqttUrl);
        out.printf(
                "simulator: simulated start %s%s%n",
                scenario.start(),
                unstarted.hasStart()
                        ? ""
                        : " (the present; for this run's ground truth: simulator expect ... --start " + scenario.start()
                                + ")");
        Thread main = Thread.currentThread();
        Thread hook = new Thread(
                () -> {
                    publisher.stop();
                    try {
                        main.join(60_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "simulator-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "simulator-progress");
            t.setDaemon(true);
            return t;
        });
        long started = System.nanoTime();
        try {
            publisher.connectAll();
            Progress line = new Progress(publisher.stats(), fleet.connectionCount(), out);
            long every = options.progressEvery.toMillis();
            progress.scheduleAtFixedRate(line::print, every, every, TimeUnit.MILLISECONDS);
            publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
            if (options.reconnectStorm) {
                out.printf(
                        "reconnect storm: %d connections dropped at once, %s jitter ...%n",
                        fleet.connectionCount(), options.jitter ? "with" : "without");
                out.printf(
                        "reconnect storm: all %d connected again after %d ms%n",
                        fleet.connectionCount(), publisher.reconnectStorm());
            }
        } finally {
            progress.shutdownNow();
            publisher.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
        PublishStats s = publisher.stats();
        double seconds = (System.nanoTime() - started) / 1e9;
        out.printf(
                "summary: %d messages (%d readings, %d bytes) in %.1f s: %.0f msg/s, %.0f readings/s; "
                        + "%d acknowledged, %d resent after a lost connection, %d resent as unrouted, %d errors, "
                        + "%d reconnects, %d held by devices still offline at the end%n",
                s.messages(),
                s.readings(),
                s.bytes(),
                seconds,
                s.messages() / seconds,
                s.readings() / seconds,
                s.acknowledged(),
                s.retried(),
                s.unrouted(),
                s.errors(),
                s.reconnects(),
                s.heldAtEnd());
        return s.errors() == 0 ? 0 : 1;
    }

    private static int expect(Options options, PrintStream out) throws IOException {
        DeviceFleet fleet = options.pinnedFleet("expect");
        if (options.out != null) {
            try (Writer writer = Files.newBufferedWriter(options.out, StandardCharsets.UTF_8)) {
                GroundTruth.write(fleet, writer);
            }
        } else {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            GroundTruth.write(fleet, writer);
            writer.flush();
        }
        return 0;
    }

    /** SHA-256 over every message's send time, topic, flags and payload, in stream order. */
    static String hash(DeviceFleet fleet) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            MessageGenerator generator = new MessageGenerator(fleet, StreamObserver.NONE);
            for (SimMessage m = generator.next(); m != null; m = generator.next()) {
                digest.update((m.sendMillis() + " " + m.topic() + " " + m.retained() + " " + m.kind() + " "
                                + m.connection() + " " + m.payload().length + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                digest.update(m.payload());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The progress line: simulated time, connections, rates since the last line, totals. */
    private static final class Progress {
        private final PublishStats stats;
        private final int connections;
        private final PrintStream out;
        private long lastNanos = System.nanoTime();
        private long lastMessages;
        private long lastReadings;

        Progress(PublishStats stats, int connections, PrintStream out) {
            this.stats = stats;
            this.connections = connections;
            this.out = out;
        }

        void print() {
            long now = System.nanoTime();
            long messages = stats.messages();
            long readings = stats.readings();
            double seconds = (now - lastNanos) / 1e9;
            out.printf(
                    "progress: sim %s  connected %d/%d  %.0f msg/s  %.0f readings/s  total %d msgs  errors %d%n",
                    Instant.ofEpochMilli(stats.simulatedMillis()),
                    stats.connected(),
                    connections,
                    (messages - lastMessages) / seconds,
                    (readings - lastReadings) / seconds,
                    messages,
                    stats.errors());
            lastNanos = now;
            lastMessages = messages;
            lastReadings = readings;
        }
    }

    /** Command-line options, validated. */
    static final class Options {
        String scenario;
        double rateScale = 1;
        Duration duration;
        Double speed;
        Long seed;
        Instant start;
        String mqttUrl = envOr("MQTT_URL", "tcp://127.0.0.1:1883");
        String username = System.getenv("MQTT_USERNAME");
        char[] password = System.getenv("MQTT_PASSWORD") == null
                ? null
                : System.getenv("MQTT_PASSWORD").toCharArray();
        boolean reconnectStorm;
        boolean jitter = true;
        boolean retryUnrouted;
        Path out;
        Duration progressEvery = Duration.ofSeconds(5);

        static Options parse(List<String> args) {
            Options o = new Options();
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                switch (arg) {
                    case "--reconnect-storm" -> o.reconnectStorm = true;
                    case "--no-jitter" -> o.jitter = false;
                    case "--retry-unrouted" -> o.retryUnrouted = true;
                    case "--scenario",
                            "--rate-scale",
                            "--duration",
                            "--speed",
                            "--seed",
                            "--start",
                            "--mqtt-url",
                            "--username",
                            "--out",
                            "--progress-every" -> {
                        if (i + 1 >= args.size()) {
                            throw new IllegalArgumentException(arg + " needs a value");
                        }
                        values.put(arg, args.get(++i));
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
            o.scenario = values.get("--scenario");
            if (o.scenario == null) {
                throw new IllegalArgumentException("--scenario is required");
            }
            if (values.containsKey("--rate-scale")) {
                o.rateScale = positive("--rate-scale", values.get("--rate-scale"));
            }
            if (values.containsKey("--duration")) {
                o.duration = duration("--duration", values.get("--duration"));
            }
            if (values.containsKey("--speed")) {
                String speed = values.get("--speed");
                o.speed = "max".equals(speed) ? 0.0 : positive("--speed", speed);
            }
            if (values.containsKey("--seed")) {
                try {
                    o.seed = Long.parseLong(values.get("--seed"));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "--seed must be a whole number, was '" + values.get("--seed") + "'");
                }
            }
            if (values.containsKey("--start")) {
                o.start = Scenario.parseStart("--start", values.get("--start"));
            }
            o.mqttUrl = values.getOrDefault("--mqtt-url", o.mqttUrl);
            if (!o.mqttUrl.matches("(tcp|ssl|ws|wss)://.+")) {
                throw new IllegalArgumentException(
                        "--mqtt-url must look like tcp://host:1883, was '" + o.mqttUrl + "'");
            }
            o.username = values.getOrDefault("--username", o.username);
            if (values.containsKey("--out")) {
                o.out = Path.of(values.get("--out"));
            }
            if (values.containsKey("--progress-every")) {
                o.progressEvery = duration("--progress-every", values.get("--progress-every"));
            }
            return o;
        }

        /** The scenario file with --duration, --seed and --start applied; its start may still be the present. */
        Scenario scenario() {
            return ScenarioParser.load(scenario).overridden(duration, seed, start);
        }

        /**
         * The fleet of a scenario whose start is fixed: a stream computed now must be the one a
         * run played earlier, so a scenario starting at the present needs the --start that run printed.
         */
        DeviceFleet pinnedFleet(String command) {
            Scenario s = scenario();
            if (!s.hasStart()) {
                throw new IllegalArgumentException(
                        command + ": " + scenario + " starts at the present when it is run: give --start,"
                                + " the simulated start `simulator run` printed (e.g. --start "
                                + Scenario.startEndingNow(Instant.now(), s.duration(), s.speed()) + ")");
            }
            return new DeviceFleet(s, rateScale);
        }

        private static double positive(String name, String text) {
            try {
                double value = Double.parseDouble(text);
                if (!(value > 0) || Double.isInfinite(value)) {
                    throw new IllegalArgumentException(name + " must be a positive number, was '" + text + "'");
                }
                return value;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a positive number, was '" + text + "'");
            }
        }

        private static Duration duration(String name, String text) {
            try {
                Duration d = Durations.parse(text);
                if (d.isZero()) {
                    throw new IllegalArgumentException(name + " must be longer than zero");
                }
                return d;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage());
            }
        }

        private static String envOr(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : value;
        }
    }
}
