package io.twinstream.infra.stack.local;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Flink TaskManager as its own JVM ({@code TaskManagerRunner}, what {@code bin/taskmanager.sh}
 * starts) registered with a {@link FlinkJobManagerProcess}. Healthy once the JobManager lists it.
 * Killing one (SIGKILL) is a TaskManager lost, as on a real cluster; a new one can take its place.
 */
public final class FlinkTaskManagerProcess extends LocalService {

    private final FlinkJobManagerProcess jobManager;
    private volatile String resourceId;
    private int starts;
    private FlinkRuntime.TaskManagerResources resources;

    /** @param name unique within the cluster, e.g. {@code flink-taskmanager-1}; also its resource id */
    public FlinkTaskManagerProcess(String name, FlinkJobManagerProcess jobManager, LocalOptions local) {
        super(name, local);
        this.jobManager = jobManager;
    }

    /** The id the JobManager lists this TaskManager under; new on every start (a restart is a new TaskManager). */
    public String resourceId() {
        return resourceId;
    }

    @Override
    protected void choosePorts() {
        // RPC, data and blob ports: Flink binds free ones (port 0) and tells the JobManager.
    }

    @Override
    protected boolean portsFixed() {
        return true;
    }

    @Override
    protected void prepare(boolean firstStart) throws IOException {
        write(file("conf/config.yaml"), jobManager.configYaml());
        write(file("conf/log4j2.properties"), FlinkRuntime.LOG4J2_PROPERTIES);
        Files.createDirectories(file("tmp"));
        resourceId = name() + "-" + (++starts);
        if (resources == null) {
            resources = FlinkRuntime.taskManagerResources(file("conf"), file("conf/log4j2.properties"), Map.of());
        }
    }

    @Override
    protected List<String> command() {
        List<String> jvm = new ArrayList<>(resources.jvmOptions());
        jvm.add("-XX:+UseG1GC");
        jvm.add("-Dlog.file=" + logFile());
        List<String> command = new ArrayList<>(FlinkRuntime.java(jvm, file("conf/log4j2.properties")));
        command.add("org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        command.add("--configDir");
        command.add(file("conf").toString());
        command.addAll(resources.dynamicSettings());
        command.addAll(List.of("-D", "taskmanager.resource-id=" + resourceId, "-D", "io.tmp.dirs=" + file("tmp")));
        return command;
    }

    @Override
    protected boolean isHealthy() {
        return jobManager.get("/taskmanagers").contains("\"" + resourceId + "\"");
    }

    @Override
    public String toString() {
        return "Flink TaskManager " + resourceId + pidSuffix();
    }
}
