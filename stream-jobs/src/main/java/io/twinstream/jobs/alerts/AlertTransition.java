package io.twinstream.jobs.alerts;

/**
 * An alert raised or cleared: to {@code telemetry.alerts} (JSON), the {@code alerts} measurement and
 * the MQTT topic {@code alerts/{domain}/{site}/{deviceId}}.
 *
 * @param ts        event time of the reading that completed the transition
 * @param value     that reading's value
 * @param threshold the threshold the value crossed (raise) or the clear threshold (clear)
 */
public record AlertTransition(
        String rule,
        String severity,
        State state,
        String domain,
        String site,
        String deviceType,
        String deviceId,
        String metric,
        long ts,
        double value,
        double threshold,
        String message) {

    public enum State {
        RAISED,
        CLEARED
    }
}
