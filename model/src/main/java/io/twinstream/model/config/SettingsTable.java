package io.twinstream.model.config;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A component's settings as the configuration reference shows them: a Markdown table written from
 * the declarations ({@link Setting}), one row per key, with the environment variables that set it.
 * {@code docs/configuration.md} holds it between markers, and a test compares the two.
 */
public final class SettingsTable {

    private SettingsTable() {}

    /** The table of {@code settings} for a component whose own variables are {@code <prefix>_<KEY>}. */
    public static String markdown(String prefix, List<Setting<?>> settings) {
        Map<String, String> sharedByKey = EnvironmentVariables.SHARED.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getValue, Map.Entry::getKey));
        StringBuilder table = new StringBuilder();
        table.append("| key (file) | environment | default | meaning |\n");
        table.append("|---|---|---|---|\n");
        for (Setting<?> setting : settings) {
            String own = "`" + EnvironmentVariables.variable(prefix, setting.key()) + "`";
            String shared = sharedByKey.get(setting.key());
            table.append("| `")
                    .append(setting.key())
                    .append("` | ")
                    .append(shared == null ? own : "`" + shared + "`, " + own)
                    .append(" | ")
                    .append(setting.defaultText())
                    .append(" | ")
                    .append(setting.description())
                    .append(" |\n");
        }
        return table.toString();
    }
}
