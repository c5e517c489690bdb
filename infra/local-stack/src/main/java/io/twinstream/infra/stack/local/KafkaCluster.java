package io.twinstream.infra.stack.local;

import io.twinstream.infra.stack.KafkaBroker;
import io.twinstream.infra.stack.ServiceStartException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka cluster of N KRaft nodes on this machine, each its own JVM (broker and controller in one,
 * a static quorum of all N controllers), as a production cluster is laid out: internal topics (the
 * consumer offsets, the transaction log) and topics created without a replication factor get 3
 * replicas (at most N) and {@code min.insync.replicas} 2, so a node may die and producers with
 * {@code acks=all}, transactions and consumers go on. {@link #nodes()} gives the nodes to kill and
 * restart in fault tests.
 */
public final class KafkaCluster implements KafkaBroker {

    /** A node's place in the cluster: what its {@code server.properties} and storage format need. */
    record Membership(int nodeId, int clusterSize, int port, int controllerPort, String voters, String clusterId) {}

    private final List<KafkaProcess> nodes = new ArrayList<>();

    /** @param size nodes (3 for a quorum that survives one lost) */
    public KafkaCluster(int size, KafkaProcess.Options options) {
        if (size < 1) {
            throw new IllegalArgumentException("a Kafka cluster needs at least 1 node, was " + size);
        }
        int[] ports = IntStream.range(0, size).map(i -> FreePorts.pick()).toArray();
        int[] controllerPorts =
                IntStream.range(0, size).map(i -> FreePorts.pick()).toArray();
        String voters = IntStream.range(0, size)
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts[i])
                .collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        for (int i = 0; i < size; i++) {
            nodes.add(new KafkaProcess(
                    new Membership(i + 1, size, ports[i], controllerPorts[i], voters, clusterId), options));
        }
    }

    /**
     * Starts every node side by side (a controller quorum forms only with a majority up); returns
     * when each answers as a broker.
     */
    public KafkaCluster start() {
        // A thread per node, not a parallel stream: on a small machine the common pool may run the
        // starts one after another, and the first would wait for a quorum that never forms.
        ExecutorService starting = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<?>> started =
                    nodes.stream().map(node -> starting.submit(node::start)).collect(Collectors.toList());
            for (Future<?> node : started) {
                node.get();
            }
        } catch (ExecutionException e) {
            close();
            throw e.getCause() instanceof RuntimeException r
                    ? r
                    : new ServiceStartException("Kafka cluster did not start", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new ServiceStartException("interrupted while starting the Kafka cluster", e);
        } finally {
            starting.shutdownNow();
        }
        return this;
    }

    public List<KafkaProcess> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public String bootstrapServers() {
        return nodes.stream().map(KafkaProcess::bootstrapServers).collect(Collectors.joining(","));
    }

    @Override
    public String description() {
        return "local Kafka " + KafkaProcess.kafkaVersion() + " cluster of " + nodes.size() + " nodes on "
                + bootstrapServers();
    }

    @Override
    public void close() {
        nodes.parallelStream().forEach(KafkaProcess::close);
    }

    @Override
    public String toString() {
        return description();
    }
}
