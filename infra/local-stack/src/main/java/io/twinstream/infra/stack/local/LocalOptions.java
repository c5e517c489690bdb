package io.twinstream.infra.stack.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Options every local service process shares.
 *
 * @param runDirParent where the service's private run directory is created; default
 *                     {@code $TWINSTREAM_RUN_DIR}, else {@code java.io.tmpdir}
 * @param keepRunDir   keep config, data and logs after {@code close()} (default false)
 * @param startTimeout how long start-up may take before it is an error (default 60 s: a cold
 *                     JVM on a busy 2-core machine)
 */
public record LocalOptions(Path runDirParent, boolean keepRunDir, Duration startTimeout) {

    public LocalOptions {
        Objects.requireNonNull(runDirParent, "runDirParent");
        Objects.requireNonNull(startTimeout, "startTimeout");
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
        }
    }

    public static LocalOptions defaults() {
        String configured = System.getenv("TWINSTREAM_RUN_DIR");
        Path parent = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("java.io.tmpdir"));
        return new LocalOptions(parent, false, Duration.ofSeconds(60));
    }

    public LocalOptions withRunDirParent(Path parent) {
        return new LocalOptions(parent, keepRunDir, startTimeout);
    }

    public LocalOptions withKeepRunDir(boolean keep) {
        return new LocalOptions(runDirParent, keep, startTimeout);
    }

    public LocalOptions withStartTimeout(Duration timeout) {
        return new LocalOptions(runDirParent, keepRunDir, timeout);
    }
}
