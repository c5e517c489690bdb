package io.twinstream.jobs.time;

import java.util.function.LongSupplier;
import org.apache.flink.runtime.metrics.TimerGauge;

/**
 * How long a task has waited for input: a stopwatch that runs only while the task has nothing to
 * read and room to write, that is while Flink's {@code idleTimeMsPerSecond} timer runs (it is
 * started by the task's mailbox loop exactly then, and not while the task is backpressured, which
 * {@code softBackPressuredTimePerSecond} and {@code hardBackPressuredTimePerSecond} time instead).
 *
 * <p>{@link EventTimeClock} measures "no readings" with it, not with the wall clock: a source held
 * back by a slow pipeline still has a backlog to read, and that must never look like a quiet fleet.
 * Flink's own {@code withIdleness} pauses its clock under backpressure for the same reason.
 *
 * <p>The task's thread starts the timer; the thread that makes input available again (the Kafka
 * fetcher) may stop it, hence the locking.
 */
final class InputWaitClock implements TimerGauge.StartStopListener {

    private final LongSupplier millis;
    private long waitedBefore;
    private long waitingSince = -1;

    InputWaitClock(LongSupplier millis) {
        this.millis = millis;
    }

    @Override
    public synchronized void markStart() {
        if (waitingSince < 0) {
            waitingSince = millis.getAsLong();
        }
    }

    @Override
    public synchronized void markEnd() {
        if (waitingSince >= 0) {
            waitedBefore += Math.max(0, millis.getAsLong() - waitingSince);
            waitingSince = -1;
        }
    }

    /** Milliseconds waited for input so far, the wait in progress included. */
    synchronized long waitedMillis() {
        return waitedBefore + (waitingSince < 0 ? 0 : Math.max(0, millis.getAsLong() - waitingSince));
    }
}
