package io.twinstream.infra.stack.local;

import io.twinstream.infra.stack.ServiceStack;
import io.twinstream.infra.stack.ServiceStartException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Life cycle shared by the local service processes: a private run directory (config, data, log),
 * start and health check, graceful stop, crash-like kill, and restart on the same ports and data.
 *
 * <p>On the first start, ports are picked free; if the service then fails because a port was
 * taken in the meantime, it is tried again with new ports (up to three times). Later starts reuse
 * the ports and the data, so clients can reconnect to a restarted service.
 *
 */
public abstract class LocalService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalService.class);
    private static final int PORT_ATTEMPTS = 3;
    private static final int LOG_TAIL_LINES = 40;

    private final String name;
    private final LocalOptions options;
    private final Path runDir;
    private GuardedProcess process;
    private boolean paused;
    private boolean startedBefore;

    protected LocalService(String name, LocalOptions options) {
        this.name = name;
        this.options = options;
        this.runDir = createRunDir(name, options);
    }

    /** Picks this service's ports; called before the first start and again after a port clash. */
    protected abstract void choosePorts();

    /** Whether the ports were given by the caller (then a clash is an error, not a retry). */
    protected abstract boolean portsFixed();

    /** Writes config files and prepares data directories; {@code firstStart} on the very first start. */
    protected abstract void prepare(boolean firstStart) throws IOException;

    /** The service's command line. */
    protected abstract List<String> command() throws IOException;

    /** One health probe; true when the service serves its protocol. */
    protected abstract boolean isHealthy();

    /** Work after the service became healthy, e.g. creating the default database. */
    protected void afterHealthy() {}

    public final String name() {
        return name;
    }

    public final Path runDir() {
        return runDir;
    }

    public final Path logFile() {
        return runDir.resolve(name + ".log");
    }

    /** Starts the service and waits until it is healthy; does nothing if it is running. */
    public final synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        int attempts = startedBefore || portsFixed() ? 1 : PORT_ATTEMPTS;
        for (int attempt = 1; ; attempt++) {
            if (!startedBefore && attempt > 1) {
                choosePorts();
            }
            long logOffset = logSize();
            try {
                startOnce();
                startedBefore = true;
                return;
            } catch (ServiceStartException e) {
                String newLog = logSince(logOffset);
                if (attempt < attempts && mentionsAddressInUse(newLog)) {
                    LOG.info("{}: a port was taken before it could bind it; retrying with new ports", name);
                    continue;
                }
                throw e;
            }
        }
    }

    private void startOnce() {
        long started = System.nanoTime();
        try {
            prepare(!startedBefore);
            process = GuardedProcess.start(name, command(), runDir, logFile(), Map.of());
        } catch (IOException e) {
            throw new ServiceStartException(
                    name + " could not be started: " + e.getMessage() + "\n--- last lines of " + logFile() + "\n"
                            + GuardedProcess.tail(logFile(), LOG_TAIL_LINES),
                    e);
        }
        try {
            awaitHealthy(started + options.startTimeout().toNanos());
            afterHealthy();
        } catch (RuntimeException e) {
            // Never leave a half-started service behind.
            process.stop(Duration.ofSeconds(5));
            process = null;
            throw e;
        }
        LOG.info(
                "{} is up (PID {}) in {} ms: {}", name, process.pid(), (System.nanoTime() - started) / 1_000_000, this);
    }

    private void awaitHealthy(long deadlineNanos) {
        while (true) {
            if (!process.isAlive()) {
                throw failure(name + " exited during start-up");
            }
            if (isHealthy()) {
                return;
            }
            if (System.nanoTime() > deadlineNanos) {
                throw failure(name + " did not become healthy within "
                        + options.startTimeout().toSeconds() + " s");
            }
            sleep(Duration.ofMillis(50));
        }
    }

    private ServiceStartException failure(String what) {
        return new ServiceStartException(what + " (run directory " + runDir + ")\n--- last lines of " + logFile() + "\n"
                + process.logTail(LOG_TAIL_LINES));
    }

    /**
     * Freezes the service (SIGSTOP): its sockets stay open and connections hang instead of being
     * refused, as with a server that stalls (a long GC pause, a saturated disk). {@link #resume()}
     * lets it go on; stopping or killing a frozen service resumes it first.
     */
    public final synchronized void pause() {
        signal("STOP");
        paused = true;
        LOG.info("{} paused (SIGSTOP)", name);
    }

    /** Lets a {@link #pause() paused} service go on (SIGCONT). */
    public final synchronized void resume() {
        if (paused) {
            signal("CONT");
            paused = false;
            LOG.info("{} resumed (SIGCONT)", name);
        }
    }

    private void signal(String signal) {
        OptionalLong pid = pid();
        if (pid.isEmpty()) {
            throw new IllegalStateException(name + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid.getAsLong()))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid.getAsLong() + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not signal " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + name, e);
        }
    }

    /** Stops the service gracefully (SIGTERM, then SIGKILL after a grace period); data is kept. */
    public final synchronized void stop() {
        if (process != null) {
            resume();
            process.stop(Duration.ofSeconds(20));
            LOG.info("{} stopped", name);
            process = null;
        }
    }

    /** Kills the service at once (SIGKILL), as a crash would; data is kept. */
    public final synchronized void kill() {
        if (process != null) {
            paused = false;
            process.kill();
            LOG.info("{} killed", name);
            process = null;
        }
    }

    /** Stops and starts again on the same ports with the same data. */
    public final void restart() {
        stop();
        start();
    }

    public final synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The service's PID while it runs. */
    public final synchronized OptionalLong pid() {
        return process != null && process.isAlive() ? OptionalLong.of(process.pid()) : OptionalLong.empty();
    }

    /** {@code " (PID 1234)"} while the service runs, else empty: for descriptions. */
    protected final String pidSuffix() {
        OptionalLong pid = pid();
        return pid.isPresent() ? " (PID " + pid.getAsLong() + ")" : "";
    }

    /** Stops the service and deletes its run directory unless the options keep it. */
    @Override
    public final void close() {
        stop();
        if (!options.keepRunDir()) {
            try {
                deleteTree(runDir);
            } catch (IOException e) {
                LOG.warn("could not delete all of {}: {}", runDir, e.toString());
            }
        }
    }

    protected final Path file(String relative) {
        return runDir.resolve(relative);
    }

    protected static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    protected static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceStartException("interrupted while waiting for a service", e);
        }
    }

    /** Finds an executable: an explicit override, then well-known paths, then PATH. */
    protected static Path findExecutable(
            String name, String overrideVariable, String installHint, String... knownPaths) {
        String override = ServiceStack.currentSettings().get(overrideVariable);
        if (override != null && !override.isBlank()) {
            Path path = Path.of(override);
            if (Files.isExecutable(path)) {
                return path;
            }
            throw new ServiceStartException(overrideVariable + "=" + override + " is not an executable file");
        }
        for (String known : knownPaths) {
            Path path = Path.of(known);
            if (Files.isExecutable(path)) {
                return path;
            }
        }
        String pathVariable = System.getenv().getOrDefault("PATH", "");
        for (String dir : pathVariable.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        throw new ServiceStartException(name + " was not found (looked in " + String.join(", ", knownPaths)
                + " and PATH; " + overrideVariable + " can name it). " + installHint);
    }

    private long logSize() {
        try {
            return Files.exists(logFile()) ? Files.size(logFile()) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private String logSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(logFile());
            return new String(
                    all,
                    (int) Math.min(offset, all.length),
                    (int) Math.max(0, all.length - offset),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean mentionsAddressInUse(String log) {
        String lower = log.toLowerCase(Locale.ROOT);
        // Flink's REST endpoint says only "BindException: Could not start rest endpoint on any port
        // in port range N" when its port was taken.
        return lower.contains("address already in use")
                || lower.contains("address in use")
                || lower.contains("java.net.bindexception");
    }

    private static Path createRunDir(String name, LocalOptions options) {
        try {
            Files.createDirectories(options.runDirParent());
            return Files.createTempDirectory(options.runDirParent(), "twinstream-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create a run directory for " + name + " in " + options.runDirParent(), e);
        }
    }

    /**
     * Deletes a directory tree; deletes what it can and then throws the first failure (with the
     * others suppressed). Nothing to do if the directory is missing.
     */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        IOException failure = null;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
