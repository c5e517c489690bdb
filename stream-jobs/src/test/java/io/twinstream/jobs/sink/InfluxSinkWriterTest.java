package io.twinstream.jobs.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.influxdb.InfluxDBException;
import org.junit.jupiter.api.Test;

class InfluxSinkWriterTest {

    @Test
    void shouldNotRetryAWriteInfluxDbRefusedForGood() {
        // As influxd 1.x answered the benchmark once 100,000 device ids were in a database.
        assertThat(InfluxSinkWriter.worthRetrying(InfluxDBException.buildExceptionForErrorState(
                "partial write: max-values-per-tag limit exceeded (100000/100000): measurement=\"device_metrics\" "
                        + "tag=\"device_id\" value=\"flush-7\" dropped=1"))).isFalse();
        assertThat(InfluxSinkWriter.worthRetrying(InfluxDBException.buildExceptionForErrorState(
                "partial write: field type conflict: input field \"count\" on measurement \"device_metrics\" is type float"))).isFalse();
    }

    @Test
    void shouldRetryWhatMaySucceedLater() {
        assertThat(InfluxSinkWriter.worthRetrying(InfluxDBException.buildExceptionForErrorState("timeout"))).isTrue();
        assertThat(InfluxSinkWriter.worthRetrying(new InfluxDBException(new java.net.ConnectException("refused")))).isTrue();
    }
}
