package io.twinstream.infra.stack.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.infra.stack.InfluxServer;
import io.twinstream.infra.stack.ServiceDefaults;
import io.twinstream.infra.stack.junit.ServiceStackExtension;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.Point;
import org.influxdb.dto.Query;
import org.influxdb.dto.QueryResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** InfluxDB is real: a point written with the Java client reads back through InfluxQL. */
@ExtendWith(ServiceStackExtension.class)
class InfluxIT {

    @Test
    void shouldReadBackAWrittenPointWithInfluxQl(InfluxServer influx) {
        String database = "smoke_" + UUID.randomUUID().toString().replace("-", "");
        influx.createDatabase(database);
        long windowStart = 1_764_288_000_000L; // 2025-11-28T00:00:00Z

        try (InfluxDB client = InfluxDBFactory.connect(influx.url())) {
            client.write(
                    database,
                    "autogen",
                    Point.measurement("device_metrics")
                            .time(windowStart, TimeUnit.MILLISECONDS)
                            .tag("device_id", "aq-000123")
                            .tag("metric", "pm25")
                            .tag("window", "10s")
                            .addField("count", 3L)
                            .addField("mean", 12.5)
                            .build());

            QueryResult result = client.query(
                    new Query("SELECT \"count\", \"mean\" FROM device_metrics WHERE device_id = 'aq-000123'", database),
                    TimeUnit.MILLISECONDS);

            assertThat(result.hasError()).isFalse();
            List<List<Object>> rows =
                    result.getResults().get(0).getSeries().get(0).getValues();
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0)).containsExactly((double) windowStart, 3.0, 12.5);
        }
    }

    @Test
    void shouldHaveCreatedTheTelemetryDatabase(InfluxServer influx) {
        assertThat(influx.query(ServiceDefaults.INFLUX_DATABASE, "SHOW DATABASES"))
                .contains("\"" + ServiceDefaults.INFLUX_DATABASE + "\"");
    }

    @Test
    void shouldReportAnInvalidQueryAsAnError(InfluxServer influx) {
        assertThatThrownBy(() -> influx.query(ServiceDefaults.INFLUX_DATABASE, "SELEKT nothing"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("error");
    }
}
