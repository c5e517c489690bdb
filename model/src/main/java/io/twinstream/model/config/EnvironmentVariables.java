package io.twinstream.model.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A component's configuration keys as environment variables, the same way for the bridge and both
 * jobs: {@code <PREFIX>_<KEY>}, upper case, '.' and '-' as '_', without saying the prefix twice
 * ({@code ingest.max-future} under {@code INGEST} is {@code INGEST_MAX_FUTURE}, not
 * {@code INGEST_INGEST_MAX_FUTURE}; {@code kafka.bootstrap} is {@code INGEST_KAFKA_BOOTSTRAP}).
 *
 * <p>A variable under the prefix that names no key is refused, as an unknown key in a file is: a
 * typo ({@code INGEST_MQTT_CONECTIONS}) must stop the component, not be ignored while the setting
 * it meant keeps its default.
 */
public final class PrefixedVariables {

    private PrefixedVariables() {}

    /** The variable that sets {@code key} under {@code prefix}. */
    public static String variable(String prefix, String key) {
        String ownPrefix = prefix.toLowerCase(Locale.ROOT) + ".";
        String rest = key.startsWith(ownPrefix) ? key.substring(ownPrefix.length()) : key;
        return prefix + "_" + rest.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * The keys the environment sets under {@code prefix} (blank values count as unset).
     *
     * @throws IllegalArgumentException naming a variable under the prefix that sets no key, and the
     *     variable it most likely meant
     */
    public static Map<String, String> read(Map<String, String> environment, String prefix, Collection<String> keys) {
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
