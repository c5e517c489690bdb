package io.twinstream.jobs.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.TlsCertificates;
import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.SiteWindow;
import io.twinstream.jobs.metrics.WindowSize;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The sink against a real influxd: the schema, overwrites, a login, https, and InfluxDB away for a while. */
class InfluxSinkIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .build());

    private static final Instant START = Instant.parse("2026-01-05T08:00:10Z");

    @TempDir
    Path tmp;

    private InfluxdProcess influx() {
        InfluxdProcess influx = new InfluxdProcess(InfluxdProcess.Options.defaults()
                .withLocal(LocalOptions.defaults().withRunDirParent(tmp)));
        influx.start();
        influx.createDatabase("sinktest");
        return influx;
    }

    private static DeviceWindow device(String id, Aggregate values) {
        return new DeviceWindow("city", "north district", "noise", id, "db", WindowSize.TEN_SECONDS, START, values);
    }

    private static void write(InfluxSink.Settings settings, List<DeviceWindow> devices, List<SiteWindow> sites)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(devices, TypeInformation.of(DeviceWindow.class))
                .sinkTo(new InfluxSink<>(settings, InfluxPoints::of));
        if (!sites.isEmpty()) {
            env.fromData(sites, TypeInformation.of(SiteWindow.class))
                    .sinkTo(new InfluxSink<>(settings, InfluxPoints::of));
        }
        env.execute("influx sink test");
    }

    @Test
    void shouldWriteTheSchemaAndOverwriteARewrittenWindow() throws Exception {
        try (InfluxdProcess influx = influx()) {
            InfluxSink.Settings settings = InfluxSink.Settings.of(influx.url(), "sinktest");
            write(
                    settings,
                    List.of(device("n-1", Aggregate.of(40)), device("n-2", Aggregate.of(55))),
                    List.of(new SiteWindow(
                            "city",
                            "north district",
                            "noise",
                            "db",
                            WindowSize.TEN_SECONDS,
                            START,
                            new Aggregate(2, 95, 40, 55),
                            2)));
            write(settings, List.of(device("n-1", Aggregate.of(40).plus(80))), List.of()); // a late correction

            String devices = influx.query(
                    "sinktest",
                    "SELECT \"count\", \"sum\", \"min\", \"max\", \"mean\" FROM device_metrics "
                            + "WHERE site = 'north district' GROUP BY device_id");
            assertThat(devices)
                    .contains("\"device_id\":\"n-1\"")
                    .contains("[" + START.toEpochMilli() + ",2,120,40,80,60]")
                    .contains("\"device_id\":\"n-2\"")
                    .contains("[" + START.toEpochMilli() + ",1,55,55,55,55]")
                    .doesNotContain("[" + START.toEpochMilli() + ",1,40,40,40,40]");
            String sites = influx.query(
                    "sinktest", "SELECT \"count\", \"devices\", \"mean\" FROM site_metrics WHERE \"window\" = '10s'");
            assertThat(sites).contains("[" + START.toEpochMilli() + ",2,2,47.5]");
        }
    }

    /**
     * Issue #17: InfluxDB with authentication. With the login the points are written; with a wrong
     * password the write fails at once, naming the refusal (it is not retried for {@code retry-for}:
     * a login does not fix itself).
     */
    @Test
    void shouldWriteWithALoginAndFailAtOnceWithAWrongOne() throws Exception {
        try (InfluxdProcess influx = new InfluxdProcess(InfluxdProcess.Options.defaults()
                .withLocal(LocalOptions.defaults().withRunDirParent(tmp))
                .withAuth("admin", "s3cret-2"))) {
            influx.start();
            influx.createDatabase("sinktest");
            InfluxSink.Settings settings = new InfluxSink.Settings(
                    influx.url(),
                    "sinktest",
                    "admin",
                    "s3cret-2",
                    5000,
                    Duration.ofMillis(100),
                    Duration.ofSeconds(60),
                    null,
                    null);
            write(settings, List.of(device("n-1", Aggregate.of(40))), List.of());
            assertThat(influx.query("sinktest", "SELECT \"count\" FROM device_metrics GROUP BY device_id"))
                    .contains("\"device_id\":\"n-1\"");

            InfluxSink.Settings wrong = new InfluxSink.Settings(
                    influx.url(),
                    "sinktest",
                    "admin",
                    "guessed",
                    5000,
                    Duration.ofMillis(100),
                    Duration.ofSeconds(60),
                    null,
                    null);
            long began = System.nanoTime();
            assertThatThrownBy(() -> write(wrong, List.of(device("n-2", Aggregate.of(40))), List.of()))
                    .rootCause()
                    .hasMessageContaining("authorization failed");
            assertThat(Duration.ofNanos(System.nanoTime() - began))
                    .as("not retried for retry-for")
                    .isLessThan(Duration.ofSeconds(30));
            assertThat(wrong.toString()).doesNotContain("guessed");
        }
    }

    /**
     * Issue #17: InfluxDB over https, its certificate signed by a private authority. Trusting that
     * authority ({@code influx.tls.truststore}) the points are written; with only the JVM's own
     * trust store the write fails on the certificate, and nothing is written.
     */
    @Test
    void shouldWriteOverHttpsTrustingAPrivateAuthority() throws Exception {
        TlsCertificates certificates = TlsCertificates.forLoopback(tmp.resolve("tls"));
        try (InfluxdProcess influx = new InfluxdProcess(InfluxdProcess.Options.defaults()
                .withLocal(LocalOptions.defaults().withRunDirParent(tmp))
                .withTls(certificates))) {
            influx.start();
            influx.createDatabase("sinktest");
            assertThat(influx.url()).startsWith("https://");
            InfluxSink.Settings trusting = InfluxSink.Settings.of(influx.url(), "sinktest")
                    .withTrustStore(certificates.trustStore().toString(), certificates.trustStorePassword());
            write(trusting, List.of(device("n-1", Aggregate.of(40))), List.of());
            assertThat(influx.query("sinktest", "SELECT \"count\" FROM device_metrics GROUP BY device_id"))
                    .contains("\"device_id\":\"n-1\"");
            assertThat(trusting.toString()).doesNotContain(certificates.trustStorePassword());

            InfluxSink.Settings untrusting =
                    InfluxSink.Settings.of(influx.url(), "sinktest").withRetryFor(Duration.ofSeconds(1));
            assertThatThrownBy(() -> write(untrusting, List.of(device("n-2", Aggregate.of(40))), List.of()))
                    .rootCause()
                    .hasMessageContaining("unable to find valid certification path");
            assertThat(influx.query("sinktest", "SELECT \"count\" FROM device_metrics GROUP BY device_id"))
                    .doesNotContain("\"device_id\":\"n-2\"");
        }
        assertThatThrownBy(() -> InfluxSink.Settings.of("http://127.0.0.1:8086", "sinktest")
                        .withTrustStore("trust.p12", null))
                .hasMessageContaining("not https://");
    }

    @Test
    void shouldRetryWhileInfluxDbIsAwayAndLoseNothing() throws Exception {
        try (InfluxdProcess influx = influx()) {
            influx.stop();
            InfluxSink.Settings settings =
                    InfluxSink.Settings.of(influx.url(), "sinktest").withRetryFor(Duration.ofSeconds(90));
            CompletableFuture<Void> job = CompletableFuture.runAsync(() -> {
                try {
                    write(settings, List.of(device("n-1", Aggregate.of(1)), device("n-2", Aggregate.of(2))), List.of());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(8_000); // the writer retries meanwhile
            assertThat(job).as("still retrying, not failed and not done").isNotDone();
            influx.start();

            job.get();
            String devices = influx.query("sinktest", "SELECT \"count\" FROM device_metrics GROUP BY device_id");
            assertThat(devices).contains("\"device_id\":\"n-1\"").contains("\"device_id\":\"n-2\"");
        }
    }
}
