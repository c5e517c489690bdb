package io.twinstream.ingest.parse;

/** A message ingest cannot accept, with the reason for the dead-letter topic. */
public final class PayloadRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final RejectReason reason;

    public PayloadRejectedException(RejectReason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }

    /** {@code reason-code: detail}, as the dead-letter header carries it. */
    public String describe() {
        return reason.code() + ": " + getMessage();
    }
}
