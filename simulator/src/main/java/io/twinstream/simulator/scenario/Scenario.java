package io.twinstream.simulator.scenario;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * A simulation, as declared in a scenario file (see {@code simulator/src/main/resources/scenarios}
 * and docs/simulator.md). Same scenario and same seed give a byte-identical message stream.
 *
 * @param name      shown in progress lines and the ground truth
 * @param seed      the only source of randomness
 * @param start     simulated time of the first instant; {@code null} when the file leaves it to the
 *                  present ({@code start} absent or {@code now}): {@link #startingNow} then fixes it
 * @param duration  simulated time covered
 * @param speed     simulated seconds per wall second when publishing; 0 = as fast as possible
 * @param timezone  local time of the sites, for daily and weekly cycles
 * @param publish   how the stream goes to MQTT
 * @param sites     districts and plants with their fleets
 * @param faults    misbehaviour rates
 * @param episodes  anomalies that should raise alerts
 */
public record Scenario(
        String name,
        long seed,
        Instant start,
        Duration duration,
        double speed,
        ZoneId timezone,
        Publish publish,
        List<Site> sites,
        Faults faults,
        List<Episode> episodes) {

    public Scenario {
        sites = List.copyOf(sites);
        episodes = List.copyOf(episodes);
    }

    /**
     * Simulated time of the first instant.
     *
     * @throws IllegalStateException when the scenario starts at the present and that was not fixed
     *                               yet ({@link #startingNow}, {@link #withStart})
     */
    public Instant start() {
        if (start == null) {
            throw new IllegalStateException("scenario '" + name + "' starts at the present: fix its start first "
                    + "(Scenario.startingNow, or --start)");
        }
        return start;
    }

    /** Whether the start is fixed: pinned by the file or {@code --start}, or already resolved to the present. */
    public boolean hasStart() {
        return start != null;
    }

    /** This scenario from {@code start} (a pinned, reproducible replay). */
    public Scenario withStart(Instant start) {
        return new Scenario(name, seed, start, duration, speed, timezone, publish, sites, faults, episodes);
    }

    /**
     * This scenario as a command line plays it: {@code --duration}, {@code --seed}, {@code --start};
     * {@code null} keeps the file's value.
     */
    public Scenario overridden(Duration duration, Long seed, Instant start) {
        return new Scenario(
                name,
                seed != null ? seed : this.seed,
                start != null ? start : this.start,
                duration != null ? duration : this.duration,
                speed,
                timezone,
                publish,
                sites,
                faults,
                episodes);
    }

    /** The value of a {@code --start} option, or a message naming the option. */
    public static Instant parseStart(String option, String text) {
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(
                    option + " must be an instant like 2026-01-05T04:30:00Z, was '" + text + "'");
        }
    }

    /** {@link #startingNow(Clock, double)} on the system clock at the scenario's own speed. */
    public Scenario startingNow() {
        return startingNow(Clock.systemUTC(), speed);
    }

    /**
     * This scenario with its start fixed relative to {@code clock} when the file left it to the
     * present (a pinned start is kept): see {@link #startEndingNow}.
     *
     * @param publishSpeed simulated seconds per wall second it will be published at (0: as fast as possible)
     */
    public Scenario startingNow(Clock clock, double publishSpeed) {
        return start != null ? this : withStart(startEndingNow(clock.instant(), duration, publishSpeed));
    }

    /**
     * The start at which a scenario published from {@code now} at {@code speed} never stamps a
     * reading ahead of the wall clock and reaches its last instant as its publishing ends: {@code now}
     * minus the time the simulated clock gains on the wall clock, {@code duration × (1 − 1/speed)}
     * ({@code duration} at full speed, nothing at real time or slower), aligned down to the minute
     * so that 10-s and 1-min windows line up with the scenario. So the demo's data is recent wherever
     * a user looks (dashboards' "last hour"), and ingest's clock check accepts it on any date.
     */
    public static Instant startEndingNow(Instant now, Duration duration, double speed) {
        double gained = speed <= 0 ? 1.0 : Math.max(0.0, 1.0 - 1.0 / speed);
        long aheadMillis = (long) Math.ceil(duration.toMillis() * gained);
        return now.minusMillis(aheadMillis).truncatedTo(ChronoUnit.MINUTES);
    }

    /** {@code device}: one MQTT connection per device; {@code gateway}: one per group of devices of a site. */
    public enum ConnectionMode {
        DEVICE,
        GATEWAY
    }

    /** How readings are encoded; {@code BATCH} is a gateway's JSON array for many devices. */
    public enum PayloadFormat {
        JSON("json"),
        SENML("senml"),
        SENML_DRAFT("senml-draft"),
        BATCH("batch");

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
    public record Publish(int qos, ConnectionMode connections, int devicesPerGateway, int batchSize, int maxInFlight) {}

    /** A district or a plant. */
    public record Site(String name, String domain, List<Fleet> fleets) {
        public Site {
            fleets = List.copyOf(fleets);
        }
    }

    /** {@code count} devices of one type reporting every {@code interval}. */
    public record Fleet(String deviceType, int count, Duration interval, PayloadFormat format) {}

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
    public record Faults(
            double duplicate,
            double outOfOrder,
            double late,
            double malformed,
            double spike,
            double stuckPerHour,
            double driftPerHour,
            double dropoutPerHour,
            double offlinePerHour,
            Duration outOfOrderMaxDelay,
            Duration lateDelay,
            Duration clockSkew) {

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
    public record Episode(
            String name,
            String site,
            String deviceType,
            String metric,
            Duration start,
            Duration duration,
            double level,
            AlertRule alert) {}

    /**
     * Raised when the value stays above {@code above} for {@code holdFor} of event time; cleared
     * when it falls below {@code clearBelow} (hysteresis; equal to {@code above} when not given).
     */
    public record AlertRule(String name, double above, Duration holdFor, double clearBelow, String severity) {}
}
