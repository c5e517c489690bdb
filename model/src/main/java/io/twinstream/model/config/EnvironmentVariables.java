package io.twinstream.model.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A component's configuration from the environment, the same way for the bridge and both jobs.
 *
 * <p>First the variables every component shares, unprefixed, for the keys it has: {@code MQTT_URL},
 * {@code MQTT_USERNAME}, {@code MQTT_PASSWORD}, {@code KAFKA_BOOTSTRAP}, {@code INFLUX_URL}, and
 * {@code KAFKA_SASL_JAAS_CONFIG} (Kafka's one secret, kept out of files if wished). Then its own
 * keys, which win: {@code <PREFIX>_<KEY>}, upper case, '.' and '-' as '_', without saying the prefix twice
 * ({@code ingest.max-future} under {@code INGEST} is {@code INGEST_MAX_FUTURE}, not
 * {@code INGEST_INGEST_MAX_FUTURE}; {@code kafka.bootstrap} is {@code INGEST_KAFKA_BOOTSTRAP}).
 *
 * <p>A variable under the prefix that names no key is refused, as an unknown key in a file is: a
 * typo ({@code INGEST_MQTT_CONECTIONS}) must stop the component, not be ignored while the setting
 * it meant keeps its default.
 */
public final class EnvironmentVariables {

    /**
     * The variables every component reads without a prefix (so do the simulator and the demo), by the
     * key each sets.
     */
    public static final Map<String, String> SHARED = Map.of(
            "MQTT_URL", "mqtt.url",
            "MQTT_USERNAME", "mqtt.username",
            "MQTT_PASSWORD", "mqtt.password",
            "KAFKA_BOOTSTRAP", "kafka.bootstrap",
            "INFLUX_URL", "influx.url");

    /** The Kafka clients' login, a JAAS line, shared by every component that talks to Kafka. */
    public static final String KAFKA_LOGIN = "KAFKA_SASL_JAAS_CONFIG";

    private EnvironmentVariables() {}

    /**
     * What the environment sets for a component with {@code keys}: the {@link #SHARED} variables
     * for the keys it has, {@link #KAFKA_LOGIN} as {@code kafkaLoginKey} (its Kafka client's
     * {@code sasl.jaas.config}), then {@code <PREFIX>_<KEY>} for any key, which wins. Blank values
     * count as unset.
     *
     * @throws IllegalArgumentException naming a variable under the prefix that sets no key
     */
    public static Map<String, String> read(
            Map<String, String> environment, String prefix, Collection<String> keys, String kafkaLoginKey) {
        Map<String, String> values = new HashMap<>();
        SHARED.forEach((variable, key) -> {
            String value = environment.get(variable);
            if (keys.contains(key) && value != null && !value.isBlank()) {
                values.put(key, value);
            }
        });
        String login = environment.get(KAFKA_LOGIN);
        if (login != null && !login.isBlank()) {
            values.put(kafkaLoginKey, login);
        }
        values.putAll(read(environment, prefix, keys));
        return values;
    }

    /** The variable that sets {@code key} under {@code prefix}. */
    public static String variable(String prefix, String key) {
        String ownPrefix = prefix.toLowerCase(Locale.ROOT) + ".";
        String rest = key.startsWith(ownPrefix) ? key.substring(ownPrefix.length()) : key;
        return prefix + "_" + rest.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * The keys the environment sets under {@code prefix}, alone (blank values count as unset).
     *
     * @throws IllegalArgumentException naming a variable under the prefix that sets no key, and the
     *     variable it most likely meant
     */
    private static Map<String, String> read(Map<String, String> environment, String prefix, Collection<String> keys) {
        Map<String, String> byVariable = new HashMap<>();
        keys.forEach(key -> byVariable.put(variable(prefix, key), key));
        Map<String, String> values = new HashMap<>();
        TreeSet<String> unknown = new TreeSet<>();
        environment.forEach((name, value) -> {
            if (!name.startsWith(prefix + "_")) {
                return;
            }
            String key = byVariable.get(name);
            if (key == null) {
                unknown.add(name);
            } else if (value != null && !value.isBlank()) {
                values.put(key, value);
            }
        });
        if (!unknown.isEmpty()) {
            String first = unknown.first();
            throw new IllegalArgumentException("unknown environment variable" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + ": no " + prefix + " setting has that name (did you mean "
                    + nearest(first, byVariable.keySet()) + "?); each key k is " + prefix + "_K, e.g. "
                    + variable(prefix, keys.iterator().next()));
        }
        return values;
    }

    /** The known name fewest edits away. */
    private static String nearest(String name, Collection<String> known) {
        return known.stream()
                .min(Comparator.comparingInt((String candidate) -> distance(name, candidate))
                        .thenComparing(Comparator.naturalOrder()))
                .orElse("");
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
