package io.twinstream.infra.stack.local;

import io.twinstream.infra.stack.KafkaBroker;
import io.twinstream.infra.stack.KafkaTopics;
import io.twinstream.infra.stack.ServiceStartException;
import io.twinstream.model.TopicCatalog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka 4.2 (KRaft, combined broker and controller) as its own JVM, from the
 * jars Maven resolved for {@code twinstream-kafka-runtime}: storage formatted with
 * {@code kafka.tools.StorageTool format --standalone}, then {@code kafka.Kafka server.properties}.
 * Healthy once it answers a metadata request (describe cluster) with itself as a node.
 *
 * <p>Broker settings that differ from Kafka's defaults, and why: replication factors of 1 (one
 * node); {@code auto.create.topics.enable=false} (a misspelled topic is an error);
 * {@code log.retention.ms=-1} (replayed or simulated data stamped days ago would otherwise be
 * deleted within minutes); {@code group.initial.rebalance.delay.ms=0} (consumers start at once).
 */
public final class KafkaProcess extends LocalService implements KafkaBroker {

    static final String CLASSPATH_RESOURCE = "/io/twinstream/infra/kafka/kafka-broker.classpath";
    private static final String HOST = "127.0.0.1";

    private final Options options;
    /** Null for a single node; else this node's place in a {@link KafkaCluster}. */
    private final KafkaCluster.Membership membership;

    private int port;
    private int controllerPort;
    /** The SASL listener's port, 0 without one. */
    private int saslPort;

    /**
     * @param port         0 (default) for a free port; the controller always gets a free port
     * @param maxHeap      the broker JVM's {@code -Xmx} (default 512m; Kafka's own scripts use 1g)
     * @param local        run directory and start-up timeout
     * @param saslUser     with {@code saslPassword}: a second listener, SASL_PLAINTEXT with PLAIN,
     *                     that takes this one login ({@link #saslBootstrapServers()}); null for none.
     *                     The plain listener stays, for the health check and the tests' set-up
     */
    public record Options(int port, String maxHeap, LocalOptions local, String saslUser, String saslPassword) {
        public Options {
            if ((saslUser == null) != (saslPassword == null)
                    || (saslUser != null && !saslUser.matches("[A-Za-z0-9_-]+"))
                    || (saslPassword != null && !saslPassword.matches("[A-Za-z0-9_-]+"))) {
                throw new IllegalArgumentException(
                        "a SASL login is a user and a password, letters, digits, '_' and '-'");
            }
            Objects.requireNonNull(local, "local");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            if (maxHeap == null || !maxHeap.matches("\\d+[kKmMgG]")) {
                throw new IllegalArgumentException("maxHeap must look like 512m or 1g, was " + maxHeap);
            }
        }

        public static Options defaults() {
            return new Options(0, "512m", LocalOptions.defaults(), null, null);
        }

        public Options withPort(int newPort) {
            return new Options(newPort, maxHeap, local, saslUser, saslPassword);
        }

        public Options withLocal(LocalOptions newLocal) {
            return new Options(port, maxHeap, newLocal, saslUser, saslPassword);
        }

        public Options withSasl(String user, String password) {
            return new Options(port, maxHeap, local, user, password);
        }
    }

    public KafkaProcess(Options options) {
        super("kafka", options.local());
        this.options = options;
        this.membership = null;
        this.port = options.port();
        this.controllerPort = FreePorts.pick();
        if (port == 0) {
            port = FreePorts.pick();
        }
        if (options.saslUser() != null) {
            saslPort = FreePorts.pick();
        }
    }

    /** A node of a {@link KafkaCluster}: its ports are the cluster's choice, fixed (the voters name them). */
    KafkaProcess(KafkaCluster.Membership membership, Options options) {
        super("kafka-" + membership.nodeId(), options.local());
        this.options = options;
        this.membership = membership;
        this.port = membership.port();
        this.controllerPort = membership.controllerPort();
    }

    /** This node's id: 1 for a single node, else its place in its cluster. */
    public int nodeId() {
        return membership == null ? 1 : membership.nodeId();
    }

    @Override
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    /** The SASL_PLAINTEXT listener's address; only with {@link Options#withSasl}. */
    public String saslBootstrapServers() {
        if (options.saslUser() == null) {
            throw new IllegalStateException("this Kafka has no SASL listener (Options.withSasl)");
        }
        return HOST + ":" + saslPort;
    }

    public int controllerPort() {
        return controllerPort;
    }

    @Override
    public String description() {
        return "local Kafka " + kafkaVersion() + " on " + bootstrapServers() + pidSuffix();
    }

    @Override
    protected void choosePorts() {
        if (membership != null) {
            return;
        }
        if (options.port() == 0) {
            port = FreePorts.pick();
        }
        controllerPort = FreePorts.pick();
        if (options.saslUser() != null) {
            saslPort = FreePorts.pick();
        }
    }

    @Override
    protected boolean portsFixed() {
        return membership != null || options.port() != 0;
    }

    @Override
    protected void prepare(boolean firstStart) throws IOException {
        write(file("server.properties"), serverProperties());
        write(file("log4j2.properties"), LOG4J2_PROPERTIES);
        if (firstStart) {
            // The voter set written by --standalone names the controller's port: reformat on new ports.
            deleteTree(file("data"));
            formatStorage();
        }
    }

