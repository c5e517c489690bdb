package io.twinstream.jobs.serde;

import io.twinstream.model.Reading;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Flink type information for the job's records: records serialized field by field, never by Kryo. */
public final class ReadingTypes {

    public static final TypeInformation<Reading> READING = TypeInformation.of(Reading.class);

    private ReadingTypes() {
    }
}
