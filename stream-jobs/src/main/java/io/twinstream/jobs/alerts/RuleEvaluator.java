package io.twinstream.jobs.alerts;

import java.util.ArrayList;
import java.util.List;

import io.twinstream.jobs.serde.ReadingTypes;
import io.twinstream.model.Reading;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the threshold rules on each device's readings in event-time order, and emits alert
 * transitions: raised when a rule's condition has held on consecutive readings for its {@code for}
 * duration (raised at the reading that completes it), cleared when the clear condition has held for
 * {@code clearFor}. Keyed by device id. The rules come as YAML text on the broadcast input and can
 * be replaced while the job runs: a text that does not parse is logged and ignored, the last good
 * rule set stays. (Broadcast state holds the text, not parsed rules: it is checkpointed as a string.)
 *
 * <p>Readings are held in state until the watermark passes them and then evaluated in timestamp
 * order, so a reading that arrives out of order cannot raise or clear an alert on its own. Alert
 * state lives in keyed state: after a restart from a checkpoint nothing is raised twice or lost. A
 * rule's entry exists only while its condition is pending or the alert is raised.
 */
public final class RuleEvaluator extends KeyedBroadcastProcessFunction<String, Reading, String, AlertTransition> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RuleEvaluator.class);

    /** The broadcast state: the current rules file's text under {@link #CURRENT}. */
    public static final MapStateDescriptor<String, String> RULES =
            new MapStateDescriptor<>("rules", Types.STRING, Types.STRING);
    private static final String CURRENT = "current";

    private final RuleSet initialRules;
    private transient String parsedText;
    private transient RuleSet parsed;
    private transient MapState<Long, List<Reading>> waiting;
    private transient MapState<String, AlertState> alerts;

    /** @param initialRules the rules until a rule set arrives on the broadcast input */
    public RuleEvaluator(RuleSet initialRules) {
        this.initialRules = initialRules;
    }

    @Override
    public void open(OpenContext context) {
        waiting = getRuntimeContext().getMapState(new MapStateDescriptor<>("waiting", Types.LONG,
                Types.LIST(ReadingTypes.READING)));
        alerts = getRuntimeContext().getMapState(new MapStateDescriptor<>("alerts", Types.STRING,
                TypeInformation.of(AlertState.class)));
    }

    @Override
    public void processElement(Reading reading, ReadOnlyContext context, Collector<AlertTransition> out) throws Exception {
        RuleSet rules = rules(context.getBroadcastState(RULES));
        if (!watched(reading, rules)) {
            return; // the common case: no rule looks at this device's metrics
        }
        List<Reading> atTs = waiting.get(reading.ts());
        if (atTs == null) {
            atTs = new ArrayList<>(1);
            context.timerService().registerEventTimeTimer(reading.ts());
        }
        atTs.add(reading);
        waiting.put(reading.ts(), atTs);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<AlertTransition> out) throws Exception {
        List<Reading> due = waiting.get(timestamp);
        if (due == null) {
            return;
        }
        waiting.remove(timestamp);
        RuleSet rules = rules(context.getBroadcastState(RULES));
        for (Reading reading : due) {
            evaluate(reading, rules, out);
        }
    }

    @Override
    public void processBroadcastElement(String rulesText, Context context, Collector<AlertTransition> out) throws Exception {
        RuleSet before = rules(context.getBroadcastState(RULES));
        RuleSet rules;
        try {
            rules = RulesParser.parse("telemetry.rules", rulesText);
        } catch (RuleException e) {
            LOG.error("rules refused, keeping {}: {}", before, e.getMessage());
            return;
        }
        BroadcastState<String, String> state = context.getBroadcastState(RULES);
        state.put(CURRENT, rulesText);
        parsedText = rulesText;
        parsed = rules;
        LOG.info("rules replaced: now {} (were {})", rules, before);
    }

    private RuleSet rules(ReadOnlyBroadcastState<String, String> state) throws Exception {
        String text = state.get(CURRENT);
        if (text == null) {
            return initialRules;
        }
        if (!text.equals(parsedText)) { // after a restore: parse once
            parsed = RulesParser.parse("telemetry.rules", text);
            parsedText = text;
        }
        return parsed;
    }

    private static boolean watched(Reading reading, RuleSet rules) {
        for (String metric : reading.metricNames()) {
            for (Rule rule : rules.forMetric(metric)) {
                if (applies(rule, reading)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A rule on raw readings whose match takes this device (the metric was looked up already). */
    private static boolean applies(Rule rule, Reading reading) {
        return rule.on().raw()
                && rule.match().matches(reading.domain(), reading.site(), reading.deviceType(), reading.deviceId());
    }

    private void evaluate(Reading reading, RuleSet rules, Collector<AlertTransition> out) throws Exception {
        for (int i = 0; i < reading.metricCount(); i++) {
            String metric = reading.metricNames()[i];
            double value = reading.metricValues()[i];
            for (Rule rule : rules.forMetric(metric)) {
                if (applies(rule, reading)) {
                    step(rule, reading, metric, value, out);
                }
            }
        }
    }

    /** One reading through one rule's state machine: idle → breached → raised → clearing → idle. */
    private void step(Rule rule, Reading reading, String metric, double value, Collector<AlertTransition> out)
            throws Exception {
        AlertState state = alerts.get(rule.name());
        if (state == null) {
            state = new AlertState();
        }
        long ts = reading.ts();
        if (!state.raised) {
            if (!rule.condition().breached(value)) {
                state.breachedSince = -1;
            } else {
                if (state.breachedSince < 0) {
                    state.breachedSince = ts;
                }
                if (ts - state.breachedSince >= rule.holdFor().toMillis()) {
                    state.raised = true;
                    state.breachedSince = -1;
                    out.collect(transition(rule, AlertTransition.State.RAISED, reading, metric, value,
                            rule.condition().threshold(value)));
                }
            }
        } else if (!rule.condition().cleared(value)) {
            state.clearingSince = -1;
        } else {
            if (state.clearingSince < 0) {
                state.clearingSince = ts;
            }
            if (ts - state.clearingSince >= rule.clearFor().toMillis()) {
                state.raised = false;
                state.clearingSince = -1;
                out.collect(transition(rule, AlertTransition.State.CLEARED, reading, metric, value,
                        rule.condition().clearThreshold(value)));
            }
        }
        if (state.idle()) {
            alerts.remove(rule.name());
        } else {
            alerts.put(rule.name(), state);
        }
    }

    private static AlertTransition transition(Rule rule, AlertTransition.State state, Reading reading, String metric,
                                              double value, double threshold) {
        return new AlertTransition(rule.name(), rule.severity(), state, reading.domain(), reading.site(),
                reading.deviceType(), reading.deviceId(), metric, reading.ts(), value, threshold,
                rule.message(reading.deviceId(), reading.site(), metric, value));
    }
}
