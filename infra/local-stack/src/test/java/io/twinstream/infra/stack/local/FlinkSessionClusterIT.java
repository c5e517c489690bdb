package io.twinstream.infra.stack.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session cluster is real: a JobManager and TaskManagers in JVMs of their own, the web UI
 * answering, a TaskManager killed noticed as lost, a new one taking its slots.
 */
class FlinkSessionClusterIT {

    @TempDir
    Path tmp;

    private static int registered(FlinkSessionCluster cluster) {
        String taskManagers = cluster.jobManager().get("/taskmanagers");
        return taskManagers.split("\"slotsNumber\"", -1).length - 1;
    }

    /** VmRSS of the service's process (Linux). */
    private static long residentMiB(LocalService service) {
        try {
            return Files.readAllLines(Path.of("/proc/" + service.pid().orElseThrow() + "/status")).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")) / 1024)
                    .findFirst()
                    .orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void shouldRunAJobManagerAndTwoTaskManagersAsProcessesOfTheirOwnAndReplaceAKilledOne() {
        long started = System.nanoTime();
        try (FlinkSessionCluster cluster = new FlinkSessionCluster(FlinkJobManagerProcess.Options.defaults()
                .withLocal(LocalOptions.defaults().withRunDirParent(tmp)))) {
            cluster.start(2);
            System.out.printf(
                    "session cluster (1 JobManager, 2 TaskManagers) up in %d ms; resident memory idle: "
                            + "JobManager %d MiB, TaskManagers %d and %d MiB%n",
                    (System.nanoTime() - started) / 1_000_000,
                    residentMiB(cluster.jobManager()),
                    residentMiB(cluster.taskManagers().get(0)),
                    residentMiB(cluster.taskManagers().get(1)));

            assertThat(registered(cluster)).isEqualTo(2);
            assertThat(cluster.jobManager().get("/overview")).contains("\"slots-total\":4");
            long jobManagerPid = cluster.jobManager().pid().orElseThrow();
            assertThat(cluster.taskManagers())
                    .extracting(tm -> tm.pid().orElseThrow())
                    .doesNotContain(jobManagerPid)
                    .doesNotHaveDuplicates();
            assertThat(cluster.jobManager().get("/")).as("web UI").contains("<html");

            cluster.taskManagers().get(0).kill();
            await().atMost(Duration.ofSeconds(30)).until(() -> registered(cluster) == 1);
            cluster.addTaskManager();
            assertThat(registered(cluster)).isEqualTo(2);
        }
    }
}
