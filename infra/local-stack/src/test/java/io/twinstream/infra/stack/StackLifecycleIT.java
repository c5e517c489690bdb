package io.twinstream.infra.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.infra.stack.local.FreePorts;
import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting and stopping the whole local stack leaves no process, no port and no run directory behind. */
class StackLifecycleIT {

    @TempDir
    Path runDirs;

    @Test
    void shouldLeaveNothingBehindAfterThreeStartsAndStopsInOneJvm() throws IOException {
        for (int round = 1; round <= 3; round++) {
            List<Integer> ports = new ArrayList<>();
            Map<StackService, Long> pids;
            try (ServiceStack stack = ServiceStack.local(LocalOptions.defaults().withRunDirParent(runDirs))) {
                stack.startAll();
                pids = stack.localPids();
                assertThat(pids).as("round %d", round).containsOnlyKeys(StackService.values());
                assertThat(pids.values())
                        .allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());

                MosquittoProcess mqtt = (MosquittoProcess) stack.mqtt();
                KafkaProcess kafka = (KafkaProcess) stack.kafka();
                InfluxdProcess influx = (InfluxdProcess) stack.influx();
                ports.addAll(List.of(
                        mqtt.port(), kafka.port(), kafka.controllerPort(), influx.httpPort(), influx.rpcPort()));
                assertThat(ports)
                        .allSatisfy(port -> assertThat(FreePorts.isListening(port))
                                .as("port %d", port)
                                .isTrue());
            }

            assertThat(pids.values())
                    .as("round %d: processes", round)
                    .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                            .isEmpty());
            assertThat(ports)
                    .as("round %d: ports", round)
                    .allSatisfy(port -> assertThat(FreePorts.isBindable(port))
                            .as("port %d", port)
                            .isTrue());
            try (Stream<Path> left = Files.list(runDirs)) {
                assertThat(left).as("round %d: run directories", round).isEmpty();
            }
        }
    }
}
