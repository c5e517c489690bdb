package io.twinstream.jobs.sink;

import java.io.IOException;
import java.io.Serializable;

/**
 * Where an {@link InfluxSink} puts points InfluxDB refuses for good (beyond the retention policy,
 * a time outside its range, a field type conflict, a series or tag-value limit): writing them
 * again after a restart cannot succeed, so failing the job for them only replays them forever.
 * {@link InfluxSinkWriter} finds them by halving the batch InfluxDB refused.
 */
public interface RefusedPoints extends Serializable {

    /** For one writer; called from its writer thread and its task thread. */
    Handler open();

    interface Handler extends AutoCloseable {

        /** @param line the point in line protocol; @param why InfluxDB's answer */
        void refused(String line, String why) throws IOException;

        /** Before every checkpoint: what was handed over is stored. */
        void flush() throws IOException;

        @Override
        void close();
    }

    /** Fails the write (so the job, which restarts from its checkpoint): for a sink with nowhere to put them. */
    RefusedPoints FAIL = () -> new Handler() {
        @Override
        public void refused(String line, String why) throws IOException {
            throw new IOException("InfluxDB refused a point for good: " + why + ": " + line);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
}
