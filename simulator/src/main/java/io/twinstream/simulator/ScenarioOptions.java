package io.twinstream.simulator;

import io.twinstream.model.cli.Converters;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.ScenarioParser;
import io.twinstream.simulator.stream.DeviceFleet;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The scenario a command plays and what its command line overrides, declared once for every command
 * that needs them ({@code simulator run|expect|hash}, the demo, the audit): a picocli mixin.
 */
public final class ScenarioOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = "--scenario",
            paramLabel = "FILE",
            description = "a scenario file, or a shipped one: demo.yaml, city.yaml, factory.yaml")
    String scenario;

    @Option(
            names = "--rate-scale",
            paramLabel = "X",
            defaultValue = "1",
            converter = Converters.PositiveNumber.class,
            description = "multiply every fleet's size by X (default ${DEFAULT-VALUE})")
    double rateScale;

    @Option(names = "--duration", paramLabel = "D", description = "override the simulated duration, e.g. 5m, 2h")
    Duration duration;

    @Option(names = "--seed", paramLabel = "N", description = "override the scenario's seed")
    Long seed;

    @Option(
            names = "--start",
            paramLabel = "INSTANT",
            description = {
                "pin the simulated start, e.g. 2026-01-05T04:30:00Z (a reproducible replay). Default: the file's"
                        + " start; the shipped scenarios have none and start at the present when played (the run"
                        + " prints the start it took: give the ground truth and the audit that same --start)"
            })
    Instant start;

    public double rateScale() {
        return rateScale;
    }

    /** The scenario file with --duration, --seed and --start applied; --scenario is required. */
    public Scenario scenario() {
        return scenario(null);
    }

    /**
     * The same, with {@code fallback} when --scenario is not given (null: it is required). Its start
     * may still be the present.
     */
    public Scenario scenario(String fallback) {
        String name = scenario != null ? scenario : fallback;
        if (name == null) {
            throw new ParameterException(command.commandLine(), "Missing required option: '--scenario=FILE'");
        }
        if (duration != null && duration.isZero()) {
            throw new ParameterException(command.commandLine(), "--duration must be longer than zero");
        }
        return ScenarioParser.load(name).overridden(duration, seed, start);
    }

    /**
     * The scenario, whose start must be fixed: a stream computed now must be the one a run played
     * earlier, so a scenario starting at the present needs the --start that run printed.
     */
    public Scenario pinnedScenario() {
        Scenario s = scenario();
        if (!s.hasStart()) {
            throw new ParameterException(
                    command.commandLine(),
                    scenario + " starts at the present when it is played: give --start, the simulated start the run"
                            + " printed (\"simulated start ...\"; e.g. --start "
                            + Scenario.startEndingNow(Instant.now(), s.duration(), s.speed()) + ")");
        }
        return s;
    }

    /** The fleet of {@link #pinnedScenario()}, at --rate-scale. */
    public DeviceFleet pinnedFleet() {
        return new DeviceFleet(pinnedScenario(), rateScale);
    }

    /** {@code --speed}, for the commands that play a scenario in time (run, the demo): a mixin of its own. */
    public static final class Speed {

        @Option(
                names = "--speed",
                paramLabel = "S|max",
                converter = Converters.Speed.class,
                description = "simulated seconds per wall second, or max (default: the scenario's)")
        Double speed;

        /** --speed, else the scenario's own; 0 is as fast as possible. */
        public double of(Scenario scenario) {
            return speed != null ? speed : scenario.speed();
        }
    }
}
