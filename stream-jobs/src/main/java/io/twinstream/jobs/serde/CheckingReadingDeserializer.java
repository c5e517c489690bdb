package io.twinstream.jobs.serde;

import io.twinstream.jobs.deadletter.DeadLetters;
import io.twinstream.jobs.deadletter.RejectedRecord;
import io.twinstream.model.Reading;
import io.twinstream.model.ReadingCodec;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Records of {@code telemetry.readings} as {@link Reading}s (left), or, for a record the jobs must
 * not process, as a {@link RejectedRecord} (right) bound for the dead-letter topic. Ingest writes
 * only readings that pass these checks; they are here because anything with write access to the
 * topic can write to it, and one such record used to stop a job for good:
 *
 * <ul>
 *   <li>{@code undecodable}: not in {@link ReadingCodec}'s encoding (another writer, a version
 *       this job does not know). It used to fail the job, and every restart read it again.</li>
 *   <li>{@code timestamp-in-future}: stamped more than {@code maxFuture} ahead of this job's clock.
 *       Event time is the highest timestamp seen less the out-of-orderness, and it never goes back:
 *       one such reading made every later reading late, for good (it is checkpointed). The bound
 *       is the wall clock's on purpose: replays and accelerated runs carry times in the past, never
 *       ahead of now, and ingest refuses more than {@code ingest.max-future} (1 min) ahead.</li>
 *   <li>{@code timestamp-out-of-range}: more than {@link #MAX_PAST} before the time ingest
 *       received it (ingest's own bound): InfluxDB cannot store times before 1677, and refused the
 *       window's point for good.</li>
 * </ul>
 */
public final class CheckingReadingDeserializer
        implements KafkaRecordDeserializationSchema<Either<Reading, RejectedRecord>> {

    private static final long serialVersionUID = 1L;

    /** As ingest's {@code ingest.max-clock-distance}: how far before its receipt a reading may be stamped. */
    public static final Duration MAX_PAST = Duration.ofDays(366);

    /** What the source produces. */
    public static final TypeInformation<Either<Reading, RejectedRecord>> TYPE =
            new EitherTypeInfo<>(ReadingTypes.READING, TypeInformation.of(RejectedRecord.class));

    private final long maxFutureMillis;

    /** @param maxFuture how far ahead of this job's clock a reading may be stamped */
    public CheckingReadingDeserializer(Duration maxFuture) {
        if (maxFuture.isNegative()) {
            throw new IllegalArgumentException("the future bound must not be negative, was " + maxFuture);
        }
        this.maxFutureMillis = maxFuture.toMillis();
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Either<Reading, RejectedRecord>> out) {
        out.collect(check(record, System.currentTimeMillis()));
    }

    /** The reading in {@code record}, or why it is refused, by the clock at {@code now}. */
    Either<Reading, RejectedRecord> check(ConsumerRecord<byte[], byte[]> record, long now) {
        Reading reading;
        try {
            reading = ReadingCodec.decode(record.value());
        } catch (IllegalArgumentException e) { // the codec names what is wrong; the constructor what is missing
            return Either.Right(rejected(record, "undecodable", e.getMessage(), now));
        }
        if (reading.ts() > now && reading.ts() - now > maxFutureMillis) {
            return Either.Right(rejected(
                    record,
                    "timestamp-in-future",
                    "stamped " + reading.ts() + ", " + (reading.ts() - now) + " ms ahead of the job's clock; at most "
                            + maxFutureMillis + " ms allowed",
                    now));
        }
        if (tooOld(reading.ts(), reading.ingestedAt())) {
            return Either.Right(rejected(
                    record,
                    "timestamp-out-of-range",
                    "stamped " + reading.ts() + ", more than " + MAX_PAST.toDays() + " days before ingest received it ("
                            + reading.ingestedAt() + ")",
                    now));
        }
        return Either.Left(reading);
    }

    /** Whether {@code ts} is more than {@link #MAX_PAST} before {@code ingestedAt}, without overflowing. */
    private static boolean tooOld(long ts, long ingestedAt) {
        try {
            return Math.subtractExact(ingestedAt, ts) > MAX_PAST.toMillis();
        } catch (ArithmeticException e) { // further apart than a long holds (ts = Long.MIN_VALUE + now)
            return ts < ingestedAt;
        }
    }

    private static RejectedRecord rejected(
            ConsumerRecord<byte[], byte[]> record, String reason, String detail, long now) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        return new RejectedRecord(
                record.topic(),
                record.partition(),
                record.offset(),
                record.key() == null ? new byte[0] : record.key(),
                DeadLetters.cut(value),
                value.length,
                reason,
                detail,
                now);
    }

    @Override
    public TypeInformation<Either<Reading, RejectedRecord>> getProducedType() {
        return TYPE;
    }
}
