package io.twinstream.infra.stack.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerEngineTest {

    @TempDir
    Path home;

    @Test
    void shouldSeeAnEngineNamedByDockerHost() {
        assertThat(DockerEngine.hasSignOfAnEngine(
                        Map.of("DOCKER_HOST", "tcp://10.0.0.5:2375", "HOME", home.toString())))
                .isTrue();
    }

    @Test
    void shouldSeeAnEngineConfiguredForTestcontainers() throws IOException {
        Files.writeString(home.resolve(".testcontainers.properties"), "docker.host=unix:///tmp/docker.sock\n");

        assertThat(DockerEngine.hasSignOfAnEngine(Map.of("HOME", home.toString())))
                .isTrue();
    }

    @Test
    void shouldSeeARootlessDockerSocket() throws IOException {
        Path runtime = Files.createDirectories(home.resolve("run"));
        Files.createFile(runtime.resolve("docker.sock"));

        assertThat(DockerEngine.hasSignOfAnEngine(
                        Map.of("HOME", home.toString(), "XDG_RUNTIME_DIR", runtime.toString())))
                .isTrue();
    }

    @Test
    void shouldSeeNoEngineWithoutAnySign() {
        assumeFalse(
                Files.exists(Path.of("/var/run/docker.sock")) || Files.exists(Path.of("/run/docker.sock")),
                "this machine has a system-wide Docker socket");

        assertThat(DockerEngine.hasSignOfAnEngine(Map.of("HOME", home.toString())))
                .isFalse();
        assertThat(DockerEngine.isAvailable(Map.of("HOME", home.toString()))).isFalse();
    }
}
