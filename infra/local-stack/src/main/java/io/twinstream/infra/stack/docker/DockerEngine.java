package io.twinstream.infra.stack.docker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.testcontainers.DockerClientFactory;

/**
 * Whether a Docker engine can run the stack's containers.
 *
 * <p>Testcontainers answers that authoritatively but logs an ERROR with every strategy it tried
 * when there is no engine, in every test JVM. So it is only asked when there is a sign of an engine:
 * {@code DOCKER_HOST}, a Testcontainers properties file, or a Docker socket at one of the usual
 * places (Docker Engine, rootless Docker, Docker Desktop, Colima, Rancher Desktop).
 */
public final class DockerEngine {

    private DockerEngine() {}

    public static boolean isAvailable(Map<String, String> settings) {
        return hasSignOfAnEngine(settings) && DockerClientFactory.instance().isDockerAvailable();
    }

    static boolean hasSignOfAnEngine(Map<String, String> settings) {
        String dockerHost = settings.get("DOCKER_HOST");
        if (dockerHost != null && !dockerHost.isBlank()) {
            return true;
        }
        return candidateFiles(settings).stream().anyMatch(Files::exists);
    }

    private static List<Path> candidateFiles(Map<String, String> settings) {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("/var/run/docker.sock"), Path.of("/run/docker.sock")));
        String home = settings.getOrDefault("HOME", System.getProperty("user.home"));
        if (home != null) {
            for (String relative : List.of(
                    ".testcontainers.properties",
                    ".docker/run/docker.sock",
                    ".docker/desktop/docker.sock",
                    ".colima/default/docker.sock",
                    ".colima/docker.sock",
                    ".rd/docker.sock")) {
                candidates.add(Path.of(home, relative));
            }
        }
        String runtimeDir = settings.get("XDG_RUNTIME_DIR");
        if (runtimeDir != null && !runtimeDir.isBlank()) {
            candidates.add(Path.of(runtimeDir, "docker.sock"));
        }
        return candidates;
    }
}
