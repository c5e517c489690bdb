package io.twinstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.SiteKey;
import io.twinstream.jobs.metrics.WindowSize;
import io.twinstream.model.Reading;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

/**
 * Every key the jobs shuffle by lands in the same key group in every JVM. A MiniCluster is one JVM
 * and cannot show it; a cluster's TaskManagers are several, and a restore runs in a fresh one. The
 * key groups of sample keys, taken through the jobs' own key selectors, are computed here and in
 * a second JVM and compared; and no key type may hold a field whose hash is an identity hash.
 */
class KeyHashingTest {

    /** Flink's default maximum parallelism: the number of key groups. */
    private static final int KEY_GROUPS = 128;

    /** The key types the jobs' {@code keyBy} produce (UniqueReadings: device id; MetricsTopology: SiteKey). */
    private static final List<Class<?>> KEY_TYPES = List.of(String.class, SiteKey.class);

    /** "key → key group" for sample keys of every key selector the jobs use. */
    static List<String> keyGroups() {
        List<Object> keys = new ArrayList<>();
        for (int d = 0; d < 20; d++) {
            Reading reading = new Reading(
                    "city", "mitte", "noise", "noise-" + d, 1_000L * d, d, 0L, new String[] {"db"}, new double[] {40});
            keys.add(reading.deviceId()); // UniqueReadings.byDevice
        }
        for (WindowSize size : WindowSize.values()) {
            for (int s = 0; s < 10; s++) {
                DeviceWindow window = new DeviceWindow(
                        "factory",
                        "plant-" + s,
                        "cnc",
                        "cnc-1",
                        "spindle_temp",
                        size,
                        Instant.ofEpochMilli(size.length().toMillis() * s),
                        new Aggregate(1, 1, 1, 1));
                keys.add(SiteKey.of(window)); // MetricsTopology: site windows
            }
        }
        List<String> lines = new ArrayList<>();
        for (Object key : keys) {
            lines.add(key + " -> " + KeyGroupRangeAssignment.assignToKeyGroup(key, KEY_GROUPS));
        }
        return lines;
    }

    /** Run in the second JVM: prints {@link #keyGroups()}. */
    public static void main(String[] args) {
        keyGroups().forEach(System.out::println);
    }

    @Test
    void shouldPutEveryKeyInTheSameKeyGroupInAnotherJvm() throws Exception {
        List<String> here = keyGroups();
        List<String> there = inAnotherJvm();
        assertThat(there).as("key groups computed in a second JVM").containsExactlyElementsOf(here);
    }

    @Test
    void shouldHoldOnlyFieldsWhoseHashIsTheSameInEveryJvm() {
        for (Class<?> type : KEY_TYPES) {
            assertStableHash(type, type.getSimpleName());
        }
    }

    private static final Set<Class<?>> STABLE = Set.of(
            String.class,
            Long.class,
            Integer.class,
            Short.class,
            Byte.class,
            Boolean.class,
            Character.class,
            Double.class,
            Float.class,
            Instant.class);

    private static void assertStableHash(Class<?> type, String path) {
        if (type.isPrimitive() || STABLE.contains(type)) {
            return;
        }
        assertThat(type.isRecord())
                .as(
                        "%s is a %s: only strings, numbers, instants and records of them hash the same "
                                + "in every JVM (an enum's hash is an identity hash)",
                        path, type.getName())
                .isTrue();
        for (RecordComponent component : type.getRecordComponents()) {
            assertStableHash(component.getType(), path + "." + component.getName());
        }
    }

    private static List<String> inAnotherJvm() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(
                        java.toString(), "-cp", System.getProperty("java.class.path"), KeyHashingTest.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the second JVM did not finish within 60 s");
        }
        assertThat(process.exitValue()).as("second JVM's exit code").isZero();
        return out.lines().toList();
    }
}
