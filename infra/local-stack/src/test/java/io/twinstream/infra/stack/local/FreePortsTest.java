package io.twinstream.infra.stack.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    /** Picked back to back, as a service picks its listeners' ports: never the same port twice. */
    @Test
    void shouldNeverHandOutTheSamePortTwice() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            int port = FreePorts.pick();
            assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
            assertThat(FreePorts.isBindable(port)).isTrue();
        }
    }
}
