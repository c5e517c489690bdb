package io.twinstream.infra.stack;

/**
 * A service could not be started or did not become healthy. The message says which service, what
 * was tried, and (for local processes) ends with the last lines of the service's own log.
 */
public class ServiceStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ServiceStartException(String message) {
        super(message);
    }

    public ServiceStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
