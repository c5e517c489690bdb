package io.twinstream.infra.stack.local;

import io.twinstream.infra.stack.ServiceStartException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Flink's jars as the twinstream-flink-runtime build recorded them, and the JVM command lines the
 * distribution's {@code bin/} scripts would build from them (the distribution tarball is not on
 * Maven Central; the jars are).
 */
final class FlinkRuntime {

    private static final String CLASSPATH_RESOURCE = "/io/twinstream/infra/flink/flink-cluster.classpath";
    /** How BashJavaUtils marks the lines meant for the scripts. */
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    private FlinkRuntime() {}

    /**
     * The cluster's classpath.
     *
     * @throws ServiceStartException if the record is missing or names jars that are gone
     */
    static String classpath() {
        return RecordedClasspath.read(CLASSPATH_RESOURCE, "Flink", "twinstream-flink-runtime");
    }

    /**
     * What the distribution's {@code config.yaml} gives every Flink JVM ({@code env.java.default-opts.all}):
     * Flink reaches into JDK internals (e.g. the CLI registering the DataStream v2 translators fails
     * with "module java.base does not opens java.util" without them).
     */
    static final List<String> DEFAULT_JVM_OPTIONS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    /** {@code java <default options> <jvmOptions> -cp <flink> -Dlog4j…} ready for a main class. */
    static List<String> java(List<String> jvmOptions, Path log4jConfig) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(DEFAULT_JVM_OPTIONS);
        command.addAll(jvmOptions);
        command.add("-Djava.awt.headless=true");
        command.add("-Dlog4j2.configurationFile=" + log4jConfig);
        command.add("-cp");
        command.add(classpath());
        return command;
    }

    /**
     * What {@code bin/taskmanager.sh} computes before starting a TaskManager: the JVM's memory
     * options and the derived memory settings, from {@code configDir} (and {@code dynamic} settings
     * on top). A TaskManager started without the latter refuses to run.
     *
     * @return the JVM options, then the settings as {@code -D key=value} arguments
     */
    static TaskManagerResources taskManagerResources(Path configDir, Path log4jConfig, Map<String, String> dynamic)
            throws IOException {
        List<String> command = java(List.of("-Xmx128m"), log4jConfig);
        command.add("org.apache.flink.runtime.util.bash.BashJavaUtils");
        command.add("GET_TM_RESOURCE_PARAMS");
        command.add("--configDir");
        command.add(configDir.toString());
        dynamic.forEach((key, value) -> {
            command.add("-D");
            command.add(key + "=" + value);
        });
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException(
                        "Flink's BashJavaUtils could not compute the TaskManager's memory settings:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while computing the TaskManager's memory settings", e);
        }
        List<String> results = out.lines()
                .filter(line -> line.startsWith(RESULT_PREFIX))
                .map(line -> line.substring(RESULT_PREFIX.length()).strip())
                .toList();
        if (results.size() < 2) {
            throw new IOException("unexpected output of Flink's BashJavaUtils:\n" + out);
        }
        List<String> jvm = Arrays.stream(results.get(results.size() - 2).split("\\s+"))
                .filter(s -> !s.isEmpty())
                .toList();
        List<String> settings = Arrays.stream(results.get(results.size() - 1).split("\\s+"))
                .filter(s -> !s.isEmpty())
                .toList();
        return new TaskManagerResources(jvm, settings);
    }

    /** JVM options and {@code -D key=value} arguments for a TaskManager. */
    record TaskManagerResources(List<String> jvmOptions, List<String> dynamicSettings) {}

    /** Flink's log4j2 configuration for a cluster process: everything to stdout, which is the service log. */
    static final String LOG4J2_PROPERTIES = String.join(
            "\n",
            "# Generated by Twinstream's local stack: logs go to stdout, which is the service log.",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = OUT",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.out.ref = OUT",
            "logger.pekko.name = org.apache.pekko",
            "logger.pekko.level = WARN",
            "logger.kafka.name = org.apache.kafka",
            "logger.kafka.level = WARN",
            "logger.netty.name = org.apache.flink.shaded.netty4",
            "logger.netty.level = WARN",
            "");
}
