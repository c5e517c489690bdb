package io.twinstream.infra.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class BackendTest {

    private static final BooleanSupplier NO_DOCKER = () -> false;
    private static final BooleanSupplier DOCKER = () -> true;

    @Test
    void shouldUseLocalProcessesWhenNoDockerEngineAnswers() {
        assertThat(Backend.choose(StackService.KAFKA, Map.of(), NO_DOCKER)).isEqualTo(Backend.LOCAL);
    }

    @Test
    void shouldUseContainersWhenDockerEngineAnswers() {
        assertThat(Backend.choose(StackService.KAFKA, Map.of(), DOCKER)).isEqualTo(Backend.DOCKER);
    }

    @Test
    void shouldUseExternalServiceNamedByItsVariableEvenWithDocker() {
        Map<String, String> env = Map.of("MQTT_URL", "tcp://broker:1883", "TWINSTREAM_BACKEND", "docker");

        assertThat(Backend.choose(StackService.MQTT, env, DOCKER)).isEqualTo(Backend.EXTERNAL);
        assertThat(Backend.choose(StackService.KAFKA, env, DOCKER)).isEqualTo(Backend.DOCKER);
    }

    @Test
    void shouldIgnoreBlankEndpointVariable() {
        assertThat(Backend.choose(StackService.INFLUX, Map.of("INFLUX_URL", " "), NO_DOCKER))
                .isEqualTo(Backend.LOCAL);
    }

    @Test
    void shouldNotAskForDockerWhenBackendIsForcedLocal() {
        AtomicInteger asked = new AtomicInteger();

        Backend backend = Backend.choose(StackService.MQTT, Map.of("TWINSTREAM_BACKEND", "LOCAL"), () -> {
            asked.incrementAndGet();
            return true;
        });

        assertThat(backend).isEqualTo(Backend.LOCAL);
        assertThat(asked).hasValue(0);
    }

    @Test
    void shouldRejectUnknownBackendWithTheAllowedValues() {
        assertThatThrownBy(() -> Backend.choose(StackService.MQTT, Map.of("TWINSTREAM_BACKEND", "podman"), NO_DOCKER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TWINSTREAM_BACKEND=podman")
                .hasMessageContaining("local, docker, auto");
    }
}
