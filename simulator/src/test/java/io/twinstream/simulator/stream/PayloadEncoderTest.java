package io.twinstream.simulator.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.simulator.device.Metric;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadEncoderTest {

    private final PayloadEncoder encoder = new PayloadEncoder();
    private final List<Metric> metrics = List.of(Metric.gauge("pm25", "ug/m3", 1), Metric.gauge("no2", "ug/m3", 1));
    private final double[] values = {12.3, 40.0};

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteTheContractJson() {
        assertThat(text(encoder.json(1_767_571_200_123L, 17, metrics, values)))
                .isEqualTo("{\"ts\":1767571200123,\"seq\":17,\"metrics\":{\"pm25\":12.3,\"no2\":40}}");
    }

    @Test
    void shouldWriteSenmlWithBaseNameAndSecondsBaseTime() {
        assertThat(text(encoder.senml("aq-000001", 1_767_571_200_123L, metrics, values)))
                .isEqualTo(
                        "[{\"bn\":\"urn:dev:id:aq-000001:\",\"bt\":1767571200.123,\"n\":\"pm25\",\"u\":\"ug/m3\",\"v\":12.3},"
                                + "{\"n\":\"no2\",\"u\":\"ug/m3\",\"v\":40}]");
    }

    @Test
    void shouldWriteTheDraftSenmlFormWithStringValues() {
        assertThat(text(encoder.senmlDraft("aq-000001", 1_767_571_200_005L, metrics, values)))
                .isEqualTo(
                        "{\"bn\":\"aq-000001\",\"bt\":1767571200.005,\"e\":[{\"n\":\"pm25\",\"u\":\"ug/m3\",\"v\":\"12.3\"},"
                                + "{\"n\":\"no2\",\"u\":\"ug/m3\",\"v\":\"40\"}]}");
    }

    @Test
    void shouldWriteAGatewayBatchWithDeviceIdsAndTypes() {
        encoder.beginBatch();
        encoder.batchReading("aq-000001", "air-quality", 1000, 1, metrics, values);
        encoder.batchReading("aq-000002", "air-quality", 2000, 5, metrics, new double[] {1.5, -2.25});

        assertThat(text(encoder.endBatch()))
                .isEqualTo(
                        "["
                                + "{\"deviceId\":\"aq-000001\",\"deviceType\":\"air-quality\",\"ts\":1000,\"seq\":1,\"metrics\":{\"pm25\":12.3,\"no2\":40}},"
                                + "{\"deviceId\":\"aq-000002\",\"deviceType\":\"air-quality\",\"ts\":2000,\"seq\":5,\"metrics\":{\"pm25\":1.5,\"no2\":-2.25}}]");
    }

    @Test
    void shouldWriteNumbersThatParseBackToTheSameDouble() {
        double[] tricky = {0.1 + 0.2, 1e-7, 123456789.125};
        List<Metric> m = List.of(Metric.gauge("a", "", 6), Metric.gauge("b", "", 6), Metric.gauge("c", "", 6));
        double[] parsed = Streams.parseJson(encoder.json(1, 1, m, tricky));

        assertThat(parsed[2]).isEqualTo(tricky[0]);
        assertThat(parsed[3]).isEqualTo(tricky[1]);
        assertThat(parsed[4]).isEqualTo(tricky[2]);
    }
}
