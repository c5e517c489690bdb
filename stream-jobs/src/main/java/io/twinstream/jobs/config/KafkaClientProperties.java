package io.twinstream.jobs.config;

import java.io.Serializable;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What every Kafka client of a job takes on top of its bootstrap servers: the {@code kafka.client.*}
 * keys of its configuration without the prefix (SASL, TLS, tuning), given to the readings source,
 * every Kafka sink, the dead-letter producer and the topic check alike. Values of keys that hold
 * secrets ({@code sasl.jaas.config}, any {@code *password*}) never appear in {@link #toString()},
 * so a configuration printed or logged does not give them away.
 */
public final class KafkaClientProperties implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String PREFIX = "kafka.client.";
    public static final KafkaClientProperties NONE = new KafkaClientProperties(Map.of());

    private final TreeMap<String, String> values;

    public KafkaClientProperties(Map<String, String> values) {
        values.keySet().stream()
                .filter(key -> key.equals("bootstrap.servers"))
                .findAny()
                .ifPresent(key -> {
                    throw new IllegalArgumentException("set kafka.bootstrap, not " + PREFIX + key);
                });
        this.values = new TreeMap<>(values);
    }

    /** A fresh copy, for a client's configuration. */
    public Properties asProperties() {
        Properties properties = new Properties();
        properties.putAll(values);
        return properties;
    }

    /** A fresh copy with {@code bootstrap.servers} set, for a client made here. */
    public Map<String, Object> withBootstrap(String bootstrap) {
        Map<String, Object> config = new TreeMap<>(values);
        config.put("bootstrap.servers", bootstrap);
        return config;
    }

    static boolean secret(String key) {
        return key.equals("sasl.jaas.config") || key.contains("password") || key.contains("secret");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaClientProperties other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.entrySet().stream()
                .map(e -> e.getKey() + "=" + (secret(e.getKey()) ? "(hidden)" : e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
