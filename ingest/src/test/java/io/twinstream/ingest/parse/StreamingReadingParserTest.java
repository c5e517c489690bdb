package io.twinstream.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.model.Reading;
import io.twinstream.simulator.scenario.ScenarioParser;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.SimMessage;
import io.twinstream.simulator.stream.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming path must give the tree path's answer: the same readings for every payload it
 * accepts, nothing for a payload the tree path refuses, and it must accept every valid JSON reading
 * and batch (else it is only slower). Checked on hand-written cases, the simulator's output in every
 * format (including what it means to be malformed), and tens of thousands of one-character mutants
 * of them, from a fixed seed.
 */
class StreamingReadingParserTest {

    private static final long NOW = Instant.parse("2026-11-28T12:00:00Z").toEpochMilli();
    private static final String DEVICE_TOPIC = "telemetry/city/tverskoy/air-quality/aq-000123";
    private static final String GATEWAY_TOPIC = "telemetry/city/presnensky/gateway/gw-presnensky-001";
    /** What a mutation inserts or substitutes: JSON's structure, number syntax, and a few letters. */
    private static final String MUTATION_CHARACTERS = "{}[],:\" -+.0123456789eEtruefalsn\\x";

    private final PayloadParser parser = new PayloadParser(PayloadLimits.DEFAULTS);

    private record Case(String topic, byte[] payload, long now) {}

    private int fastAccepted;
    private int bothRefused;

    @Test
    void shouldAnswerAsTheTreePathOnHandWrittenPayloads() throws Exception {
        for (Case c : handWritten()) {
            check(c);
        }
        assertThat(fastAccepted).isGreaterThanOrEqualTo(6);
        assertThat(bothRefused).isGreaterThanOrEqualTo(30);
    }

    @Test
    void shouldAnswerAsTheTreePathOnTheSimulatorsOutputAndItsMutants() throws Exception {
        List<Case> seeds = new ArrayList<>(handWritten());
        for (String scenario : List.of("demo.yaml", "factory.yaml")) {
            DeviceFleet fleet = new DeviceFleet(ScenarioParser.load(scenario).startingNow(), 0.2);
            MessageGenerator generator = new MessageGenerator(fleet, StreamObserver.NONE);
            int taken = 0;
            for (SimMessage m = generator.next(); m != null && taken < 3000; m = generator.next()) {
                if (isTelemetryTopic(m.topic())) {
                    seeds.add(new Case(m.topic(), m.payload(), m.sendMillis()));
                    taken++;
                }
            }
        }
        Random random = new Random(20261202);
        for (Case seed : seeds) {
            check(seed);
        }
        int acceptedSeeds = fastAccepted;
        for (int i = 0; i < 40_000; i++) {
            Case seed = seeds.get(random.nextInt(seeds.size()));
            check(new Case(seed.topic, mutate(seed.payload, random), seed.now));
        }
        assertThat(acceptedSeeds)
                .as("simulator payloads read by the streaming path")
                .isGreaterThan(3000);
        assertThat(fastAccepted - acceptedSeeds)
                .as("mutants still valid, read by the streaming path")
                .isGreaterThan(1000);
        assertThat(bothRefused).as("mutants refused by both").isGreaterThan(10_000);
    }

    @Test
    void shouldKeepToAMetricsLimitBelowItsOwn() throws Exception {
        PayloadParser strict = new PayloadParser(new PayloadLimits(
                PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES,
                PayloadLimits.DEFAULT_MAX_CLOCK_DISTANCE,
                PayloadLimits.DEFAULT_MAX_FUTURE,
                2,
                PayloadLimits.DEFAULT_MAX_ABS_VALUE));
        byte[] three = ("{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{" + PayloadParserTest.metrics(3) + "}}")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(strict.fastPath().tryParse(three, TopicAddress.parse(DEVICE_TOPIC), NOW))
                .isNull();
        assertThat(strict.fastPath()
                        .tryParse(
                                ("{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{" + PayloadParserTest.metrics(2) + "}}")
                                        .getBytes(StandardCharsets.UTF_8),
                                TopicAddress.parse(DEVICE_TOPIC),
                                NOW))
                .hasSize(1);
    }

    private void check(Case c) throws PayloadRejectedException {
        TopicAddress address = TopicAddress.parse(c.topic);
        String shown = new String(c.payload, StandardCharsets.UTF_8);
        List<Reading> tree;
        try {
            tree = parser.parseTree(c.topic, address, c.payload, c.now);
        } catch (PayloadRejectedException refused) {
            tree = null;
        }
        List<Reading> fast = parser.fastPath().tryParse(c.payload, address, c.now);
        if (tree == null) {
            assertThat(fast)
                    .as("refused by the tree path, so by the streaming path: %s", shown)
                    .isNull();
            bothRefused++;
            return;
        }
        boolean jsonReadings = tree.stream().allMatch(Reading::hasSeq); // SenML carries no seq
        boolean fewMetrics = tree.stream().allMatch(r -> r.metricNames().length <= StreamingReadingParser.MAX_METRICS);
        if (jsonReadings && fewMetrics) {
            assertThat(fast).as("a valid JSON reading or batch: %s", shown).isNotNull();
        }
        if (fast != null) {
            assertThat(fast).as(shown).isEqualTo(tree);
            fastAccepted++;
        }
    }

