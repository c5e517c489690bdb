package io.twinstream.jobs.alerts;

/** A rules file that cannot be used, with what is wrong and where. */
public final class RuleException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public RuleException(String message) {
        super(message);
    }
}
