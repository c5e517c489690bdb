package io.twinstream.jobs.status;

/**
 * A device went online or offline: to the {@code device_status} measurement.
 *
 * @param ts       event time of the transition: the reading that brought the device online, or the
 *                 moment its silence exceeded the offline timeout
 * @param lastSeen event time of the device's newest reading
 */
public record StatusTransition(
        String domain, String site, String deviceType, String deviceId, State state, long ts, long lastSeen) {

    public enum State {
        ONLINE,
        OFFLINE
    }
}
