package io.twinstream.infra.stack.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.twinstream.infra.stack.ServiceStack;
import io.twinstream.infra.stack.StackService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test JVM that dies without running its shutdown hooks (kill -9, an OOM kill, a CI timeout)
 * must not leave services running: the process guard stops them.
 */
class OrphanGuardIT {

    @TempDir
    Path runDirs;

    @Test
    void shouldStopEveryServiceWhenTheJvmThatStartedThemIsKilled() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process holder = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        StackHolder.class.getName(),
                        runDirs.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<Long> pids = new ArrayList<>();
        try {
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null && !line.equals("READY"); line = lines.readLine()) {
                if (line.startsWith("PID ")) {
                    pids.add(Long.parseLong(line.substring(4).strip()));
                }
            }
            assertThat(pids)
                    .as("the holder reports the PIDs of mosquitto, Kafka and influxd")
                    .hasSize(3);
            assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());

            holder.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(pids)
                            .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                                    .isEmpty()));
        } finally {
            holder.destroyForcibly();
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    /** Runs in the child JVM: starts the local stack, prints the PIDs, then waits to be killed. */
    public static final class StackHolder {
        public static void main(String[] args) throws InterruptedException {
            ServiceStack stack = ServiceStack.local(LocalOptions.defaults().withRunDirParent(Path.of(args[0])));
            stack.startAll();
            for (Map.Entry<StackService, Long> entry : stack.localPids().entrySet()) {
                System.out.println("PID " + entry.getValue());
            }
            System.out.println("READY");
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(5).toMillis());
        }
    }
}
