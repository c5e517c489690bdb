package io.twinstream.ingest;

import io.twinstream.ingest.config.IngestConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Entry point of the MQTT → Kafka bridge ({@code java -jar ingest/target/twinstream-ingest-*-cli.jar}).
 * Runs until SIGTERM or Ctrl-C, then drains what is in flight and exits.
 */
public final class IngestMain {

    static final String USAGE = String.join(
            "\n",
            "Usage: ingest [--config FILE]",
            "",
            "Moves every MQTT message under telemetry/# into Kafka: readings to telemetry.readings, anything",
            "unreadable to telemetry.deadletter with the reason. MQTT is acknowledged only after Kafka has the",
            "record (at least once). Stops cleanly on SIGTERM / Ctrl-C.",
            "",
            "Options:",
            "  --config FILE   a properties file (keys: docs/configuration.md)",
            "  -h, --help      this text",
            "",
            "Environment: MQTT_URL, MQTT_USERNAME, MQTT_PASSWORD, KAFKA_BOOTSTRAP, and INGEST_<KEY> for any key",
            "(INGEST_MQTT_CONNECTIONS=4 sets mqtt.connections).");

    private IngestMain() {}

    public static void main(String[] args) throws InterruptedException {
        int status = run(args, System.getenv(), System.out, System.err, IngestMain::runUntilStopped);
        System.exit(status);
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
        List<String> arguments = Arrays.asList(args);
        if (arguments.contains("-h") || arguments.contains("--help")) {
            out.println(USAGE);
            return 0;
        }
        Path configFile = null;
        if (!arguments.isEmpty()) {
            if (arguments.size() != 2 || !arguments.get(0).equals("--config")) {
                err.println("ingest: unexpected arguments " + arguments + "\n\n" + USAGE);
                return 2;
            }
            configFile = Path.of(arguments.get(1));
            if (!Files.isRegularFile(configFile)) {
                err.println("ingest: no configuration file " + configFile);
                return 2;
            }
        }
        IngestConfig config;
        try {
            config = IngestConfig.load(configFile, environment);
        } catch (IllegalArgumentException | IOException e) {
            err.println("ingest: bad configuration: " + e.getMessage());
            return 2;
        }
        Bridge bridge = new Bridge(config);
        try {
            bridge.start();
        } catch (MqttException e) {
            bridge.close();
            err.println("ingest: MQTT broker at " + config.mqttUrl() + ": " + e.getMessage() + " (reason code "
                    + e.getReasonCode() + ")");
            return 1;
        } catch (IOException | RuntimeException e) {
            bridge.close();
            err.println("ingest: cannot start: " + e.getMessage());
            return 1;
        }
        whileRunning.accept(bridge);
        return 0;
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
