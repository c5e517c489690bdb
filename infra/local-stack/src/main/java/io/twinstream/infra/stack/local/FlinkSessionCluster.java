package io.twinstream.infra.stack.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink standalone session cluster on this machine: one JobManager and N TaskManagers, each its
 * own JVM, from the Maven-resolved Flink jars. Jobs are submitted as users deploy them: the shaded
 * job jar through the {@code flink run} command-line client ({@code CliFrontend}). Whatever crosses
 * JVMs (key hashing, serializers, the job jar's class loading, a restore into a fresh TaskManager)
 * is exercised here, which a MiniCluster (one JVM) cannot do.
 */
public final class FlinkSessionCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkSessionCluster.class);
    private static final Pattern SUBMITTED = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");

    private final FlinkJobManagerProcess jobManager;
    private final List<FlinkTaskManagerProcess> taskManagers = new ArrayList<>();
    private final LocalOptions local;
    private int taskManagersCreated;

    public FlinkSessionCluster(FlinkJobManagerProcess.Options options) {
        this.jobManager = new FlinkJobManagerProcess(options);
        this.local = options.local();
    }

    /**
     * Starts the JobManager and {@code taskManagerCount} TaskManagers (side by side); returns when
     * all are registered.
     */
    public synchronized FlinkSessionCluster start(int taskManagerCount) {
        jobManager.start();
        List<FlinkTaskManagerProcess> starting = new ArrayList<>();
        while (taskManagers.size() < taskManagerCount) {
            starting.add(newTaskManager());
        }
        starting.parallelStream().forEach(FlinkTaskManagerProcess::start);
        return this;
    }

    /** A new TaskManager (a JVM of its own), registered with the JobManager when this returns. */
    public synchronized FlinkTaskManagerProcess addTaskManager() {
        FlinkTaskManagerProcess taskManager = newTaskManager();
        taskManager.start();
        return taskManager;
    }

    private FlinkTaskManagerProcess newTaskManager() {
        FlinkTaskManagerProcess taskManager =
                new FlinkTaskManagerProcess("flink-taskmanager-" + (++taskManagersCreated), jobManager, local);
        taskManagers.add(taskManager);
        return taskManager;
    }

    public FlinkJobManagerProcess jobManager() {
        return jobManager;
    }

    public synchronized List<FlinkTaskManagerProcess> taskManagers() {
        return List.copyOf(taskManagers);
    }

    /** The REST API and web UI. */
    public String restUrl() {
        return jobManager.restUrl();
    }

    /**
     * Submits {@code jobJar} detached through {@code flink run}, with {@code parallelism} and the
     * jar's own {@code arguments}; returns the job's id.
     *
     * @param savepoint a savepoint or retained checkpoint to start from, or null
     */
    public String submit(Path jobJar, int parallelism, Path savepoint, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(
                FlinkRuntime.java(List.of("-Xmx256m"), jobManager.runDir().resolve("conf/log4j2.properties")));
        command.addAll(List.of(
                "org.apache.flink.client.cli.CliFrontend",
                "run",
                "--detached",
                "--jobmanager",
                "127.0.0.1:" + jobManager.restPort(),
                "--parallelism",
                Integer.toString(parallelism)));
        if (savepoint != null) {
            command.addAll(List.of("--fromSavepoint", savepoint.toString(), "--allowNonRestoredState"));
        }
        command.add(jobJar.toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment()
                .put("FLINK_CONF_DIR", jobManager.runDir().resolve("conf").toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("flink run did not finish within 2 minutes:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while submitting " + jobJar, e);
        }
        Matcher submitted = SUBMITTED.matcher(out);
        if (process.exitValue() != 0 || !submitted.find()) {
            throw new IOException("flink run " + jobJar.getFileName() + " " + arguments + " failed (exit "
                    + process.exitValue() + "):\n" + out);
        }
        LOG.info(
                "submitted {} {} at parallelism {} as job {}",
                jobJar.getFileName(),
                arguments,
                parallelism,
                submitted.group(1));
        return submitted.group(1);
    }

    /** The job's state as the JobManager reports it (RUNNING, RESTARTING, FAILED, CANCELED …), or "" if unknown. */
    public String jobState(String jobId) {
        Matcher state = Pattern.compile("\"(?:state|status)\"\\s*:\\s*\"([A-Z_]+)\"")
                .matcher(jobManager.get("/jobs/" + jobId + "/status"));
        return state.find() ? state.group(1) : "";
    }

    /** Whether every task of the job is RUNNING (its sources read): a job can be RUNNING with tasks still deploying. */
    public boolean allTasksRunning(String jobId) {
        String job = jobManager.get("/jobs/" + jobId);
        Matcher counts =
                Pattern.compile("\"status-counts\"\\s*:\\s*\\{([^}]*)\\}").matcher(job);
        if (!"RUNNING".equals(jobState(jobId)) || !counts.find()) {
            return false;
        }
        Matcher each = Pattern.compile("\"([A-Z_]+)\"\\s*:\\s*(\\d+)").matcher(counts.group(1));
        boolean anyRunning = false;
        while (each.find()) {
            long n = Long.parseLong(each.group(2));
            if (n > 0 && !each.group(1).equals("RUNNING")) {
                return false;
            }
            anyRunning |= n > 0;
        }
        return anyRunning;
    }

    /**
     * The resource ids of the TaskManagers running the job's tasks (see {@link
     * FlinkTaskManagerProcess#resourceId()}).
     */
    public java.util.Set<String> taskManagersOf(String jobId) {
        java.util.Set<String> found = new java.util.TreeSet<>();
        Matcher vertex = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f]{32})\"").matcher(jobManager.get("/jobs/" + jobId));
        while (vertex.find()) {
            Matcher taskManager = Pattern.compile("\"taskmanager-id\"\\s*:\\s*\"([^\"]+)\"")
                    .matcher(jobManager.get("/jobs/" + jobId + "/vertices/" + vertex.group(1) + "/taskmanagers"));
            while (taskManager.find()) {
                found.add(taskManager.group(1));
            }
        }
        return found;
    }

    /**
     * Kills (SIGKILL) one of the TaskManagers running the job's tasks, as a crash would; returns its
     * resource id. Start a new one with {@link #addTaskManager()}.
     */
    public String killATaskManagerOf(String jobId) {
        String victim = taskManagersOf(jobId).stream()
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no TaskManager runs job " + jobId));
        taskManagers().stream()
                .filter(tm -> tm.resourceId().equals(victim))
                .findFirst()
                .orElseThrow()
                .kill();
        return victim;
    }

    /**
     * Whether the job has failed since it was submitted (its exception history is not empty). Flink
     * 2.2's {@code numRestarts} stays 0 through a TaskManager lost and the region failover after it.
     */
    public boolean hasFailed(String jobId) {
        return jobManager.get("/jobs/" + jobId + "/exceptions?maxExceptions=1").contains("\"exceptionName\"");
    }

    /**
     * Where the job's state was last restored from ({@code external_path} of the REST API's latest
     * restore: a checkpoint or savepoint), or "" if it started empty and has not restored since.
     */
    public String lastRestoredFrom(String jobId) {
        Matcher restored = Pattern.compile("\"restored\"\\s*:\\s*\\{[^}]*\"external_path\"\\s*:\\s*\"([^\"]+)\"")
                .matcher(jobManager.get("/jobs/" + jobId + "/checkpoints"));
        return restored.find() ? restored.group(1) : "";
    }

    /** Waits until every task of the job runs. */
    public void awaitRunning(String jobId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!allTasksRunning(jobId)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " is not running after " + timeout.toSeconds()
                        + " s (state " + jobState(jobId) + "); see " + jobManager.logFile());
            }
            LocalService.sleep(Duration.ofMillis(200));
        }
    }

    /** Cancels the job (no savepoint) and waits until it is CANCELED. */
    public void cancel(String jobId) throws IOException {
        jobManager.send("PATCH", "/jobs/" + jobId + "?mode=cancel", null);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!List.of("CANCELED", "FAILED", "FINISHED").contains(jobState(jobId)) && System.nanoTime() < deadline) {
            LocalService.sleep(Duration.ofMillis(200));
        }
    }

    /**
     * Stops the job with a savepoint in {@code directory} (Flink's "stop": sources stop, a final
     * savepoint is taken, sinks commit, the job FINISHES) and returns the savepoint's path, from
     * which {@link #submit} resumes it, at any parallelism.
     *
     * @throws IOException when the savepoint fails or takes longer than {@code timeout}
     */
    public Path stopWithSavepoint(String jobId, Path directory, Duration timeout) throws IOException {
        String answer = jobManager.send(
                "POST",
                "/jobs/" + jobId + "/stop",
                "{\"targetDirectory\":\"" + directory.toUri() + "\",\"drain\":false,\"formatType\":\"CANONICAL\"}");
        Matcher trigger =
                Pattern.compile("\"request-id\"\\s*:\\s*\"([0-9a-f]+)\"").matcher(answer);
        if (!trigger.find()) {
            throw new IOException("stopping job " + jobId + " with a savepoint: unexpected answer " + answer);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String status = jobManager.get("/jobs/" + jobId + "/savepoints/" + trigger.group(1));
            Matcher location =
                    Pattern.compile("\"location\"\\s*:\\s*\"([^\"]+)\"").matcher(status);
            if (location.find()) {
                LOG.info("job {} stopped with savepoint {}", jobId, location.group(1));
                return savepointPath(location.group(1));
            }
            if (status.contains("\"failure-cause\"")) {
                throw new IOException("stopping job " + jobId + " with a savepoint failed: " + status);
            }
            LocalService.sleep(Duration.ofMillis(250));
        }
        throw new IOException("job " + jobId + " took more than " + timeout.toSeconds()
                + " s to stop with a savepoint; see " + jobManager.logFile());
    }

    /** A savepoint's location as Flink reports it ({@code file:/…}, or a plain path) as a path. */
    public static Path savepointPath(String location) {
        return location.startsWith("file:") ? Path.of(java.net.URI.create(location)) : Path.of(location);
    }

    /** Stops every TaskManager and the JobManager (jobs die with them); deletes the run directories unless kept. */
    @Override
    public synchronized void close() {
        for (FlinkTaskManagerProcess taskManager : taskManagers) {
            taskManager.close();
        }
        jobManager.close();
    }

    @Override
    public String toString() {
        return "Flink session cluster, web UI " + restUrl() + ", " + taskManagers.size() + " TaskManagers";
    }
}
