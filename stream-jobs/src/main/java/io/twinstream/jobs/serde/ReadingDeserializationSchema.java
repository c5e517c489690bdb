package io.twinstream.jobs.serde;

import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Values of {@code telemetry.readings} as {@link Reading}s, in the ingest's versioned binary
 * encoding ({@link ReadingCodec}). A record that does not decode fails the job: ingest writes
 * nothing else to this topic, so it means a version mismatch, which must not pass silently.
 */
public final class ReadingDeserializationSchema implements DeserializationSchema<Reading> {

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
