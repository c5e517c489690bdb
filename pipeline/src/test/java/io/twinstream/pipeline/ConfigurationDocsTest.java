package io.twinstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.ingest.config.IngestConfig;
import io.twinstream.jobs.AlertsJobConfig;
import io.twinstream.jobs.MetricsJobConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md against the code: each component's table names exactly the keys the
 * component reads, and its pass-through prefix. A key added, renamed or removed without its row
 * following fails here.
 */
class ConfigurationDocsTest {

    private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");
    private static final Pattern CODE = Pattern.compile("`([a-z][a-z0-9.*-]*)`");

    @Test
    void shouldDocumentEveryKeyOfTheBridgeAndNoOther() throws IOException {
        assertThat(documentedKeys("## Ingest bridge")).isEqualTo(withPrefix(IngestConfig.keys(), "kafka.producer.*"));
    }

    @Test
    void shouldDocumentEveryKeyOfTheMetricsJobAndNoOther() throws IOException {
        assertThat(documentedKeys("## Metrics job")).isEqualTo(withPrefix(MetricsJobConfig.keys(), "kafka.client.*"));
    }

    @Test
    void shouldDocumentEveryKeyOfTheAlertsJobAndNoOther() throws IOException {
        assertThat(documentedKeys("## Alerts job")).isEqualTo(withPrefix(AlertsJobConfig.keys(), "kafka.client.*"));
    }

    private static Set<String> withPrefix(Set<String> keys, String passThrough) {
        Set<String> all = new TreeSet<>(keys);
        all.add(passThrough);
        return all;
    }

    /** The keys in the first column of the table under {@code heading}. */
    private static Set<String> documentedKeys(String heading) throws IOException {
        String page = Files.readString(REFERENCE);
        int start = page.indexOf("\n" + heading + "\n");
        assertThat(start).as(heading + " in " + REFERENCE).isNotNegative();
        int end = page.indexOf("\n## ", start + heading.length() + 2);
        Set<String> keys = new TreeSet<>();
        for (String line : page.substring(start, end < 0 ? page.length() : end).split("\n")) {
            if (!line.startsWith("| `")) {
                continue; // not a table row with keys (the header, the separator, prose)
            }
            Matcher key = CODE.matcher(line.split(" \\| ")[0]);
            while (key.find()) {
                keys.add(key.group(1));
            }
        }
        return keys;
    }
}
