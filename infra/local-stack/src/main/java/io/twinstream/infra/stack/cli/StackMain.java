package io.twinstream.infra.stack.cli;

import io.twinstream.infra.stack.KafkaTopics;
import io.twinstream.infra.stack.ServiceDefaults;
import io.twinstream.infra.stack.ServiceStack;
import io.twinstream.infra.stack.StackService;
import io.twinstream.infra.stack.local.FlinkJobManagerProcess;
import io.twinstream.infra.stack.local.FlinkSessionCluster;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.model.TopicCatalog;
import io.twinstream.model.cli.CommandLines;
import io.twinstream.model.cli.TwinstreamVersion;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code infra/bin/stack}: runs the service stack by hand, and measures how long it takes to start.
 *
 * <ul>
 *   <li>{@code up}: starts Mosquitto, Kafka and InfluxDB (and with {@code --flink N} a Flink session
 *       cluster), creates the pipeline's topics, prints the endpoints as environment variables the
 *       tests and tools understand, and stops them on Ctrl-C.</li>
 *   <li>{@code topics}: creates the pipeline's topics ({@link TopicCatalog}) on a Kafka cluster.</li>
 *   <li>{@code startup-benchmark [--runs N]}: starts and stops the local stack N times (default 3)
 *       and prints the start time of each run, the median, and each process's resident memory.</li>
 * </ul>
 */
@Command(
        name = "stack",
        mixinStandardHelpOptions = true,
        versionProvider = TwinstreamVersion.class,
        subcommands = StackMain.Topics.class,
        description = "Runs Twinstream's service stack (Mosquitto, Kafka, InfluxDB) on this machine.",
        footer = {
            "Environment: MQTT_URL, KAFKA_BOOTSTRAP, INFLUX_URL use these existing services instead of starting"
                    + " them; TWINSTREAM_BACKEND local | docker | auto (default: docker if an engine answers);"
                    + " TWINSTREAM_RUN_DIR the parent of the local services' run directories (default: tmp)."
        })
