package io.twinstream.jobs.bench;

import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Values of {@code telemetry.readings} as {@link Reading}s ({@link ReadingCodec}), with none of the
 * jobs' checks: the minimal Flink peer's decoder. (A record that does not decode fails the job.)
 */
final class ReadingDeserializationSchema implements DeserializationSchema<Reading> {

    private static final long serialVersionUID = 1L;

    @Override
    public Reading deserialize(byte[] message) {
        return ReadingCodec.decode(message);
    }

    @Override
    public boolean isEndOfStream(Reading nextElement) {
        return false;
    }

    @Override
    public TypeInformation<Reading> getProducedType() {
        return ReadingTypes.READING;
    }
}
