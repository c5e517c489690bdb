package io.twinstream.ingest;

import io.twinstream.ingest.config.IngestConfig;
import io.twinstream.model.cli.CommandLines;
import io.twinstream.model.cli.TwinstreamVersion;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.common.MqttException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Entry point of the MQTT → Kafka bridge ({@code java -jar ingest/target/twinstream-ingest-*-cli.jar},
 * or {@code twinstream ingest}). Runs until SIGTERM or Ctrl-C, then drains what is in flight and exits.
 */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        versionProvider = TwinstreamVersion.class,
        description = {
            "The MQTT → Kafka bridge.",
            "Moves every MQTT message under telemetry/# into Kafka: readings to telemetry.readings, anything"
                    + " unreadable to telemetry.deadletter with the reason. MQTT is acknowledged only after Kafka"
                    + " has the record (at least once). Stops cleanly on SIGTERM / Ctrl-C."
        },
        footer = {
            "Environment: MQTT_URL, MQTT_USERNAME, MQTT_PASSWORD, KAFKA_BOOTSTRAP, and INGEST_<KEY> for any key"
                    + " (INGEST_MQTT_CONNECTIONS=4 sets mqtt.connections). Exit status: 0 stopped cleanly, 1 a broker"
                    + " or Kafka refused, 2 bad arguments or configuration."
        })
public final class IngestMain implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "a properties file (keys: docs/configuration.md)")
    Path configFile;

    @Spec
    CommandSpec spec;

    private final Map<String, String> environment;
    private final Consumer<Bridge> whileRunning;

    /** The bridge as a command: configured from {@code environment}, runs {@code whileRunning} once started. */
    IngestMain(Map<String, String> environment, Consumer<Bridge> whileRunning) {
        this.environment = environment;
        this.whileRunning = whileRunning;
    }

    /** The bridge as {@code main} runs it: the process environment, until SIGTERM or Ctrl-C. */
    public IngestMain() {
        this(System.getenv(), IngestMain::runUntilStopped);
    }

    public static void main(String[] args) {
        CommandLines.main(new IngestMain(), args);
    }

    /**
     * Parses the command line and configuration and starts the bridge; {@code whileRunning} gets the
     * running bridge and returns when it should stop.
     *
     * @return 0 after a clean stop or --help, 1 when the bridge cannot start (broker or Kafka refuses),
     *         2 for bad arguments or configuration
     */
    static int run(
            String[] args,
            Map<String, String> environment,
            PrintStream out,
            PrintStream err,
            Consumer<Bridge> whileRunning) {
        return CommandLines.execute(new IngestMain(environment, whileRunning), out, err, args);
    }

    @Override
    public Integer call() {
        String name = spec.qualifiedName();
        PrintWriter err = spec.commandLine().getErr();
        if (configFile != null && !Files.isRegularFile(configFile)) {
            err.println(name + ": no configuration file " + configFile);
            return CommandLines.BAD_INPUT;
        }
        IngestConfig config;
        try {
            config = IngestConfig.load(configFile, environment);
        } catch (IllegalArgumentException | IOException e) {
            err.println(name + ": bad configuration: " + e.getMessage());
            return CommandLines.BAD_INPUT;
        }
        Bridge bridge = new Bridge(config);
        try {
            bridge.start();
        } catch (MqttException e) {
            bridge.close();
            err.println(name + ": MQTT broker at " + config.mqttUrl() + ": " + e.getMessage() + " (reason code "
                    + e.getReasonCode() + ")");
            return CommandLines.FAILED;
        } catch (IOException | RuntimeException e) {
            bridge.close();
            err.println(name + ": cannot start: " + e.getMessage());
            return CommandLines.FAILED;
        }
        whileRunning.accept(bridge);
        return CommandLines.OK;
    }

    /** Until SIGTERM or Ctrl-C; then drains what is in flight (up to 30 s) and returns. */
    private static void runUntilStopped(Bridge bridge) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                bridge.shutdown(Duration.ofSeconds(30));
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "ingest-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
