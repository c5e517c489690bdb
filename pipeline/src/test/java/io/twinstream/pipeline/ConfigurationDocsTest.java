package io.twinstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.ingest.config.IngestConfig;
import io.twinstream.jobs.alerts.AlertsJobConfig;
import io.twinstream.jobs.metrics.MetricsJobConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md against the code: each component's table of keys is the one its
 * declarations write ({@code Setting}: key, environment variables, default, meaning), between
 * markers. A key added, renamed, removed, given another default or another meaning without the
 * reference following fails here; {@code -Dtwinstream.docs.write=true} writes the tables anew (then
 * review the diff).
 */
class ConfigurationDocsTest {

    private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");
    private static final String END = "<!-- end of the table -->\n";

    @Test
    void shouldDocumentTheBridgesKeysAsDeclared() throws IOException {
        assertTableOf("ingest", IngestConfig.settingsTable());
    }

    @Test
    void shouldDocumentTheMetricsJobsKeysAsDeclared() throws IOException {
        assertTableOf("metrics", MetricsJobConfig.settingsTable());
    }

    @Test
    void shouldDocumentTheAlertsJobsKeysAsDeclared() throws IOException {
        assertTableOf("alerts", AlertsJobConfig.settingsTable());
    }

    private static void assertTableOf(String component, String declared) throws IOException {
        String begin = "<!-- the keys of " + component
                + ", written from their declarations: ConfigurationDocsTest, -Dtwinstream.docs.write=true -->\n";
        String page = Files.readString(REFERENCE);
        int start = page.indexOf(begin);
        assertThat(start)
                .as("the marker of " + component + "'s table in " + REFERENCE)
                .isNotNegative();
        int from = start + begin.length();
        int to = page.indexOf(END, from);
        assertThat(to).as("the end of " + component + "'s table").isGreaterThan(from);
        if (Boolean.getBoolean("twinstream.docs.write")) {
            page = page.substring(0, from) + declared + page.substring(to);
            Files.writeString(REFERENCE, page);
            to = from + declared.length();
        }
        assertThat(page.substring(from, to))
                .as(component + "'s table in " + REFERENCE + " against the declarations"
                        + " (-Dtwinstream.docs.write=true rewrites it)")
                .isEqualTo(declared);
    }
}
