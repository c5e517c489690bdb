package io.twinstream.simulator;

import io.twinstream.model.Durations;
import io.twinstream.model.cli.CommandLines;
import io.twinstream.model.cli.TwinstreamVersion;
import io.twinstream.simulator.publish.MqttPublisher;
import io.twinstream.simulator.publish.PublishStats;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.SimMessage;
import io.twinstream.simulator.stream.StreamObserver;
import io.twinstream.simulator.truth.GroundTruth;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code simulator run | expect | hash} (also {@code twinstream simulate}, {@code expect}): publishes a
 * scenario over MQTT, computes what a correct pipeline must produce from it, or fingerprints its
 * message stream.
 */
@Command(
        name = "simulator",
        mixinStandardHelpOptions = true,
        versionProvider = TwinstreamVersion.class,
        description = "Simulates city and factory device fleets publishing telemetry over MQTT.",
        subcommands = {SimulatorMain.Run.class, SimulatorMain.Expect.class, SimulatorMain.Hash.class})
public final class SimulatorMain {

    public static void main(String[] args) {
        CommandLines.main(new SimulatorMain(), args);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return CommandLines.execute(new SimulatorMain(), out, err, args);
    }

    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            versionProvider = TwinstreamVersion.class,
            description = "Publish the scenario to an MQTT broker, with a progress line every few seconds.",
            footer = "The MQTT password comes from $MQTT_PASSWORD. Exit status: 0 every message acknowledged, 1 not.")
    public static final class Run implements Callable<Integer> {

        @Mixin
        ScenarioOptions scenarioOptions;

        @Mixin
        ScenarioOptions.Speed speed;

        @Option(
                names = "--mqtt-url",
                paramLabel = "URL",
                defaultValue = "${env:MQTT_URL:-tcp://127.0.0.1:1883}",
                description = "the broker (default $MQTT_URL, else tcp://127.0.0.1:1883)")
        String mqttUrl;

        @Option(
                names = "--username",
                paramLabel = "U",
                defaultValue = "${env:MQTT_USERNAME}",
                description = "MQTT login (default $MQTT_USERNAME; the password from $MQTT_PASSWORD)")
        String username;

        @Option(
                names = "--reconnect-storm",
                description = "after the stream, drop every connection at once and time the reconnect")
        boolean reconnectStorm;

        @Option(names = "--no-jitter", description = "reconnect without jitter (to watch a storm hit the broker)")
        boolean noJitter;

        @Option(
                names = "--retry-unrouted",
                description = "publish a QoS 1 reading again while the broker answers 'no matching subscribers'"
                        + " (e.g. right after a Mosquitto restart, before ingest subscribed again)")
        boolean retryUnrouted;

        @Option(
                names = "--progress-every",
                paramLabel = "D",
                defaultValue = "5s",
                description = "progress line interval (default ${DEFAULT-VALUE})")
        Duration progressEvery;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (!mqttUrl.matches("(tcp|ssl|ws|wss)://.+")) {
                throw new ParameterException(
                        spec.commandLine(), "--mqtt-url must look like tcp://host:1883, was '" + mqttUrl + "'");
            }
            if (progressEvery.isZero()) {
                throw new ParameterException(spec.commandLine(), "--progress-every must be longer than zero");
            }
            String password = System.getenv("MQTT_PASSWORD");
            try {
                return publish(
                        this,
                        password == null ? null : password.toCharArray(),
                        spec.commandLine().getOut());
            } catch (MqttException e) {
                spec.commandLine()
                        .getErr()
                        .println(spec.qualifiedName() + ": MQTT: " + e.getMessage() + " (reason code "
                                + e.getReasonCode() + ")");
                return CommandLines.FAILED;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                spec.commandLine().getErr().println(spec.qualifiedName() + ": interrupted");
                return 130;
            }
        }
    }

    @Command(
            name = "expect",
            mixinStandardHelpOptions = true,
            versionProvider = TwinstreamVersion.class,
            description = "Write what a correct pipeline must produce (windows, alerts, totals) as JSON lines.")
    public static final class Expect implements Callable<Integer> {

        @Mixin
        ScenarioOptions scenarioOptions;

        @Option(names = "--out", paramLabel = "FILE", description = "write to FILE instead of standard output")
        Path out;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            DeviceFleet fleet = scenarioOptions.pinnedFleet();
            if (out != null) {
                try (Writer writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                    GroundTruth.write(fleet, writer);
                }
            } else {
                Writer writer = new BufferedWriter(spec.commandLine().getOut(), 1 << 16);
                GroundTruth.write(fleet, writer);
                writer.flush();
            }
            return CommandLines.OK;
        }
    }

    @Command(
            name = "hash",
            mixinStandardHelpOptions = true,
            versionProvider = TwinstreamVersion.class,
            description = "Print the SHA-256 of the scenario's message stream (same scenario and seed: same hash).")
    public static final class Hash implements Callable<Integer> {

        @Mixin
        ScenarioOptions scenarioOptions;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(hash(scenarioOptions.pinnedFleet()));
            return CommandLines.OK;
        }
    }

    private static int publish(Run options, char[] password, PrintWriter out)
            throws MqttException, InterruptedException {
        Scenario unstarted = options.scenarioOptions.scenario();
        double speed = options.speed.of(unstarted);
        Scenario scenario = unstarted.startingNow(java.time.Clock.systemUTC(), speed);
        DeviceFleet fleet = new DeviceFleet(scenario, options.scenarioOptions.rateScale());
        MqttPublisher publisher = new MqttPublisher(
                fleet,
                new MqttPublisher.Settings(options.mqttUrl, options.username, password, speed, !options.noJitter)
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
                        fleet.connectionCount(), options.noJitter ? "without" : "with");
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
        private final PrintWriter out;
        private long lastNanos = System.nanoTime();
        private long lastMessages;
        private long lastReadings;

        Progress(PublishStats stats, int connections, PrintWriter out) {
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
}
