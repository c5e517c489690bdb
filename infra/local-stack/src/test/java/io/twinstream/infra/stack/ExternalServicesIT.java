package io.twinstream.infra.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.infra.stack.local.FreePorts;
import io.twinstream.infra.stack.local.InfluxdProcess;
import io.twinstream.infra.stack.local.KafkaProcess;
import io.twinstream.infra.stack.local.LocalOptions;
import io.twinstream.infra.stack.local.MosquittoProcess;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MQTT_URL, KAFKA_BOOTSTRAP and INFLUX_URL point a run at existing services, which it never stops. */
class ExternalServicesIT {

    @TempDir
    Path tmp;

    @Test
    void shouldUseNamedServicesAndLeaveThemRunning() {
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);
        try (MosquittoProcess mqtt =
                        new MosquittoProcess(MosquittoProcess.Options.defaults().withLocal(local));
                KafkaProcess kafka =
                        new KafkaProcess(KafkaProcess.Options.defaults().withLocal(local));
                InfluxdProcess influx =
                        new InfluxdProcess(InfluxdProcess.Options.defaults().withLocal(local))) {
            mqtt.start();
            kafka.start();
            influx.start();
            Map<String, String> env = Map.of(
                    "MQTT_URL",
                    mqtt.url(),
                    "KAFKA_BOOTSTRAP",
                    kafka.bootstrapServers(),
                    "INFLUX_URL",
                    influx.url() + "/",
                    "TWINSTREAM_BACKEND",
                    "docker"); // named services win over any backend

            try (ServiceStack stack = new ServiceStack(env, () -> true, local)) {
                stack.startAll();
                assertThat(stack.backendFor(StackService.MQTT)).isEqualTo(Backend.EXTERNAL);
                assertThat(stack.mqtt().url()).isEqualTo(mqtt.url());
                assertThat(stack.kafka().bootstrapServers()).isEqualTo(kafka.bootstrapServers());
                assertThat(stack.influx().url()).isEqualTo(influx.url());
                assertThat(stack.localPids()).isEmpty();
            }

            assertThat(mqtt.isRunning()).isTrue();
            assertThat(kafka.isRunning()).isTrue();
            assertThat(influx.isRunning()).isTrue();
        }
    }

    @Test
    void shouldSayWhichVariableNamesAnUnreachableService() {
        int nothingListens = FreePorts.pick();
        LocalOptions local = LocalOptions.defaults().withRunDirParent(tmp);

        try (ServiceStack stack = new ServiceStack(
                Map.of(
                        "MQTT_URL",
                        "tcp://127.0.0.1:" + nothingListens,
                        "INFLUX_URL",
                        "http://127.0.0.1:" + nothingListens,
                        "KAFKA_BOOTSTRAP",
                        "not-a-bootstrap"),
                () -> false,
                local)) {
            assertThatThrownBy(stack::mqtt)
                    .isInstanceOf(ServiceStartException.class)
                    .hasMessageContaining("MQTT_URL=tcp://127.0.0.1:" + nothingListens)
                    .hasMessageContaining("no MQTT broker answered");
            assertThatThrownBy(stack::influx)
                    .isInstanceOf(ServiceStartException.class)
                    .hasMessageContaining("INFLUX_URL=")
                    .hasMessageContaining("no InfluxDB answered");
            assertThatThrownBy(stack::kafka)
                    .isInstanceOf(ServiceStartException.class)
                    .hasMessageContaining("KAFKA_BOOTSTRAP=not-a-bootstrap must look like host:9092");
        }
    }

    @Test
    void shouldRejectAnMqttUrlWithAnotherScheme() {
        try (ServiceStack stack = new ServiceStack(
                Map.of("MQTT_URL", "http://127.0.0.1:1883"),
                () -> false,
                LocalOptions.defaults().withRunDirParent(tmp))) {
            assertThatThrownBy(stack::mqtt)
                    .isInstanceOf(ServiceStartException.class)
                    .hasMessageContaining("must look like tcp://host:1883");
        }
    }
}
