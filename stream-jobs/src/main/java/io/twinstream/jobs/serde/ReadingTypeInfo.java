package io.twinstream.jobs.serde;

import io.twinstream.model.Reading;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's type information for a {@link Reading}: serialized by {@link ReadingSerializer}. */
public final class ReadingTypeInfo extends TypeInformation<Reading> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<Reading> getTypeClass() {
        return Reading.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<Reading> createSerializer(SerializerConfig config) {
        return ReadingSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "Reading";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReadingTypeInfo;
    }

    @Override
    public int hashCode() {
        return "twinstream Reading".hashCode(); // the same in every JVM, unlike a Class's
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof ReadingTypeInfo;
    }
}
