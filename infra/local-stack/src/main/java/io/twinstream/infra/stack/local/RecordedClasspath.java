package io.twinstream.infra.stack.local;

import io.twinstream.infra.stack.ServiceStartException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A classpath a runtime module (twinstream-kafka-runtime, twinstream-flink-runtime) recorded as a
 * resource at build time: the Maven-resolved jars of a service run as its own JVM.
 */
final class RecordedClasspath {

    private RecordedClasspath() {}

    /**
     * The classpath in {@code resource}, every jar checked to exist.
     *
     * @param what   what the jars are, for messages, e.g. "Kafka broker"
     * @param module the module that records it, e.g. "twinstream-kafka-runtime"
     * @throws ServiceStartException if the record is missing or names jars that are gone
     */
    static String read(String resource, String what, String module) {
        try (InputStream in = RecordedClasspath.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ServiceStartException("The " + what + " classpath (" + resource + ") is not on the "
                        + "classpath: build the project with ./mvnw install so " + module + " records it.");
            }
            String classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            List<String> missing = Arrays.stream(classpath.split(java.io.File.pathSeparator))
                    .filter(entry -> !Files.isRegularFile(Path.of(entry)))
                    .toList();
            if (!missing.isEmpty()) {
                throw new ServiceStartException(what + " jars are missing (was the Maven repository cleaned?): "
                        + missing + ". Rebuild with ./mvnw install.");
            }
            return classpath;
        } catch (IOException e) {
            throw new ServiceStartException("cannot read " + resource, e);
        }
    }
}
