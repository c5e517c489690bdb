package io.twinstream.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Every Kafka topic of the pipeline, declared once: the local stack, the demo, the {@code topics}
 * command and the tests create them from here, Docker Compose's {@code kafka-init} is checked
 * against it, and the jobs refuse to start without theirs (no topic is ever auto-created).
 *
 * <p>Replication is what a production cluster wants (3 copies, writes acknowledged by 2, so one
 * broker may die); {@link Topic#replicasOn(int)} and {@link Topic#configsOn(int)} fit it to a smaller
 * cluster (a laptop's single broker keeps 1 copy, {@code min.insync.replicas} 1). Retention is
 * unlimited on the topics that are replayed: readings carry their devices' timestamps, which may
 * lie far in the past (a replay, a simulation of another day), and time-based retention would
 * delete them within minutes.
 */
public final class TopicCatalog {

    /**
     * One topic.
     *
     * @param name        the topic's name
     * @param partitions  its partitions (the jobs' parallelism is bounded by the readings' partitions)
     * @param replicas    copies on a cluster of at least as many brokers
     * @param configs     topic-level configs besides {@code min.insync.replicas}
     * @param purpose     what it carries, for listings
     */
    public record Topic(String name, int partitions, int replicas, Map<String, String> configs, String purpose) {
        public Topic {
            Objects.requireNonNull(name, "name");
            if (partitions < 1 || replicas < 1) {
                throw new IllegalArgumentException(name + ": partitions and replicas must be at least 1");
            }
            configs = Map.copyOf(configs);
        }

        /** Copies on a cluster of {@code brokers} brokers: as many as declared, at most one per broker. */
        public int replicasOn(int brokers) {
            return copies(replicas, brokers);
        }

        /** The configs to create it with on {@code brokers} brokers, {@link #minInSync} included. */
        public Map<String, String> configsOn(int brokers) {
            Map<String, String> all = new java.util.TreeMap<>(configs);
            all.put("min.insync.replicas", Integer.toString(minInSync(replicasOn(brokers))));
            return all;
        }
    }

    /** Writes acknowledged by this many copies (when there are more than that). */
    public static final int MIN_IN_SYNC = 2;
    /** Copies of each topic on a cluster large enough: the pipeline's and Kafka's internal ones. */
    public static final int REPLICAS = 3;

    /** {@code wanted} copies fitted to a cluster of {@code brokers}: at most one per broker, at least 1. */
    public static int copies(int wanted, int brokers) {
        return Math.max(1, Math.min(wanted, brokers));
    }

    /**
     * {@code min.insync.replicas} for a topic of {@code copies}: all but one, at most {@link
     * #MIN_IN_SYNC}, at least 1.
     */
    public static int minInSync(int copies) {
        return Math.max(1, Math.min(copies - 1, MIN_IN_SYNC));
    }

    private static final Map<String, String> KEEP_FOREVER = Map.of("retention.ms", "-1");

    public static final Topic READINGS = new Topic(
            "telemetry.readings",
            3,
            REPLICAS,
            KEEP_FOREVER,
            "normalized readings (key deviceId), written by ingest, read by both jobs");
    public static final Topic DEADLETTER = new Topic(
            "telemetry.deadletter",
            1,
            REPLICAS,
            KEEP_FOREVER,
            "what ingest could not read: original bytes and the reason");
    public static final Topic LATE = new Topic(
            "telemetry.late",
            1,
            REPLICAS,
            KEEP_FOREVER,
            "readings too late for their windows, written by the metrics job");
    public static final Topic ALERTS = new Topic(
            "telemetry.alerts", 1, REPLICAS, KEEP_FOREVER, "alert transitions (JSON), written by the alerts job");
    public static final Topic RULES = new Topic(
            "telemetry.rules",
            1,
            REPLICAS,
            Map.of("cleanup.policy", "compact"),
            "the alert rules file in force (compacted: the last one stays)");

    /** All of them, in the order of the data flow. */
    public static final List<Topic> ALL = List.of(READINGS, DEADLETTER, LATE, ALERTS, RULES);

    private TopicCatalog() {}

    /** The topic named {@code name}. */
    public static Topic named(String name) {
        return ALL.stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no topic " + name + " in the catalog; it has "
                        + ALL.stream().map(Topic::name).collect(Collectors.joining(", "))));
    }
}
