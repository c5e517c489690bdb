package io.twinstream.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The shaded job jar ({@code stream-jobs/target/twinstream-stream-jobs-*.jar}) that {@code flink run} submits. */
public final class JobJar {

    /** Names the jar explicitly, e.g. {@code -Dtwinstream.job-jar=/opt/twinstream/jobs.jar}. */
    public static final String PROPERTY = "twinstream.job-jar";

    private JobJar() {}

    /**
     * The job jar: {@value #PROPERTY} if set, else the one the build put in {@code stream-jobs/target}
     * under the working directory or its parent (a module's tests run in the module).
     *
     * @throws IllegalStateException naming the build command when there is none
     */
    public static Path find() {
        String named = System.getProperty(PROPERTY);
        if (named != null) {
            Path jar = Path.of(named);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(PROPERTY + " names " + jar + ", which is not a file");
            }
            return jar;
        }
        Path here = Path.of("").toAbsolutePath();
        for (Path root : new Path[] {here, here.getParent()}) {
            Path target = root == null ? null : root.resolve("stream-jobs/target");
            if (target != null && Files.isDirectory(target)) {
                try (Stream<Path> files = Files.list(target)) {
                    List<Path> jars = files.filter(
                                    p -> p.getFileName().toString().matches("twinstream-stream-jobs-.*\\.jar"))
                            .filter(p -> !p.getFileName().toString().matches(".*-(sources|javadoc|tests)\\.jar"))
                            .toList();
                    if (jars.size() == 1) {
                        return jars.get(0);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("cannot list " + target, e);
                }
            }
        }
        throw new IllegalStateException(
                "no job jar in stream-jobs/target under " + here + " or its parent: build it with "
                        + "./mvnw -pl stream-jobs -am package -DskipTests, or name one with -D" + PROPERTY + "=FILE");
    }
}
