package io.twinstream.model.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A component's configuration as text, read the same way for the bridge and both jobs: a properties
 * file, checked against the component's declared keys ({@link Setting}) and its pass-through prefix
 * (the Kafka client's own settings), then the environment ({@link EnvironmentVariables}), which
 * wins. Each component then reads its values through its declarations.
 */
public final class SettingValues {

    private SettingValues() {}

    /** The properties in {@code file}; none when it is null. */
    public static Properties file(Path file) throws IOException {
        Properties properties = new Properties();
        if (file != null) {
            try (Reader reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            }
        }
        return properties;
    }

    /**
     * The values {@code file} and {@code environment} give a component with {@code settings}: every
     * declared key, and every key under {@code passThrough} (e.g. {@code kafka.client.}), as
     * written; the environment's Kafka login goes to {@code passThrough + "sasl.jaas.config"}.
     *
     * @throws IllegalArgumentException naming the keys in the file that are neither, or a variable
     *     under {@code envPrefix} that sets no key
     */
    public static Map<String, String> read(
            Properties file,
            Map<String, String> environment,
            String envPrefix,
            List<Setting<?>> settings,
            String passThrough) {
        Set<String> keys = settings.stream().map(Setting::key).collect(Collectors.toUnmodifiableSet());
        Map<String, String> values = new HashMap<>();
        Set<String> unknown = new TreeSet<>();
        for (String key : file.stringPropertyNames()) {
            if (keys.contains(key) || (key.startsWith(passThrough) && key.length() > passThrough.length())) {
                values.put(key, file.getProperty(key));
            } else {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown configuration keys " + unknown + "; known: "
                    + new TreeSet<>(keys) + " and " + passThrough + "*");
        }
        values.putAll(EnvironmentVariables.read(environment, envPrefix, keys, passThrough + "sasl.jaas.config"));
        return values;
    }

    /** The keys under {@code prefix} in {@code values}, without it: what goes to a Kafka client as it is. */
    public static Map<String, String> passedThrough(Map<String, String> values, String prefix) {
        Map<String, String> passed = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                passed.put(key.substring(prefix.length()), value);
            }
        });
        return passed;
    }
}
