package io.twinstream.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.model.Reading;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PayloadParserTest {

    private static final long NOW = Instant.parse("2026-11-28T12:00:00Z").toEpochMilli();
    private static final String TOPIC = "telemetry/city/tverskoy/air-quality/aq-000123";
    private final PayloadParser parser = new PayloadParser(PayloadLimits.DEFAULTS);

    private List<Reading> parse(String topic, String payload) throws PayloadRejectedException {
        return parser.parse(topic, payload.getBytes(StandardCharsets.UTF_8), NOW);
    }

    @Test
    void shouldReadAJsonReadingWithTheDeviceFromTheTopic() throws Exception {
        List<Reading> readings = parse(TOPIC, "{\"ts\":" + NOW + ",\"seq\":17,\"metrics\":{\"pm25\":12.3,\"no2\":40}}");

        assertThat(readings)
                .containsExactly(new Reading(
                        "city",
                        "tverskoy",
                        "air-quality",
                        "aq-000123",
                        NOW,
                        17,
                        NOW,
                        new String[] {"pm25", "no2"},
                        new double[] {12.3, 40}));
    }

    @Test
    void shouldReadAGatewayBatchAsOneReadingPerDevice() throws Exception {
        List<Reading> readings = parse(
                "telemetry/city/presnensky/gateway/gw-presnensky-001",
                "["
                        + "{\"deviceId\":\"em-000001\",\"deviceType\":\"electricity-meter\",\"ts\":" + NOW
                        + ",\"seq\":1,\"metrics\":{\"energy\":100.5,\"power\":1.2}},"
                        + "{\"deviceId\":\"wm-000001\",\"ts\":" + (NOW + 5) + ",\"seq\":9,\"metrics\":{\"flow\":3}}]");

        assertThat(readings).extracting(Reading::deviceId).containsExactly("em-000001", "wm-000001");
        assertThat(readings).extracting(Reading::deviceType).containsExactly("electricity-meter", "gateway");
        assertThat(readings.get(1).seq()).isEqualTo(9);
        assertThat(readings).extracting(Reading::site).containsOnly("presnensky");
    }

    /**
     * A device may batch its own readings on its own topic; only a gateway's batch names other devices
     * (see the refusals).
     */
    @Test
    void shouldReadADevicesBatchOfItsOwnReadings() throws Exception {
        List<Reading> readings = parse(
                TOPIC,
                "[{\"deviceId\":\"aq-000123\",\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"pm25\":1}},"
                        + "{\"deviceId\":\"aq-000123\",\"ts\":" + (NOW + 5) + ",\"seq\":2,\"metrics\":{\"pm25\":2}}]");

        assertThat(readings).extracting(Reading::deviceId).containsExactly("aq-000123", "aq-000123");
        assertThat(readings).extracting(Reading::seq).containsExactly(1L, 2L);
    }

    @Test
    void shouldReadSenmlGroupingRecordsByTime() throws Exception {
        double bt = NOW / 1000.0;
        List<Reading> readings = parse(
                TOPIC,
                "[{\"bn\":\"urn:dev:id:aq-000123:\",\"bt\":" + bt + ",\"n\":\"pm25\",\"u\":\"ug/m3\",\"v\":12.3},"
                        + "{\"n\":\"no2\",\"u\":\"ug/m3\",\"v\":40},{\"n\":\"pm25\",\"t\":10,\"v\":13.5},{\"n\":\"status\",\"vs\":\"ok\"}]");

        assertThat(readings).hasSize(2);
        assertThat(readings.get(0).ts()).isEqualTo(NOW);
        assertThat(readings.get(0).metricNames()).containsExactly("pm25", "no2");
        assertThat(readings.get(0).hasSeq()).isFalse();
        assertThat(readings.get(1).ts()).isEqualTo(NOW + 10_000);
        assertThat(readings.get(1).metricValues()).containsExactly(13.5);
    }

    @Test
    void shouldReadTheSenmlDraftFormAndCoerceNumericStrings() throws Exception {
        List<Reading> readings = parse(
                TOPIC,
                "{\"bn\":\"aq-000123\",\"bt\":" + (NOW / 1000) + ".250,\"e\":["
                        + "{\"n\":\"pm25\",\"u\":\"ug/m3\",\"v\":\"12.3\"},{\"n\":\"no2\",\"v\":\" 40 \"}]}");

        assertThat(readings).hasSize(1);
        assertThat(readings.get(0).ts()).isEqualTo(NOW / 1000 * 1000 + 250);
        assertThat(readings.get(0).metricValues()).containsExactly(12.3, 40.0);
    }

    /** Jackson's fast double parser is on: every value must still be the JDK's correctly rounded double. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "0.1",
                "12.3",
                "-0.0",
                "9007199254740993",
                "2.2250738585072011e-308",
                "4.9e-324",
                "1e300",
                "123456789.123456789",
                "1e23",
                "8.41e21",
                "5e-324",
                "3.0000000000000004"
            })
    void shouldReadEveryNumberAsTheJdkDoes(String number) throws Exception {
        PayloadParser parser = new PayloadParser(new PayloadLimits(
                PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES,
                PayloadLimits.DEFAULT_MAX_CLOCK_DISTANCE,
                PayloadLimits.DEFAULT_MAX_FUTURE,
                PayloadLimits.DEFAULT_MAX_METRICS,
                1e300));
        for (String topic : List.of(TOPIC, "telemetry/city/s/gateway/gw-1")) {
            String reading = "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":" + number + "}}";
            String payload =
                    topic.equals(TOPIC) ? reading : "[" + reading.replace("{\"ts", "{\"deviceId\":\"d\",\"ts") + "]";

            assertThat(parser.parse(topic, payload.getBytes(StandardCharsets.UTF_8), NOW)
                            .get(0)
                            .metricValues()[0])
                    .isEqualTo(Double.parseDouble(number));
            assertThat(parser.parseTree(topic, TopicAddress.parse(topic), payload.getBytes(StandardCharsets.UTF_8), NOW)
                            .get(0)
                            .metricValues()[0])
                    .isEqualTo(Double.parseDouble(number));
        }
    }

    @Test
    void shouldAcceptATimestampUpToMaxFutureAheadAndAsOldAsMaxClockDistance() throws Exception {
        String reading = "{\"ts\":%d,\"seq\":1,\"metrics\":{\"v\":1}}";

        assertThat(parse(TOPIC, String.format(reading, NOW + 60_000))).hasSize(1);
        assertThat(parse(TOPIC, String.format(reading, NOW - 366L * 86_400_000)))
                .hasSize(1);
        assertThatThrownBy(() -> parse(TOPIC, String.format(reading, NOW + 60_001)))
                .hasMessageContaining("ahead of the bridge's clock")
                .hasMessageContaining("ingest.max-future");
    }

    @Test
    void shouldAcceptAsManyMetricsAndAsLargeValuesAsTheLimitsAllow() throws Exception {
        assertThat(parse(TOPIC, "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{" + metrics(64) + "}}")
                        .get(0)
                        .metricCount())
                .isEqualTo(64);
        assertThat(parse(TOPIC, senml(64)).get(0).metricCount()).isEqualTo(64);
        assertThat(parse(TOPIC, "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"a\":1e15,\"b\":-1e15}}")
                        .get(0)
                        .metricValues())
                .containsExactly(1e15, -1e15);
    }

    /** {@code "m0":0,"m1":1,...} (also for StreamingReadingParserTest) */
    static String metrics(int count) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < count; i++) {
            s.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":").append(i);
        }
        return s.toString();
    }

    /** A SenML pack of {@code count} metrics at one time. */
    private static String senml(int count) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            s.append(i == 0 ? "{\"bt\":" + NOW / 1000 + "," : ",{")
                    .append("\"n\":\"m")
                    .append(i)
                    .append("\",\"v\":")
                    .append(i)
                    .append('}');
        }
        return s.append(']').toString();
    }

    static Stream<Arguments> badPayloads() {
        String ok = "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":1}}";
        return Stream.of(
                Arguments.of(
                        "truncated JSON",
                        TOPIC,
                        "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v",
                        RejectReason.MALFORMED_JSON),
                Arguments.of(
                        "ts as a string",
                        TOPIC,
                        "{\"ts\":\"yesterday\",\"seq\":1,\"metrics\":{\"v\":1}}",
                        RejectReason.WRONG_TYPE),
                Arguments.of(
                        "metric as a string",
                        TOPIC,
                        "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":\"1\"}}",
                        RejectReason.NOT_A_NUMBER),
                Arguments.of(
                        "metrics as a list",
                        TOPIC,
                        "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":[1]}",
                        RejectReason.WRONG_TYPE),
                Arguments.of(
                        "NaN literal",
                        TOPIC,
                        "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":NaN}}",
                        RejectReason.MALFORMED_JSON),
                Arguments.of(
                        "Infinity literal",
                        TOPIC,
                        "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":Infinity}}",
                        RejectReason.MALFORMED_JSON),
                Arguments.of(
                        "overflowing number",
                        TOPIC,
                        "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":1e999}}",
                        RejectReason.NOT_A_NUMBER),
                Arguments.of(
                        "SenML NaN string",
                        TOPIC,
                        "[{\"n\":\"v\",\"t\":" + NOW / 1000 + ",\"v\":\"NaN\"}]",
                        RejectReason.NOT_A_NUMBER),
                Arguments.of(
                        "unknown field",
                        TOPIC,
                        "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":1},\"extra\":true}",
                        RejectReason.UNKNOWN_FIELD),
                Arguments.of("no seq", TOPIC, "{\"ts\":" + NOW + ",\"metrics\":{\"v\":1}}", RejectReason.MISSING_FIELD),
                Arguments.of(
                        "empty metrics",
                        TOPIC,
                        "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{}}",
                        RejectReason.NO_METRICS),
                Arguments.of(
                        "1970",
                        TOPIC,
                        "{\"ts\":0,\"seq\":1,\"metrics\":{\"v\":1}}",
                        RejectReason.TIMESTAMP_OUT_OF_RANGE),
                Arguments.of(
                        "2100",
                        TOPIC,
                        "{\"ts\":4102444800000,\"seq\":1,\"metrics\":{\"v\":1}}",
                        RejectReason.TIMESTAMP_IN_FUTURE),
                Arguments.of(
                        "61 s ahead",
                        TOPIC,
                        ok.replace(Long.toString(NOW), Long.toString(NOW + 61_000)),
                        RejectReason.TIMESTAMP_IN_FUTURE),
                Arguments.of(
                        "a batch 300 days ahead",
                        "telemetry/city/s/gateway/gw-1",
                        "[{\"deviceId\":\"a\",\"ts\":" + (NOW + 300L * 86_400_000)
                                + ",\"seq\":1,\"metrics\":{\"v\":1}}]",
                        RejectReason.TIMESTAMP_IN_FUTURE),
                Arguments.of(
                        "SenML 10 minutes ahead",
                        TOPIC,
                        "[{\"n\":\"v\",\"t\":" + (NOW + 600_000) / 1000 + ",\"v\":1}]",
                        RejectReason.TIMESTAMP_IN_FUTURE),
                Arguments.of(
                        "Long.MIN_VALUE + now (overflows a subtraction)",
                        TOPIC,
                        ok.replace(Long.toString(NOW), Long.toString(Long.MIN_VALUE + NOW)),
                        RejectReason.TIMESTAMP_OUT_OF_RANGE),
                Arguments.of(
                        "65 metrics",
                        TOPIC,
                        "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{" + metrics(65) + "}}",
                        RejectReason.TOO_MANY_METRICS),
                Arguments.of("SenML with 65 metrics at one time", TOPIC, senml(65), RejectReason.TOO_MANY_METRICS),
                Arguments.of("1.7e308", TOPIC, ok.replace("\"v\":1", "\"v\":1.7e308"), RejectReason.VALUE_OUT_OF_RANGE),
                Arguments.of(
                        "-1.000001e15",
                        TOPIC,
                        ok.replace("\"v\":1", "\"v\":-1.000001e15"),
                        RejectReason.VALUE_OUT_OF_RANGE),
                Arguments.of(
                        "a batch element of 1e300",
                        "telemetry/city/s/gateway/gw-1",
                        "[{\"deviceId\":\"a\",\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":1e300}}]",
                        RejectReason.VALUE_OUT_OF_RANGE),
                Arguments.of(
                        "Long.MAX_VALUE",
                        TOPIC,
                        ok.replace(Long.toString(NOW), Long.toString(Long.MAX_VALUE)),
                        RejectReason.TIMESTAMP_IN_FUTURE),
                Arguments.of("metric with a space", TOPIC, ok.replace("\"v\"", "\"pm 25\""), RejectReason.UNSAFE_NAME),
                Arguments.of("metric with a comma", TOPIC, ok.replace("\"v\"", "\"pm,25\""), RejectReason.UNSAFE_NAME),
                Arguments.of(
                        "metric with a quote", TOPIC, ok.replace("\"v\"", "\"pm\\\"25\""), RejectReason.UNSAFE_NAME),
                Arguments.of(
                        "metric with a newline", TOPIC, ok.replace("\"v\"", "\"pm\\n25\""), RejectReason.UNSAFE_NAME),
                Arguments.of("metric with =", TOPIC, ok.replace("\"v\"", "\"pm=25\""), RejectReason.UNSAFE_NAME),
                Arguments.of("device id with a space", "telemetry/city/s/noise/dev 1", ok, RejectReason.UNSAFE_NAME),
                Arguments.of("device id with a comma", "telemetry/city/s/noise/dev,1", ok, RejectReason.UNSAFE_NAME),
                Arguments.of("device id with =", "telemetry/city/s/noise/dev=1", ok, RejectReason.UNSAFE_NAME),
                Arguments.of("device id with a quote", "telemetry/city/s/noise/dev\"1", ok, RejectReason.UNSAFE_NAME),
                Arguments.of("device id with a newline", "telemetry/city/s/noise/dev\n1", ok, RejectReason.UNSAFE_NAME),
                Arguments.of(
                        "batch device id with a space",
                        "telemetry/city/s/gateway/gw-1",
                        "[{\"deviceId\":\"a b\",\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":1}}]",
                        RejectReason.UNSAFE_NAME),
                Arguments.of(
                        "batch element without deviceId",
                        "telemetry/city/s/gateway/gw-1",
                        "[{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":1}}]",
                        RejectReason.MISSING_FIELD),
                Arguments.of(
                        "batch element without metrics",
                        "telemetry/city/s/gateway/gw-1",
                        "[{\"deviceId\":\"a\",\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":1}},"
                                + "{\"deviceId\":\"b\",\"ts\":" + NOW + ",\"seq\":1}]",
                        RejectReason.MISSING_FIELD),
                Arguments.of(
                        "batch element not an object",
                        "telemetry/city/s/gateway/gw-1",
                        "[{\"deviceId\":\"a\",\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":1}},7]",
                        RejectReason.WRONG_TYPE),
                Arguments.of("a second JSON value after the reading", TOPIC, ok + ok, RejectReason.MALFORMED_JSON),
                Arguments.of("junk after the reading", TOPIC, ok + " x", RejectReason.MALFORMED_JSON),
                Arguments.of(
                        "single reading on a gateway topic",
                        "telemetry/city/s/gateway/gw-1",
                        ok,
                        RejectReason.WRONG_TYPE),
                Arguments.of(
                        "a batch on a device's topic naming another device (only a gateway speaks for others)",
                        TOPIC,
                        "[{\"deviceId\":\"" + TOPIC.substring(TOPIC.lastIndexOf('/') + 1) + "\",\"ts\":" + NOW
                                + ",\"seq\":1,\"metrics\":{\"v\":1}},{\"deviceId\":\"someone-else\",\"ts\":" + NOW
                                + ",\"seq\":1,\"metrics\":{\"v\":1}}]",
                        RejectReason.DEVICE_MISMATCH),
                Arguments.of(
                        "SenML for another device",
                        TOPIC,
                        "[{\"bn\":\"urn:dev:id:aq-999:\",\"n\":\"v\",\"t\":" + NOW / 1000 + ",\"v\":1}]",
                        RejectReason.DEVICE_MISMATCH),
                Arguments.of("unknown domain", "telemetry/town/s/noise/n-1", ok, RejectReason.BAD_TOPIC),
                Arguments.of("short topic", "telemetry/city/s/n-1", ok, RejectReason.BAD_TOPIC),
                Arguments.of("a bare number", TOPIC, "42", RejectReason.MISSING_FIELD),
                Arguments.of("empty payload", TOPIC, "", RejectReason.EMPTY),
                Arguments.of(
                        "huge payload",
                        TOPIC,
                        "{\"ts\":" + NOW + ",\"seq\":1,\"metrics\":{\"v\":1},\"pad\":\"" + "x".repeat(300_000) + "\"}",
                        RejectReason.TOO_LARGE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPayloads")
    void shouldRejectWithASpecificReason(String what, String topic, String payload, RejectReason reason) {
        assertThatThrownBy(() -> parse(topic, payload)).isInstanceOfSatisfying(PayloadRejectedException.class, e -> {
            assertThat(e.reason()).as(e.describe()).isEqualTo(reason);
            assertThat(e.describe()).startsWith(reason.code() + ": ").doesNotContain("\n");
        });
    }

    @Test
    void shouldRejectBinaryJunkAsMalformed() {
        byte[] junk = new byte[40];
        for (int i = 0; i < junk.length; i++) {
            junk[i] = (byte) (0x80 | (i * 7 % 128));
        }

        assertThatThrownBy(() -> parser.parse(TOPIC, junk, NOW))
                .isInstanceOfSatisfying(
                        PayloadRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.MALFORMED_JSON));
    }
}
