package io.twinstream.jobs.serde;

import io.twinstream.model.Reading;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Flink type information for the job's records: serialized field by field, never by Kryo. */
public final class ReadingTypes {

    /** Readings between operators: {@link ReadingSerializer}, which never copies an immutable reading. */
    public static final TypeInformation<Reading> READING = new ReadingTypeInfo();

    private ReadingTypes() {}
}