public final class StackMain {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        CommandLines.main(new StackMain(), args);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return CommandLines.execute(new StackMain(), out, err, args);
    }

    @Command(
            name = "up",
            mixinStandardHelpOptions = true,
            versionProvider = TwinstreamVersion.class,
            description = "Start the stack, create the pipeline's topics, print the endpoints, stop it on Ctrl-C.")
    int up(
            @Option(names = "--keep-data", description = "keep config, data and logs of local services after exit")
                    boolean keepData,
            @Option(
                            names = "--flink",
                            paramLabel = "N",
                            defaultValue = "0",
                            description = "also a Flink session cluster of N TaskManagers (2 slots each), each its"
                                    + " own JVM; prints its web UI (default ${DEFAULT-VALUE}: none)")
                    int taskManagers)
            throws InterruptedException {
        if (taskManagers < 0) {
            throw new ParameterException(
                    spec.subcommands().get("up"), "--flink must be at least 0, was " + taskManagers);
        }
        return up(keepData, taskManagers, spec.commandLine().getOut());
    }

    /** {@code topics}: a class of its own, so the launcher can offer it at its top level too. */
    @Command(
            name = "topics",
            mixinStandardHelpOptions = true,
            versionProvider = TwinstreamVersion.class,
            description = "Create the pipeline's Kafka topics that are missing (each with its partitions, replicas"
                    + " and configs) and list them.")
    public static final class Topics implements Callable<Integer> {

        @Option(
                names = "--kafka",
                paramLabel = "HOST:PORT,...",
                description = "the Kafka cluster (default: $KAFKA_BOOTSTRAP)")
        String kafka;

        @Option(names = "--list", description = "only print the catalog, contact no Kafka")
        boolean listOnly;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String bootstrap = kafka != null ? kafka : System.getenv("KAFKA_BOOTSTRAP");
            if (!listOnly && (bootstrap == null || bootstrap.isBlank())) {
                throw new ParameterException(
                        spec.commandLine(), "needs --kafka HOST:PORT (or KAFKA_BOOTSTRAP), or --list");
            }
            return topics(
                    bootstrap,
                    listOnly,
                    spec.commandLine().getOut(),
                    spec.commandLine().getErr());
        }
    }

    @Command(
            name = "startup-benchmark",
            mixinStandardHelpOptions = true,
            versionProvider = TwinstreamVersion.class,
            description = "Start and stop the local stack several times; print the start time (median) and the"
                    + " memory (RSS) of each process.")
    int startupBenchmark(
            @Option(
                            names = "--runs",
                            paramLabel = "N",
                            defaultValue = "3",
                            description = "runs (default ${DEFAULT-VALUE})")
                    int runs)
            throws IOException {
        if (runs < 1) {
            throw new ParameterException(
                    spec.subcommands().get("startup-benchmark"), "--runs must be at least 1, was " + runs);
        }
        return startupBenchmark(runs, spec.commandLine().getOut());
    }

    private static int up(boolean keep, int taskManagers, PrintWriter out) throws InterruptedException {
        LocalOptions local = LocalOptions.defaults().withKeepRunDir(keep);
        ServiceStack stack = ServiceStack.fromEnvironment(local);
        FlinkSessionCluster flink = taskManagers == 0
                ? null
                : new FlinkSessionCluster(
                        FlinkJobManagerProcess.Options.defaults().withLocal(local));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            out.println("Stopping the stack ...");
                            if (flink != null) {
                                flink.close();
                            }
                            stack.close();
                            stopped.countDown();
                        },
                        "stack-stop"));
        stack.startAll();
        List<String> created = stack.kafka().ensurePipelineTopics();
        if (flink != null) {
            flink.start(taskManagers);
        }
        out.println("Twinstream stack is up:");
        stack.describe().forEach(line -> out.println("  " + line));
        out.println("  topics: "
                + TopicCatalog.ALL.stream().map(TopicCatalog.Topic::name).toList()
                + (created.isEmpty() ? " (existed)" : " (created " + created + ")"));
        if (flink != null) {
            out.println("  " + flink + "  (submit with: flink run -m "
                    + flink.restUrl().replace("http://", "")
                    + " stream-jobs/target/twinstream-stream-jobs-*.jar metrics|alerts --config FILE)");
        }
        out.println();
        out.println("Point tools and tests at it with:");
        out.println("  export MQTT_URL=" + stack.mqtt().url());
        out.println("  export KAFKA_BOOTSTRAP=" + stack.kafka().bootstrapServers());
        out.println("  export INFLUX_URL=" + stack.influx().url() + "   # database " + ServiceDefaults.INFLUX_DATABASE);
        out.println();
        out.println("Ctrl-C stops it.");
        stopped.await();
        return 0;
    }

    /** Creates the catalog's missing topics on the given Kafka; lists each with what it was created with. */
    private static int topics(String bootstrap, boolean listOnly, PrintWriter out, PrintWriter err) {
        List<String> created = List.of();
        int brokers = 3;
        if (!listOnly) {
            try {
                KafkaTopics.Ensured ensured = KafkaTopics.ensure(bootstrap, TopicCatalog.ALL);
                brokers = ensured.brokers();
                created = ensured.created();
            } catch (Exception e) {
                err.println("Error: Kafka at " + bootstrap + ": " + e.getMessage());
                return 1;
            }
            out.printf("Kafka at %s, %d broker(s):%n", bootstrap, brokers);
        }
        for (TopicCatalog.Topic topic : TopicCatalog.ALL) {
            String state = listOnly ? "" : created.contains(topic.name()) ? "created  " : "exists   ";
            out.printf(
                    "  %s%-22s %d partition(s), %d replica(s), %s  %s%n",
                    state,
                    topic.name(),
                    topic.partitions(),
                    topic.replicasOn(brokers),
                    topic.configsOn(brokers),
                    topic.purpose());
        }
        return 0;
    }

    private static int startupBenchmark(int runs, PrintWriter out) throws IOException {
        out.printf(
                "Local stack start-up, %d runs (mosquitto, Kafka %s, influxd), %d cores, Java %s%n",
                runs,
                io.twinstream.infra.stack.local.KafkaProcess.kafkaVersion(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        List<Long> totals = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            try (ServiceStack stack = ServiceStack.local(LocalOptions.defaults())) {
                long t0 = System.nanoTime();
                stack.mqtt();
                long t1 = System.nanoTime();
                stack.kafka();
                long t2 = System.nanoTime();
                stack.influx();
                long t3 = System.nanoTime();
                totals.add((t3 - t0) / 1_000_000);
                out.printf(
                        "run %d: total %5d ms  (mosquitto %4d ms, kafka %5d ms, influxd %4d ms)%n",
                        run,
                        (t3 - t0) / 1_000_000,
                        (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000,
                        (t3 - t2) / 1_000_000);
                if (run == runs) {
                    printMemory(stack.localPids(), out);
                }
            }
        }
        List<Long> sorted = new ArrayList<>(totals);
        sorted.sort(Long::compare);
        out.printf("median start-up: %d ms (runs: %s)%n", sorted.get(sorted.size() / 2), totals);
        return 0;
    }

    private static void printMemory(Map<StackService, Long> pids, PrintWriter out) throws IOException {
        long total = 0;
        for (Map.Entry<StackService, Long> entry : pids.entrySet()) {
            long rssKb = residentKb(entry.getValue());
            total += rssKb;
            out.printf("memory: %-6s PID %-7d RSS %6d MB%n", entry.getKey(), entry.getValue(), rssKb / 1024);
        }
        out.printf("memory: total RSS %d MB, right after start-up%n", total / 1024);
    }

    /** VmRSS from /proc (Linux); 0 where there is no /proc. */
    private static long residentKb(long pid) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        if (!Files.exists(status)) {
            return 0;
        }
        return Files.readAllLines(status).stream()
                .filter(line -> line.startsWith("VmRSS:"))
                .map(line -> Long.parseLong(line.replaceAll("\\D", "")))
                .findFirst()
                .orElse(0L);
    }
}
