package io.twinstream.jobs.alerts;

import io.twinstream.jobs.functions.UniqueReadings;
import io.twinstream.jobs.status.PresenceTracker;
import io.twinstream.jobs.status.StatusTransition;
import io.twinstream.model.Reading;
import java.time.Duration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;

/**
 * The alerts job's topology, without sources or sinks: readings (timestamped, watermarked) →
 * de-duplicated per device → two keyed functions on the same device key, no further shuffle:
 * {@link RuleEvaluator} (threshold rules, with the rules texts broadcast to every subtask) emits
 * alert transitions, {@link PresenceTracker} emits online/offline transitions.
 */
public final class AlertsTopology {

    /** What the topology produces. */
    public record Outputs(DataStream<AlertTransition> alerts, DataStream<StatusTransition> statuses) {}

    /** How presence is judged: see {@link PresenceTracker}. */
    public record Presence(int intervals, Duration defaultInterval, Duration forgetAfter) {}

    private AlertsTopology() {}

    /**
     * @param readings        with event-time timestamps and watermarks already assigned
     * @param rulesTexts      rules files replacing the rules while the job runs; this stream must
     *                        not hold event time back (give it the final watermark, as
     *                        {@link AlertsJob} does): the evaluator waits for the smaller of its
     *                        two inputs' watermarks
     * @param initialRules    the rules until a rules text arrives
     * @param allowedLateness how far behind the watermark a reading is still evaluated (if in order for its device)
     */
    public static Outputs build(
            DataStream<Reading> readings,
            DataStream<String> rulesTexts,
            RuleSet initialRules,
            Duration dedupMemory,
            Duration allowedLateness,
            Presence presence) {
        KeyedStream<Reading, String> unique = UniqueReadings.byDevice(readings, dedupMemory, "alerts-dedup");

        DataStream<AlertTransition> alerts = unique.connect(rulesTexts.broadcast(RuleEvaluator.RULES))
                .process(new RuleEvaluator(initialRules, allowedLateness))
                .name("evaluate rules")
                .uid("rule-evaluator");
        DataStream<StatusTransition> statuses = unique.process(
                        new PresenceTracker(presence.intervals(), presence.defaultInterval(), presence.forgetAfter()))
                .name("device presence")
                .uid("presence-tracker");
        return new Outputs(alerts, statuses);
    }
}
