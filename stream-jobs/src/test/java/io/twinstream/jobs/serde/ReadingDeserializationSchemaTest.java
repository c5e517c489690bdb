package io.twinstream.jobs.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.SiteKey;
import io.twinstream.jobs.metrics.SiteWindow;
import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

class ReadingDeserializationSchemaTest {

    @Test
    void shouldDecodeWhatIngestWrites() {
        Reading reading = new Reading("city", "north", "air-quality", "aq-000001", 1_767_600_000_000L, 42,
                1_767_600_000_250L, new String[] {"pm25", "no2"}, new double[] {12.5, 40.0});

        assertThat(new ReadingDeserializationSchema().deserialize(ReadingCodec.encode(reading))).isEqualTo(reading);
    }

    /** pipeline.generic-types=false would fail the job at start on a Kryo fallback (records, keys, state); catch it here first. */
    @Test
    void shouldSerializeTheJobsRecordsWithoutKryo() {
        for (Class<?> type : new Class<?>[] {Reading.class, DeviceWindow.class, SiteWindow.class, SiteKey.class, Aggregate.class}) {
            TypeInformation<?> info = TypeInformation.of(type);
            assertThat(info).as(type.getSimpleName()).isNotInstanceOf(GenericTypeInfo.class).isInstanceOf(PojoTypeInfo.class);
        }
    }
}
