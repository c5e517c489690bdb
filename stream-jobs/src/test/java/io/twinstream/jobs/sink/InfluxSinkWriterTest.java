package io.twinstream.jobs.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.influxdb.InfluxDBException;
import org.junit.jupiter.api.Test;

class InfluxSinkWriterTest {

    /** InfluxDB 1.x's answers (influxd 1.6.7 here) to points it will never take. */
    @Test
    void shouldNotRetryPointsInfluxDbRefusedForGoodButSeekThemOut() {
        for (String answer : new String[] {
            // the benchmark, once 100,000 device ids were in a database
            "partial write: max-values-per-tag limit exceeded (100000/100000): measurement=\"device_metrics\" "
                    + "tag=\"device_id\" value=\"flush-7\" dropped=1",
            "partial write: field type conflict: input field \"count\" on measurement \"device_metrics\" is type float",
            "partial write: points beyond retention policy dropped=1",
            "points beyond retention policy dropped=1",
            "unable to parse 'device_metrics,device_id=x count=1i -9223370269254775808000000': time outside range "
                    + "-9223370269254775808000000"
        }) {
            InfluxDBException refusal = InfluxDBException.buildExceptionForErrorState(answer);
            assertThat(InfluxSinkWriter.worthRetrying(refusal)).as(answer).isFalse();
            assertThat(InfluxSinkWriter.refusesPoints(refusal)).as(answer).isTrue();
        }
        InfluxDBException noDatabase =
                InfluxDBException.buildExceptionForErrorState("database not found: \"telemetry\"");
        assertThat(InfluxSinkWriter.refusesPoints(noDatabase))
                .as("the whole write's, not the points'")
                .isFalse();
    }

    @Test
    void shouldRetryWhatMaySucceedLater() {
        assertThat(InfluxSinkWriter.worthRetrying(InfluxDBException.buildExceptionForErrorState("timeout")))
                .isTrue();
        assertThat(InfluxSinkWriter.worthRetrying(new InfluxDBException(new java.net.ConnectException("refused"))))
                .isTrue();
    }
}
