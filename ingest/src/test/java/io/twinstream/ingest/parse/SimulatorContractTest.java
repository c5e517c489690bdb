package io.twinstream.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import io.twinstream.model.Reading;
import io.twinstream.simulator.scenario.ScenarioParser;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.SimMessage;
import io.twinstream.simulator.stream.StreamObserver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ingest reads every reading the simulator writes, in every format, and rejects every payload the
 * simulator means to be malformed: the two sides of the wire contract agree.
 */
class SimulatorContractTest {

    private final PayloadParser parser = new PayloadParser(256 * 1024, Duration.ofDays(366));

    @ParameterizedTest
    @ValueSource(strings = {"demo.yaml", "factory.yaml"})
    void shouldAcceptEveryReadingAndRejectEveryMalformedPayload(String scenario) throws Exception {
        DeviceFleet fleet = new DeviceFleet(ScenarioParser.load(scenario), scenario.equals("factory.yaml") ? 0.2 : 1);
        MessageGenerator generator = new MessageGenerator(fleet, StreamObserver.NONE);
        int readings = 0;
        int malformed = 0;
        int messages = 0;
        for (SimMessage m = generator.next(); m != null && messages < 200_000; m = generator.next(), messages++) {
            switch (m.kind()) {
                case READINGS, DUPLICATE -> {
                    // "now" is the simulated send time: the scenario may lie in the past or future.
                    List<Reading> parsed = parser.parse(m.topic(), m.payload(), m.sendMillis());
                    assertThat(parsed).as(m.topic()).hasSize(m.readings());
                    readings += parsed.size();
                }
                case MALFORMED -> {
                    malformed++;
                    SimMessage bad = m;
                    assertThatThrownBy(() -> parser.parse(bad.topic(), bad.payload(), bad.sendMillis()))
                            .isInstanceOf(PayloadRejectedException.class);
                }
                default -> { }
            }
        }
        assertThat(readings).isGreaterThan(1000);
        assertThat(malformed).isPositive();
    }
}
