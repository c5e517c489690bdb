package io.twinstream.infra.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README is the front door and {@code docs/} the rest of the house: every relative link in
 * them leads to a file that exists and, with a {@code #fragment}, to a heading in it, so a moved or
 * renamed page breaks the build instead of a newcomer's walk. And the README stays a front door:
 * the screenshot and the two commands near its top, about 150 lines in all.
 */
class DocsLinksTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent().getParent();
    /** {@code [text](target)} and {@code ![alt](target)}, the target up to a space or ')'. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$", Pattern.MULTILINE);

    @Test
    void shouldLeadEveryRelativeLinkToAFileAndHeadingThatExist() {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            Matcher link = LINK.matcher(read(page));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue; // http(s), mailto: not this test's to check
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path linked =
                        file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!Files.exists(linked)) {
                    broken.add(ROOT.relativize(page) + ": " + target + " (no such file)");
                } else if (hash >= 0 && !anchors(linked).contains(target.substring(hash + 1))) {
                    broken.add(ROOT.relativize(page) + ": " + target + " (no such heading in " + ROOT.relativize(linked)
                            + ")");
                }
            }
        }
        assertThat(broken).as("links that lead nowhere").isEmpty();
    }

    @Test
    void shouldOpenTheReadmeWithTheScreenshotAndTheTwoCommands() {
        List<String> lines = read(ROOT.resolve("README.md")).lines().toList();
        List<String> top = lines.subList(0, Math.min(40, lines.size()));
        assertThat(top)
                .as("the live page's screenshot in the README's first 40 lines")
                .anyMatch(line -> line.startsWith("![") && line.contains("docs/images/"));
        assertThat(top)
                .as("the two commands in the README's first 40 lines")
                .anyMatch(line -> line.contains("`infra/bin/demo`"))
                .anyMatch(line -> line.contains("`infra/bin/test`"));
        assertThat(lines)
                .as("the README is a front door, about 150 lines; the rest belongs in docs/")
                .hasSizeLessThanOrEqualTo(170);
    }

    @Test
    void shouldTakeAHeadingsAnchorAsGitHubMakesIt() {
        assertThat(anchor("Ingest bridge")).isEqualTo("ingest-bridge");
        assertThat(anchor("Hostile input: what one bad client can and cannot do"))
                .isEqualTo("hostile-input-what-one-bad-client-can-and-cannot-do");
        assertThat(anchor("Ingest: MQTT → Kafka")).isEqualTo("ingest-mqtt--kafka");
        assertThat(anchor("The `final` field")).isEqualTo("the-final-field");
    }

    private static List<Path> pages() {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("CHANGELOG.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    /** The anchors GitHub gives a page's headings (repeated headings get -1, -2, ...). */
    private static Set<String> anchors(Path page) {
        Set<String> anchors = new HashSet<>();
        if (!page.toString().endsWith(".md")) {
            return anchors;
        }
        Matcher heading = HEADING.matcher(read(page));
        while (heading.find()) {
            String anchor = anchor(heading.group(1));
            String unique = anchor;
            for (int n = 1; !anchors.add(unique); n++) {
                unique = anchor + "-" + n;
            }
        }
        return anchors;
    }

    /** GitHub's rule: lower case, keep letters, digits, '-', '_' and spaces, spaces become '-'. */
    static String anchor(String heading) {
        return heading.strip()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}\\- _]", "")
                .replace(' ', '-');
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