    /** Deletes, inserts or replaces one character, or repeats a short stretch. */
    private static byte[] mutate(byte[] payload, Random random) {
        StringBuilder s = new StringBuilder(new String(payload, StandardCharsets.UTF_8));
        char c = MUTATION_CHARACTERS.charAt(random.nextInt(MUTATION_CHARACTERS.length()));
        if (s.length() == 0) {
            return String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        }
        int at = random.nextInt(s.length());
        switch (random.nextInt(4)) {
            case 0 -> s.deleteCharAt(at);
            case 1 -> s.insert(at, c);
            case 2 -> s.setCharAt(at, c);
            default -> s.insert(at, s, at, Math.min(s.length(), at + 1 + random.nextInt(12)));
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static List<Case> handWritten() {
        List<Case> cases = new ArrayList<>();
        for (String payload : List.of(
                "{\"ts\":" + NOW + ",\"seq\":17,\"metrics\":{\"pm25\":12.3,\"no2\":40}}",
                " {\"metrics\":{\"a\":-1.5e-3,\"b\":0,\"c\":123456789012345678901234567890},\"seq\":0,\"ts\":" + NOW
                        + "}\n",
                "{\"ts\":" + NOW
                        + ",\"seq\":1,\"metrics\":{\"m0\":0,\"m1\":1,\"m2\":2,\"m3\":3,\"m4\":4,\"m5\":5,\"m6\":6,"
                        + "\"m7\":7,\"m8\":8,\"m9\":9,\"_m10\":10.25,\"m.11\":1E2,\"m-12\":-0.0}}",
                "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{" + PayloadParserTest.metrics(16) + "}}",
                "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{" + PayloadParserTest.metrics(17) + "}}",
                "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{" + PayloadParserTest.metrics(40) + ",\"m3\":1}}",
                "{\"ts\":" + NOW + ",\"seq\":9223372036854775807,\"metrics\":{\"v\":1}}",
                "{\"ts\":" + NOW + ",\"seq\":9223372036854775808,\"metrics\":{\"v\":1}}",
                "{\"ts\":" + NOW + ",\"seq\":-1,\"metrics\":{\"v\":1}}",
                "{\"ts\":" + NOW + ".0,\"seq\":1,\"metrics\":{\"v\":1}}",
                "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":1},\"seq\":2}",
                "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":1,\"v\":2}}",
                "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":null}}",
                "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":true}}",
                "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":{}}}",
                "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":1e400}}",
                "{\"ts\":" + NOW + ",\"seq\":1,\"deviceId\":\"x\",\"metrics\":{\"v\":1}}",
                "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":1}} {}",
                "[{\"bn\":\"urn:dev:id:aq-000123:\",\"bt\":" + NOW / 1000.0 + ",\"n\":\"pm25\",\"v\":12.3}]",
                "{\"bn\":\"aq-000123\",\"bt\":" + NOW / 1000 + ",\"e\":[{\"n\":\"pm25\",\"v\":\"12.3\"}]}")) {
            cases.add(new Case(DEVICE_TOPIC, payload.getBytes(StandardCharsets.UTF_8), NOW));
        }
        String element = "{\"deviceId\":\"em-1\",\"deviceType\":\"electricity-meter\",\"ts\":" + NOW
                + ",\"seq\":1,\"metrics\":{\"energy\":100.5}}";
        for (String payload : List.of(
                "[" + element + ",{\"deviceId\":\"wm-1\",\"ts\":" + (NOW + 5) + ",\"seq\":9,\"metrics\":{\"flow\":3}}]",
                "[" + element + "]",
                "[" + element + ",]",
                "[]",
                "[" + element + ",{\"deviceId\":\"wm-1\",\"ts\":" + NOW + ",\"seq\":9}]",
                "[" + element + ",{\"deviceId\":\"wm 1\",\"ts\":" + NOW + ",\"seq\":9,\"metrics\":{\"flow\":3}}]",
                "[" + element + ",{\"deviceId\":7,\"ts\":" + NOW + ",\"seq\":9,\"metrics\":{\"flow\":3}}]",
                "[" + element + ",{\"deviceId\":\"wm-1\",\"deviceType\":null,\"ts\":" + NOW
                        + ",\"seq\":9,\"metrics\":{\"flow\":3}}]",
                "[" + element + ",42]",
                "[" + element.replace("\"deviceType\"", "\"deviceType\":\"x\",\"deviceType\"") + "]",
                "[" + element.replace("\"deviceId\"", "\"deviceId\":\"x\",\"deviceId\"") + "]",
                "[" + element.replace("\"ts\"", "\"seq\":3,\"ts\"") + "]",
                "[" + element.replace("\"ts\"", "\"metrics\":{\"w\":1},\"ts\"") + "]",
                "[" + element + "][]",
                element)) {
            cases.add(new Case(GATEWAY_TOPIC, payload.getBytes(StandardCharsets.UTF_8), NOW));
        }
        PayloadParserTest.badPayloads().forEach(arguments -> {
            Object[] a = arguments.get();
            String topic = (String) a[1];
            String payload = (String) a[2];
            if (!payload.isEmpty() && payload.length() < 256 * 1024 && isTelemetryTopic(topic)) {
                cases.add(new Case(topic, payload.getBytes(StandardCharsets.UTF_8), NOW));
            }
        });
        return cases;
    }

    private static boolean isTelemetryTopic(String topic) {
        try {
            TopicAddress.parse(topic);
            return true;
        } catch (PayloadRejectedException e) {
            return false;
        }
    }
}
