package io.twinstream.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.model.Reading;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.ScenarioParser;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.SimMessage;
import io.twinstream.simulator.stream.StreamObserver;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ingest reads every reading the simulator writes, in every format, and rejects every payload the
 * simulator means to be malformed: the two sides of the wire contract agree.
 */
class SimulatorContractTest {

    private final PayloadParser parser = new PayloadParser(PayloadLimits.DEFAULTS);

    @ParameterizedTest
    @ValueSource(strings = {"demo.yaml", "factory.yaml"})
    void shouldAcceptEveryReadingAndRejectEveryMalformedPayload(String scenario) throws Exception {
        DeviceFleet fleet =
                new DeviceFleet(ScenarioParser.load(scenario).startingNow(), scenario.equals("factory.yaml") ? 0.2 : 1);
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
                default -> {}
            }
        }
        assertThat(readings).isGreaterThan(1000);
        assertThat(malformed).isPositive();
    }

    /**
     * Whatever today's date: each shipped scenario, started at the present of a clock years ahead
     * (and at awkward instants: a leap day, the last millisecond of a day, of a year), is published
     * with its timestamps next to the wall clock, and ingest, with its default clock check and that
     * clock as "now" at each message's wall time of publishing, accepts every reading of it.
     */
    @ParameterizedTest
    @CsvSource({
        "demo.yaml, 2031-03-15T02:17:31.250Z, 1",
        "demo.yaml, 2034-07-02T23:59:59.999Z, 1",
        "city.yaml, 2030-12-31T23:59:59.999Z, 0.02",
        "factory.yaml, 2032-02-29T12:00:00Z, 0.1"
    })
    void shouldAcceptEveryReadingOfAShippedScenarioPlayedAtThePresentOfAnyDate(String name, String now, double scale)
            throws Exception {
        Clock clock = Clock.fixed(Instant.parse(now), ZoneOffset.UTC);
        Scenario unstarted = ScenarioParser.load(name);
        Scenario scenario = unstarted.startingNow(clock, unstarted.speed());
        long start = scenario.start().toEpochMilli();
        long publishFrom = clock.millis();
        long maxClockSkew = scenario.faults().clockSkew().toMillis();
        MessageGenerator generator = new MessageGenerator(new DeviceFleet(scenario, scale), StreamObserver.NONE);
        long readings = 0;
        long aheadAtMost = Long.MIN_VALUE;
        for (SimMessage m = generator.next(); m != null; m = generator.next()) {
            // The wall time at which the simulator publishes this message, at the scenario's speed.
            long wall = publishFrom + (long) ((m.sendMillis() - start) / unstarted.speed());
            if (m.kind() == SimMessage.Kind.READINGS || m.kind() == SimMessage.Kind.DUPLICATE) {
                for (Reading r : parser.parse(m.topic(), m.payload(), wall)) {
                    aheadAtMost = Math.max(aheadAtMost, r.ts() - wall);
                    readings++;
                }
            }
        }
        assertThat(readings).isGreaterThan(1000);
        assertThat(aheadAtMost)
                .as("how far a reading is stamped ahead of the wall clock when published, ms")
                .isLessThanOrEqualTo(maxClockSkew);
        assertThat(scenario.start())
                .isBefore(Instant.parse(now))
                .isAfter(Instant.parse(now).minus(scenario.duration()));
    }
}
