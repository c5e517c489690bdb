package io.twinstream.pipeline;

import io.twinstream.infra.stack.local.LocalService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium} run headless on a page, as the page tests need it: the DOM after the
 * page's scripts ran for a while, or a screenshot. {@code infra/bin/install-services} installs it.
 * Each run uses a profile directory of its own and is stopped if it outlives its time.
 */
final class HeadlessChromium {

    private static final Duration LIMIT = Duration.ofSeconds(90);

    private HeadlessChromium() {}

    static String binary() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "no chromium here: infra/bin/install-services installs Debian's (apt-get install chromium)");
    }

    /** The page's DOM after its scripts have had {@code scriptTime} of (virtual) time. */
    static String dumpDom(String url, Duration scriptTime) throws IOException, InterruptedException {
        return run(url, scriptTime, List.of("--dump-dom"));
    }

    /** A PNG of the page after its scripts have had {@code scriptTime}, {@code width} × {@code height} pixels. */
    static void screenshot(String url, Duration scriptTime, Path png, int width, int height)
            throws IOException, InterruptedException {
        run(
                url,
                scriptTime,
                List.of(
                        "--screenshot=" + png.toAbsolutePath(),
                        "--window-size=" + width + "," + height,
                        "--hide-scrollbars"));
    }

    private static String run(String url, Duration scriptTime, List<String> what)
            throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("twinstream-chromium");
        Path output = profile.resolve("stdout.txt");
        List<String> command = new ArrayList<>(List.of(
                binary(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=" + scriptTime.toMillis()));
        command.addAll(what);
        command.add(url);
        Process chromium = new ProcessBuilder(command)
                .redirectOutput(output.toFile())
                .redirectError(profile.resolve("stderr.txt").toFile())
                .start();
        try {
            if (!chromium.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("chromium did not finish with " + url + " within " + LIMIT);
            }
            if (chromium.exitValue() != 0) {
                throw new IllegalStateException("chromium exited with " + chromium.exitValue() + ": "
                        + Files.readString(profile.resolve("stderr.txt"), StandardCharsets.UTF_8));
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        } finally {
            chromium.descendants().forEach(ProcessHandle::destroyForcibly);
            chromium.destroyForcibly();
            LocalService.deleteTree(profile);
        }
    }
}
