package io.twinstream.simulator.scenario;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * A simulation, as declared in a scenario file (see {@code simulator/src/main/resources/scenarios}
 * and the README). Same scenario and same seed give a byte-identical message stream.
 *
 * @param name      shown in progress lines and the ground truth
 * @param seed      the only source of randomness
 * @param start     simulated time of the first instant (default a Monday, 2026-01-05T00:00Z)
 * @param duration  simulated time covered
 * @param speed     simulated seconds per wall second when publishing; 0 = as fast as possible
 * @param timezone  local time of the sites, for daily and weekly cycles
 * @param publish   how the stream goes to MQTT
 * @param sites     districts and plants with their fleets
 * @param faults    misbehaviour rates
 * @param episodes  anomalies that should raise alerts
 */
public record Scenario(String name, long seed, Instant start, Duration duration, double speed, ZoneId timezone,
                       Publish publish, List<Site> sites, Faults faults, List<Episode> episodes) {

    public Scenario {
        sites = List.copyOf(sites);
        episodes = List.copyOf(episodes);
    }

    /** {@code device}: one MQTT connection per device; {@code gateway}: one per group of devices of a site. */
    public enum ConnectionMode { DEVICE, GATEWAY }

    /** How readings are encoded; {@code BATCH} is a gateway's JSON array for many devices. */
    public enum PayloadFormat {
        JSON("json"), SENML("senml"), SENML_DRAFT("senml-draft"), BATCH("batch");

        private final String yamlName;

        PayloadFormat(String yamlName) {
            this.yamlName = yamlName;
        }

        public String yamlName() {
            return yamlName;
        }
    }

    /**
     * @param qos               0 or 1 (default 1)
     * @param connections       default {@code gateway}
     * @param devicesPerGateway devices sharing one gateway connection (default 500)
     * @param batchSize         readings per batch message at most (default 100)
     * @param maxInFlight       unacknowledged QoS 1 messages per connection at most (default 20,
     *                          Mosquitto's receive maximum); QoS 0 is bounded by the same number
     */
    public record Publish(int qos, ConnectionMode connections, int devicesPerGateway, int batchSize, int maxInFlight) {
    }

    /** A district or a plant. */
    public record Site(String name, String domain, List<Fleet> fleets) {
        public Site {
            fleets = List.copyOf(fleets);
        }
    }

    /** {@code count} devices of one type reporting every {@code interval}. */
    public record Fleet(String deviceType, int count, Duration interval, PayloadFormat format) {
    }

    /**
     * Probabilities per reading ({@code duplicate} … {@code spike}) and rates per device-hour of
     * fault episodes ({@code stuck} … {@code offline}).
     *
     * @param outOfOrderMaxDelay an out-of-order reading is sent up to this much later (default 20 s;
     *                           within the stream jobs' bounds, so it still counts)
     * @param lateDelay          a late reading is sent this much later (default 5 min; beyond the
     *                           stream jobs' allowed lateness, so it does not count)
     * @param clockSkew          each device's clock is off by up to this much (default 0)
     */
    public record Faults(double duplicate, double outOfOrder, double late, double malformed, double spike,
                         double stuckPerHour, double driftPerHour, double dropoutPerHour, double offlinePerHour,
                         Duration outOfOrderMaxDelay, Duration lateDelay, Duration clockSkew) {

        public static Faults none() {
            return new Faults(0, 0, 0, 0, 0, 0, 0, 0, 0, Duration.ofSeconds(20), Duration.ofMinutes(5), Duration.ZERO);
        }
    }

    /**
     * An anomaly: during [start, start + duration) of simulated time, {@code metric} of every
     * {@code deviceType} device at {@code site} reads about {@code level}.
     *
     * @param alert the threshold rule this episode must trip (and its ground truth is computed for)
     */
    public record Episode(String name, String site, String deviceType, String metric, Duration start,
                          Duration duration, double level, AlertRule alert) {
    }

    /**
     * Raised when the value stays above {@code above} for {@code holdFor} of event time; cleared
     * when it falls below {@code clearBelow} (hysteresis; equal to {@code above} when not given).
     */
    public record AlertRule(String name, double above, Duration holdFor, double clearBelow, String severity) {
    }
}
