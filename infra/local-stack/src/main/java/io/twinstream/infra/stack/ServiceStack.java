package io.twinstream.infra.stack;

import io.twinstream.infra.stack.docker.DockerEngine;
import io.twinstream.infra.stack.docker.InfluxContainer;
import io.twinstream.infra.stack.docker.KafkaContainerBroker;
import io.twinstream.infra.stack.docker.MosquittoContainer;
import io.twinstream.infra.stack.external.ExternalInfluxServer;
import io.twinstream.infra.stack.external.ExternalKafkaBroker;
import io.twinstream.infra.stack.external.ExternalMqttBroker;
import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.LocalService;
import io.twinstream.infra.stack.local.MosquittoProcess;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT broker, Kafka and InfluxDB a test or the demo runs against, each started on first use
 * from the {@link Backend} chosen for it, and stopped by {@link #close()} (services it did not
 * start are left alone). Thread-safe.
 *
 * <pre>{@code
 * try (ServiceStack stack = ServiceStack.fromEnvironment()) {
 *     String bootstrap = stack.kafka().bootstrapServers();
 * }
 * }</pre>
 */
public final class ServiceStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceStack.class);

    private final Map<String, String> settings;
    private final BooleanSupplier dockerAvailable;
    private final LocalOptions localOptions;
    private final Map<StackService, AutoCloseable> started = new EnumMap<>(StackService.class);
    private Boolean dockerAnswer;
    private boolean closed;

    ServiceStack(Map<String, String> settings, BooleanSupplier dockerAvailable, LocalOptions localOptions) {
        this.settings = Map.copyOf(settings);
        this.dockerAvailable = dockerAvailable;
        this.localOptions = localOptions;
    }

    /** A stack configured by environment variables, overridden by system properties of the same names. */
    public static ServiceStack fromEnvironment() {
        return fromEnvironment(LocalOptions.defaults());
    }

    public static ServiceStack fromEnvironment(LocalOptions localOptions) {
        Map<String, String> settings = currentSettings();
        return new ServiceStack(settings, () -> DockerEngine.isAvailable(settings), localOptions);
    }

    /** A stack of local processes only, whatever the environment says. */
    public static ServiceStack local(LocalOptions localOptions) {
        return new ServiceStack(Map.of(Backend.BACKEND_VARIABLE, "local"), () -> false, localOptions);
    }

    /** Environment variables, with system properties of the same names taking precedence. */
    public static Map<String, String> currentSettings() {
        Map<String, String> settings = new HashMap<>(System.getenv());
        System.getProperties().forEach((key, value) -> settings.put(key.toString(), value.toString()));
        return settings;
    }

    /** Starts every service now rather than on first use. */
    public ServiceStack startAll() {
        mqtt();
        kafka();
        influx();
        return this;
    }

    public synchronized MqttBroker mqtt() {
        return (MqttBroker) started.computeIfAbsent(StackService.MQTT, service -> switch (backendFor(service)) {
            case EXTERNAL ->
                ExternalMqttBroker.connect(
                        settings.get(service.endpointVariable()),
                        settings.get("MQTT_USERNAME"),
                        settings.get("MQTT_PASSWORD"));
            case DOCKER -> MosquittoContainer.start();
            case LOCAL ->
                startLocal(
                        new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(localOptions)));
        });
    }

    public synchronized KafkaBroker kafka() {
        return (KafkaBroker) started.computeIfAbsent(StackService.KAFKA, service -> switch (backendFor(service)) {
            case EXTERNAL -> ExternalKafkaBroker.connect(settings.get(service.endpointVariable()));
            case DOCKER -> KafkaContainerBroker.start(KafkaProcess.kafkaVersion());
            case LOCAL ->
                startLocal(new KafkaProcess(KafkaProcess.Options.defaults().withLocal(localOptions)));
        });
    }

    public synchronized InfluxServer influx() {
        return (InfluxServer) started.computeIfAbsent(StackService.INFLUX, service -> switch (backendFor(service)) {
            case EXTERNAL -> ExternalInfluxServer.connect(settings.get(service.endpointVariable()));
            case DOCKER -> InfluxContainer.start();
            case LOCAL ->
                startLocal(new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(localOptions)));
        });
    }

    /** The backend a service gets (or got) in this stack. */
    public synchronized Backend backendFor(StackService service) {
        if (closed) {
            throw new IllegalStateException("this stack is closed");
        }
        return Backend.choose(service, settings, this::dockerAvailable);
    }

    /** PIDs of the local processes this stack started and that still run, for leak checks and measurements. */
    public synchronized Map<StackService, Long> localPids() {
        Map<StackService, Long> pids = new EnumMap<>(StackService.class);
        started.forEach((service, handle) -> {
            if (handle instanceof LocalService local) {
                OptionalLong pid = local.pid();
                pid.ifPresent(p -> pids.put(service, p));
            }
        });
        return pids;
    }

    /** One line per started service: what it is and where. */
    public synchronized List<String> describe() {
        List<String> lines = new ArrayList<>();
        started.forEach((service, handle) -> lines.add(service + ": " + describe(handle)));
        return lines;
    }

    private static String describe(AutoCloseable handle) {
        if (handle instanceof MqttBroker broker) {
            return broker.description();
        }
        if (handle instanceof KafkaBroker broker) {
            return broker.description();
        }
        if (handle instanceof InfluxServer server) {
            return server.description();
        }
        return handle.toString();
    }

    /** Stops what this stack started, in reverse order of start; reports every failure. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<AutoCloseable> handles = new ArrayList<>(started.values());
        java.util.Collections.reverse(handles);
        RuntimeException failure = null;
        for (AutoCloseable handle : handles) {
            try {
                handle.close();
            } catch (Exception e) {
                LOG.error("stopping {} failed", describe(handle), e);
                if (failure == null) {
                    failure = new IllegalStateException("stopping the stack failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        started.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private <T extends LocalService> T startLocal(T service) {
        try {
            service.start();
            return service;
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    private boolean dockerAvailable() {
        if (dockerAnswer == null) {
            dockerAnswer = dockerAvailable.getAsBoolean();
            LOG.info(
                    "Docker engine {}: services not named by environment variables will run as {}",
                    dockerAnswer ? "found" : "not found",
                    dockerAnswer ? "containers" : "local processes");
        }
        return dockerAnswer;
    }
}
