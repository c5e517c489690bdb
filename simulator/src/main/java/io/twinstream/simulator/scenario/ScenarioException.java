package io.twinstream.simulator.scenario;

/** A scenario file that cannot be used (bad input): the message names the file, line and field. */
public class ScenarioException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ScenarioException(String message) {
        super(message);
    }

    public ScenarioException(String message, Throwable cause) {
        super(message, cause);
    }
}