    private String serverProperties() {
        // Internal topics (offsets, transactions) and topics created without a replication factor:
        // replicated and acknowledged as the pipeline's own topics are (TopicCatalog).
        int replicas = TopicCatalog.copies(TopicCatalog.REPLICAS, membership == null ? 1 : membership.clusterSize());
        int minInSync = TopicCatalog.minInSync(replicas);
        String sasl = options.saslUser() == null ? "" : ",SASL_PLAINTEXT://" + HOST + ":" + saslPort;
        return String.join(
                "\n",
                "# Generated by Twinstream's local stack; rewritten on every start.",
                "process.roles=broker,controller",
                "node.id=" + nodeId(),
                membership == null
                        ? "controller.quorum.bootstrap.servers=" + HOST + ":" + controllerPort
                        : "controller.quorum.voters=" + membership.voters(),
                "listeners=PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort + sasl,
                "advertised.listeners=PLAINTEXT://" + HOST + ":" + port + sasl,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
                options.saslUser() == null ? "" : "sasl.enabled.mechanisms=PLAIN",
                options.saslUser() == null
                        ? ""
                        : "listener.name.sasl_plaintext.plain.sasl.jaas.config="
                                + "org.apache.kafka.common.security.plain.PlainLoginModule required user_"
                                + options.saslUser()
                                + "=\"" + options.saslPassword() + "\";",
                "log.dirs=" + file("data"),
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "log.retention.ms=-1",
                "default.replication.factor=" + replicas,
                "min.insync.replicas=" + minInSync,
                "offsets.topic.replication.factor=" + replicas,
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=" + replicas,
                "transaction.state.log.min.isr=" + minInSync,
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=" + replicas,
                "share.coordinator.state.topic.min.isr=" + minInSync,
                // A node killed and restarted rejoins quickly; leaders move back to it.
                "unclean.leader.election.enable=false",
                "group.initial.rebalance.delay.ms=0",
                "");
    }

    private void formatStorage() throws IOException {
        List<String> format = new ArrayList<>(javaCommand());
        format.addAll(List.of("kafka.tools.StorageTool", "format"));
        if (membership == null) {
            format.add("--standalone"); // a dynamic quorum of this one controller
        }
        format.addAll(List.of(
                "--cluster-id",
                membership == null ? Uuid.randomUuid().toString() : membership.clusterId(),
                "--config",
                file("server.properties").toString()));
        Process process = new ProcessBuilder(format)
                .directory(runDir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                .start();
        try {
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("formatting Kafka storage took more than 2 minutes");
            }
            if (process.exitValue() != 0) {
                throw new IOException("formatting Kafka storage failed (exit " + process.exitValue() + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while formatting Kafka storage", e);
        }
    }

    @Override
    protected List<String> command() throws IOException {
        List<String> command = new ArrayList<>(javaCommand());
        command.add("kafka.Kafka");
        command.add(file("server.properties").toString());
        return command;
    }

    private List<String> javaCommand() throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return List.of(
                java.toString(),
                "-Xms128m",
                "-Xmx" + options.maxHeap(),
                "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20",
                "-XX:+ExplicitGCInvokesConcurrent",
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + file("log4j2.properties"),
                "-cp",
                brokerClasspath());
    }

    @Override
    protected boolean isHealthy() {
        if (!FreePorts.isListening(port)) {
            return false;
        }
        try {
            return !KafkaTopics.describeCluster(bootstrapServers(), Duration.ofSeconds(5))
                    .isEmpty();
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceStartException("interrupted while waiting for Kafka", e);
        }
    }

    /**
     * The broker's classpath, as recorded by the twinstream-kafka-runtime build.
     *
     * @throws ServiceStartException if the record is missing or names jars that are gone
     */
    static String brokerClasspath() {
        return RecordedClasspath.read(CLASSPATH_RESOURCE, "Kafka broker", "twinstream-kafka-runtime");
    }

    /** The Kafka version of the broker jars, read once from the kafka_2.13 jar's name. */
    public static synchronized String kafkaVersion() {
        if (kafkaVersion == null) {
            kafkaVersion = versionOfBrokerJar();
        }
        return kafkaVersion;
    }

    private static String kafkaVersion;

    private static String versionOfBrokerJar() {
        return Arrays.stream(brokerClasspath().split(java.io.File.pathSeparator))
                .map(entry -> Path.of(entry).getFileName().toString())
                .filter(name -> name.startsWith("kafka_2.13-") && name.endsWith(".jar"))
                .map(name -> name.substring("kafka_2.13-".length(), name.length() - ".jar".length()))
                .findFirst()
                .orElse("unknown");
    }

    private static final String LOG4J2_PROPERTIES = String.join(
            "\n",
            "# Generated by Twinstream's local stack: broker logs go to stdout, which is the service log.",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = OUT",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.out.ref = OUT",
            "logger.controller.name = org.apache.kafka.controller",
            "logger.controller.level = WARN",
            "logger.coordinator.name = org.apache.kafka.coordinator",
            "logger.coordinator.level = WARN",
            "logger.request.name = kafka.request.logger",
            "logger.request.level = WARN",
            "logger.state.name = state.change.logger",
            "logger.state.level = WARN",
            "");

    @Override
    public String toString() {
        return description();
    }
}
