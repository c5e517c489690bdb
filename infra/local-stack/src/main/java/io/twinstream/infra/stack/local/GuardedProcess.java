package io.twinstream.infra.stack.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service process (mosquitto, influxd, a Kafka JVM) that cannot outlive the JVM that started it.
 *
 * <p>The service is launched through a small {@code /bin/sh} guard whose standard input is a pipe
 * from this JVM. When this JVM ends for any reason, even {@code kill -9}, the pipe reaches end of
 * file and the guard terminates the service (SIGTERM, then SIGKILL after 10 s). A shutdown hook
 * stops services on an ordinary exit. Processes are only ever signalled by the PID we started,
 * never by name, so two test runs on one machine do not disturb each other.
 *
 * <p>The service's stdout and stderr are appended to its log file.
 */
public final class GuardedProcess {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedProcess.class);

    /** Started by the guard: the service in the background, its PID on stdout, a watchdog on stdin. */
    private static final String GUARD_SCRIPT = String.join(
            "\n",
            "log=\"$1\"; shift",
            // sh gives background jobs /dev/null as stdin: keep the pipe from the JVM on fd 3.
            "exec 3<&0",
            "\"$@\" </dev/null 3<&- >>\"$log\" 2>&1 &",
            "svc=$!",
            "echo \"$svc\"",
            "(",
            "  while read -r _line; do :; done",
            "  kill -TERM \"$svc\" 2>/dev/null || exit 0",
            "  i=0",
            "  while kill -0 \"$svc\" 2>/dev/null && [ \"$i\" -lt 100 ]; do sleep 0.1; i=$((i+1)); done",
            "  kill -KILL \"$svc\" 2>/dev/null",
            ") <&3 &",
            "watchdog=$!",
            "wait \"$svc\"; status=$?",
            "kill \"$watchdog\" 2>/dev/null",
            "exit \"$status\"");

    /**
     * The guard runs in a session of its own: a terminal's Ctrl-C signals its whole foreground
     * process group, and the services must outlive the JVM's own handling of it (the demo audits
     * after Ctrl-C, then stops them).
     */
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private static final Set<GuardedProcess> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(GuardedProcess::stopAllOnExit, "twinstream-stack-shutdown"));
    }

    private final String name;
    private final Process guard;
    private final ProcessHandle service;
    private final Path logFile;

    private GuardedProcess(String name, Process guard, ProcessHandle service, Path logFile) {
        this.name = name;
        this.guard = guard;
        this.service = service;
        this.logFile = logFile;
    }

    /**
     * Starts {@code command} in {@code workDir}, appending its output to {@code logFile}.
     *
     * @throws IOException if the guard cannot be started or does not report the service's PID
     */
    public static GuardedProcess start(
            String name, List<String> command, Path workDir, Path logFile, Map<String, String> environment)
            throws IOException {
        List<String> guarded = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            guarded.add(SETSID.toString());
        }
        guarded.addAll(List.of("/bin/sh", "-c", GUARD_SCRIPT, "twinstream-guard-" + name, logFile.toString()));
        guarded.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(guarded)
                .directory(workDir.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        Process guard = builder.start();
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(guard.getInputStream(), StandardCharsets.US_ASCII));
        String pidLine = reader.readLine();
        if (pidLine == null || !pidLine.strip().matches("\\d+")) {
            guard.destroyForcibly();
            throw new IOException("the process guard for " + name + " did not report a PID (got '" + pidLine + "')");
        }
        long pid = Long.parseLong(pidLine.strip());
        // The same words as LocalService's check after start: a service that dies at once (a port
        // taken, a bad config) is reported one way, however fast it died.
        ProcessHandle service = ProcessHandle.of(pid)
                .orElseThrow(() -> new IOException(name + " exited during start-up (PID " + pid + "); see " + logFile));
        GuardedProcess process = new GuardedProcess(name, guard, service, logFile);
        RUNNING.add(process);
        LOG.debug("{} started as PID {} (guard PID {})", name, pid, guard.pid());
        return process;
    }

    public long pid() {
        return service.pid();
    }

    public boolean isAlive() {
        return service.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** Asks the service to stop (SIGTERM), waits up to {@code grace}, then kills it (SIGKILL). */
    public void stop(Duration grace) {
        if (service.isAlive()) {
            service.destroy();
            if (!waitForExit(grace)) {
                LOG.warn("{} (PID {}) did not stop within {} s of SIGTERM; killing it", name, pid(), grace.toSeconds());
                service.destroyForcibly();
                waitForExit(Duration.ofSeconds(10));
            }
        }
        releaseGuard();
    }

    /** Kills the service at once (SIGKILL), as a crash would; used by failure tests. */
    public void kill() {
        service.destroyForcibly();
        waitForExit(Duration.ofSeconds(10));
        releaseGuard();
    }

    /** The last {@code lines} lines of the service's log, for error messages. */
    public String logTail(int lines) {
        return tail(logFile, lines);
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + file + ": " + e.getMessage() + ")";
        }
    }

    private boolean waitForExit(Duration timeout) {
        try {
            service.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !service.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !service.isAlive();
        }
    }

    private void releaseGuard() {
        try (OutputStream stdin = guard.getOutputStream()) {
            stdin.flush();
        } catch (IOException e) {
            LOG.debug("closing the guard's stdin for {}: {}", name, e.toString());
        }
        try {
            if (!guard.waitFor(5, TimeUnit.SECONDS)) {
                guard.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            guard.destroyForcibly();
        }
        RUNNING.remove(this);
    }

    private static void stopAllOnExit() {
        for (GuardedProcess process : List.copyOf(RUNNING)) {
            process.stop(Duration.ofSeconds(5));
        }
    }

    @Override
    public String toString() {
        return name + " (PID " + service.pid() + ")";
    }
}
