package io.twinstream.jobs.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.SiteWindow;
import io.twinstream.jobs.metrics.WindowSize;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InfluxPointsTest {

    private static final Instant START = Instant.parse("2026-01-05T08:00:10Z");
    private static final Aggregate VALUES = Aggregate.of(2.5).plus(4.5);

    private static String line(DeviceWindow w) {
        return InfluxPoints.of(w).lineProtocol(TimeUnit.MILLISECONDS);
    }

    @Test
    void shouldWriteTheDeviceSchemaWithTheWindowStartAsTime() {
        String line = line(new DeviceWindow(
                "city", "north", "air-quality", "aq-000001", "pm25", WindowSize.TEN_SECONDS, START, VALUES));

        assertThat(line)
                .isEqualTo("device_metrics,device_id=aq-000001,device_type=air-quality,domain=city,metric=pm25,"
                        + "site=north,window=10s count=2i,max=4.5,mean=3.5,min=2.5,sum=7.0 " + START.toEpochMilli());
    }

    /** Device points carry final only where an early result may precede them; an early result always. */
    @Test
    void shouldMarkAnEarlyResultNotFinalAndAFinalDeviceWindowOnlyWhereEarlyOnesAreWritten() {
        DeviceWindow early = new DeviceWindow(
                "city", "north", "air-quality", "aq-000001", "pm25", WindowSize.TEN_SECONDS, START, VALUES, false);
        DeviceWindow closed = new DeviceWindow(
                "city", "north", "air-quality", "aq-000001", "pm25", WindowSize.TEN_SECONDS, START, VALUES);

        assertThat(line(early)).contains(" count=2i,final=false,max=4.5,");
        assertThat(InfluxPoints.of(closed, true).lineProtocol(TimeUnit.MILLISECONDS))
                .contains(" count=2i,final=true,max=4.5,");
        assertThat(line(closed)).doesNotContain("final");
    }

    @Test
    void shouldWriteTheSiteSchemaWithTheNumberOfDevices() {
        String line = InfluxPoints.of(new SiteWindow(
                        "factory", "plant-1", "cnc", "spindle_temp", WindowSize.ONE_MINUTE, START, VALUES, 2))
                .lineProtocol(TimeUnit.MILLISECONDS);

        assertThat(line)
                .isEqualTo("site_metrics,device_type=cnc,domain=factory,metric=spindle_temp,site=plant-1,window=1m "
                        + "count=2i,devices=2i,final=true,max=4.5,mean=3.5,min=2.5,sum=7.0 " + START.toEpochMilli());
    }

    /** Nothing a tag value holds can end the tag set early or add a tag or field. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "north district | north\\ district",
                "a,b          | a\\,b",
                "k=v          | k\\=v",
                "`say \"hi\"` | say\\ \"hi\"",
                "Zürich-Ωμέγα | Zürich-Ωμέγα",
                "`a, b=c d`   | a\\,\\ b\\=c\\ d",
            })
    void shouldEscapeTagValuesSoTheyCannotInjectLineProtocol(String site, String escaped) {
        String line = line(new DeviceWindow("city", site, "noise", "n-1", "db", WindowSize.TEN_SECONDS, START, VALUES));

        assertThat(line)
                .contains(",site=" + escaped + ",window=10s ")
                .startsWith("device_metrics,device_id=n-1,device_type=noise,domain=city,metric=db,");
    }

    @Test
    void shouldRefuseALineBreakInATag() {
        assertThatThrownBy(() -> line(new DeviceWindow(
                        "city", "north", "noise", "n-1\nx", "db", WindowSize.TEN_SECONDS, START, VALUES)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("device_id holds a line break");
        assertThatThrownBy(() -> line(new DeviceWindow(
                        "city", "north\r", "noise", "n-1", "db", WindowSize.TEN_SECONDS, START, VALUES)))
                .hasMessageContaining("site holds a line break");
    }

    @Test
    void shouldRefuseAnEmptyTag() {
        assertThatThrownBy(() ->
                        line(new DeviceWindow("city", "", "noise", "n-1", "db", WindowSize.TEN_SECONDS, START, VALUES)))
                .hasMessageContaining("tag site is empty");
    }
}
