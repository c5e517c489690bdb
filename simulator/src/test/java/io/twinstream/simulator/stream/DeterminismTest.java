package io.twinstream.simulator.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.ScenarioParser;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Same scenario + same seed ⇒ byte-identical message stream. */
class DeterminismTest {

    private static String hash(DeviceFleet fleet) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long messages = 0;
        for (SimMessage m : Streams.all(fleet, StreamObserver.NONE)) {
            digest.update((m.sendMillis() + m.topic() + m.kind() + m.retained() + m.connection()).getBytes());
            digest.update(m.payload());
            messages++;
        }
        assertThat(messages).isGreaterThan(1000);
        return HexFormat.of().formatHex(digest.digest());
    }

    private static DeviceFleet demo(long seed, double scale) {
        Scenario s = ScenarioParser.load("demo.yaml")
                .overridden(null, seed, java.time.Instant.parse("2026-01-05T04:30:00Z"));
        return new DeviceFleet(s, scale);
    }

    @Test
    void shouldWriteTheSameStreamTwiceForTheSameSeed() throws Exception {
        assertThat(hash(demo(1, 1))).isEqualTo(hash(demo(1, 1)));
    }

    @Test
    void shouldWriteAnotherStreamForAnotherSeed() throws Exception {
        assertThat(hash(demo(1, 1))).isNotEqualTo(hash(demo(2, 1)));
    }

    @Test
    void shouldScaleFleetsByTheRateScale() {
        assertThat(demo(1, 3).size()).isEqualTo(3 * demo(1, 1).size());
        assertThat(demo(1, 0.01).size())
                .as("at least one device per fleet")
                .isEqualTo(demo(1, 1).scenario().sites().stream()
                        .mapToInt(site -> site.fleets().size())
                        .sum());
    }

    @Test
    void shouldNameDevicesAndTopicsAsTheContractSays() {
        DeviceFleet fleet = demo(1, 1);

        assertThat(fleet.id(0)).isEqualTo("aq-000001");
        assertThat(fleet.telemetryTopic(0)).isEqualTo("telemetry/city/tverskoy/air-quality/aq-000001");
        assertThat(DeviceFleet.statusTopic("aq-000001")).isEqualTo("devices/aq-000001/status");
        assertThat(fleet.batchTopic(0)).isEqualTo("telemetry/city/tverskoy/gateway/gw-tverskoy-001");
    }
}
